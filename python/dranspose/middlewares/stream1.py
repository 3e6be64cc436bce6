"""STINS: a JSON header part, then (images) one blob. ``data`` holds the image (a read-only
numpy view of the frame) for ``compression`` "none"; a "bslz4" image keeps ``data`` None, as
in Dranspose: decompress ``event.streams[name].frames[1]`` yourself."""

from typing import Any

from dranspose.data.stream1 import Stream1Data, Stream1Packet
from dranspose.event import StreamData
from dranspose.middlewares._frames import array, expect, json_frame


def parse(data: StreamData) -> Any:
    """Stream1Start, Stream1Data (with ``data``) or Stream1End."""
    expect(data, "STINS")
    packet = Stream1Packet.validate_python(json_frame(data.frames[0]))
    if isinstance(packet, Stream1Data):
        if data.length != 2:
            raise ValueError(f"STINS image has {data.length} frames, expected 2")
        if packet.compression == "none":
            packet.data = array(data.frames[1], packet.type, packet.shape)
    return packet
