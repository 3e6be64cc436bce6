"""AlbaEM electrometer, JSON envelope: series-start / data (channel currents) / series-end."""

from typing import Any

from dranspose.data.albaem import AlbaemPacket
from dranspose.event import StreamData
from dranspose.middlewares._frames import expect, json_frame


def parse(data: StreamData) -> Any:
    expect(data, "albaem", (1,))
    return AlbaemPacket.validate_python(json_frame(data.frames[0]))
