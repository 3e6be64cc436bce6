"""PandABox PCAP messages of the zmq JSON envelope."""

from datetime import datetime
from typing import Literal

from dranspose._model import Model, PacketUnion
from dranspose.event import StreamData


class PCAPBase(Model):
    extra_allowed = True
    message_id: int
    version: Literal[1]

    def to_stream_data(self) -> StreamData:
        """The message as the PandABox zmq envelope sends it: its JSON."""
        return StreamData(typ="PCAP", frames=[self.model_dump_json().encode()])


class PCAPStart(PCAPBase):
    message_type: Literal["series-start"]
    arm_time: datetime


class PCAPData(PCAPBase):
    """A batch of rows; columns are extra attributes (``frame_number`` is the first row's)."""

    message_type: Literal["data"]
    frame_number: int


class PCAPEnd(PCAPBase):
    message_type: Literal["series-end"]


PCAPPacket = PacketUnion(PCAPStart, PCAPData, PCAPEnd)
