"""Contrast: one pickled dict per message, read by the data-only pickle reader."""

from typing import Any

from beamloom.pickle_data import read_pickle
from dranspose.data.contrast import ContrastPacket
from dranspose.event import StreamData, frame_view
from dranspose.middlewares._frames import expect


def parse(data: StreamData) -> Any:
    expect(data, "contrast", (1,))
    value = read_pickle(frame_view(data.frames[0]))
    return ContrastPacket.validate_python(value)
