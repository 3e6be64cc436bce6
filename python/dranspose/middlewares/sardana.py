"""Sardana recorder posts, one JSON document per message."""

from typing import Any

from dranspose.data.sardana import SardanaPacket
from dranspose.event import StreamData
from dranspose.middlewares._frames import expect, json_frame


def parse(data: StreamData) -> Any:
    expect(data, "sardana", (1,))
    return SardanaPacket.validate_python(json_frame(data.frames[0]))
