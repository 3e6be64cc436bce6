"""PandABox PCAP, zmq JSON envelope: series-start / data (columns as lists) / series-end."""

from typing import Any

from dranspose.data.pcap import PCAPPacket
from dranspose.event import StreamData
from dranspose.middlewares._frames import expect, json_frame


def parse(data: StreamData) -> Any:
    expect(data, "PCAP", (1,))
    return PCAPPacket.validate_python(json_frame(data.frames[0]))
