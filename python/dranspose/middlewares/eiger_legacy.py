"""DECTRIS Eiger Stream V1 (legacy): the header (9 parts) keeps ``info`` and ``appendix``; an
image (5 parts) keeps the dimage_d part in ``data`` with the blob under ``buffer`` (still
compressed, as Dranspose leaves it) and the dconfig part in ``config``."""

from typing import Any

from dranspose.data.eiger_legacy import EigerLegacyHeader, EigerLegacyImage, EigerLegacyPacket
from dranspose.event import StreamData, frame_view
from dranspose.middlewares._frames import expect, json_frame


def parse(data: StreamData) -> Any:
    expect(data, "EIGER_LEGACY")
    packet = EigerLegacyPacket.validate_python(json_frame(data.frames[0]))
    if isinstance(packet, EigerLegacyHeader) and data.length == 9:
        packet.info = json_frame(data.frames[1])
        packet.appendix = json_frame(data.frames[8])
    if isinstance(packet, EigerLegacyImage):
        if data.length != 5:
            raise ValueError(f"Eiger legacy image has {data.length} frames, expected 5")
        info = json_frame(data.frames[1])
        info["buffer"] = frame_view(data.frames[2]).tobytes()
        packet.data = info
        packet.config = json_frame(data.frames[3])
    return packet
