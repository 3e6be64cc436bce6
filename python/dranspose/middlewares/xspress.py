"""Xspress3: header / image (JSON, uint32 spectra, pickled metadata list) / series_end. The
metadata pickle is read by the data-only reader (nothing on the wire is executed)."""

from typing import Any

from beamloom.pickle_data import read_pickle
from dranspose.data.xspress3 import XspressImage, XspressPacket
from dranspose.event import StreamData, frame_view
from dranspose.middlewares._frames import array, expect, json_frame

META_NAMES = ("ocr", "AllEvents", "AllGood", "ClockTicks", "TotalTicks", "ResetTicks", "event_widths", "dtc")


def parse(data: StreamData) -> Any:
    expect(data, "xspress")
    packet = XspressPacket.validate_python(json_frame(data.frames[0]))
    if isinstance(packet, XspressImage):
        if data.length != 3:
            raise ValueError(f"Xspress3 image has {data.length} frames, expected 3")
        packet.data = array(data.frames[1], packet.type, packet.shape)
        meta = read_pickle(frame_view(data.frames[2]))
        if isinstance(meta, dict):
            packet.meta = meta
        else:
            names = list(META_NAMES) + [f"meta{i}" for i in range(len(META_NAMES), len(meta))]
            packet.meta = dict(zip(names, meta))
    return packet
