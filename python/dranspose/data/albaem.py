"""AlbaEM electrometer messages."""

from typing import Literal

from dranspose._model import Model, PacketUnion


class AlbaemBase(Model):
    extra_allowed = True
    message_id: int
    version: Literal[1]


class AlbaemStart(AlbaemBase):
    message_type: Literal["series-start"]


class AlbaemData(AlbaemBase):
    """One sample; channel currents are extra attributes."""

    message_type: Literal["data"]
    frame_number: int
    timestamp: float
    acquisition_timestamp: int


class AlbaemEnd(AlbaemBase):
    message_type: Literal["series-end"]


AlbaemPacket = PacketUnion(AlbaemStart, AlbaemData, AlbaemEnd)
