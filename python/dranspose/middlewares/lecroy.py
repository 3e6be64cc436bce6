"""LeCroy oscilloscope: control messages, or a sequence of per-channel (metadata, traces,
pickled timestamps) parts; timestamps are read by the data-only pickle reader."""

from typing import Any

from beamloom.pickle_data import read_pickle
from dranspose.data.lecroy import LECROY_TYPE, LecroyData, LecroyEnd, LecroyPacket, LecroyParsed, LecroyPrepare, LecroySeqEnd, LecroySeqStart
from dranspose.event import StreamData, frame_view
from dranspose.middlewares._frames import array, expect, json_frame


def parse(data: StreamData) -> Any:
    expect(data, LECROY_TYPE)
    if data.length < 1:
        raise ValueError("LeCroy message has no frames")
    start = LecroyPacket.validate_python(json_frame(data.frames[0]))
    if isinstance(start, (LecroyPrepare, LecroyEnd, LecroySeqEnd)):
        return start
    if not isinstance(start, LecroySeqStart):
        raise ValueError(f"LeCroy message does not start with a sequence header: {start!r}")
    nch = len(start.channels)
    if data.length != 1 + nch * 3 + 1:
        raise ValueError(f"LeCroy sequence has {data.length} frames, expected {1 + nch * 3 + 1} for {nch} channels")
    parsed = LecroyParsed(**start.model_dump())
    for ich in range(nch):
        offset = 1 + ich * 3
        meta = LecroyPacket.validate_python(json_frame(data.frames[offset]))
        if not isinstance(meta, LecroyData):
            raise ValueError(f"LeCroy channel {ich}: expected trace metadata, got {meta!r}")
        parsed.meta.append(meta)
        parsed.data.append(array(data.frames[offset + 1], meta.dtype, meta.shape))
        parsed.timestamps.append(read_pickle(frame_view(data.frames[offset + 2])))
    return parsed
