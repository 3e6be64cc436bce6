"""LeCroy oscilloscope messages."""

from enum import IntEnum
from typing import Any, Literal

from dranspose._model import Model, PacketUnion
from dranspose.event import StreamData

LECROY_TYPE = "lecroy_9fwdWp6Rq7"


class WhatEnum(IntEnum):
    PREPARE = 0
    START = 1
    SEQEND = 2
    STOP = 3


class LecroyBase(Model):
    extra_allowed = True
    frame: int

    def to_stream_data(self) -> StreamData:
        """The message as the LeCroy stream sends it: its JSON."""
        return StreamData(typ=LECROY_TYPE, frames=[self.model_dump_json().encode()])


class LecroyPrepare(LecroyBase):
    htype: Literal["msg"]
    what: Literal[0]


class LecroySeqStart(LecroyBase):
    htype: Literal["msg"]
    what: Literal[1]
    ntriggers: int
    seqno: int
    channels: list[int]


class LecroySeqEnd(LecroyBase):
    htype: Literal["msg"]
    what: Literal[2]


class LecroyEnd(LecroyBase):
    htype: Literal["msg"]
    what: Literal[3]
    frames: int


class LecroyData(LecroyBase):
    htype: Literal["traces"]
    ch: int
    ts: float
    shape: list[int]
    dtype: str
    horiz_offset: float
    horiz_interval: float


class LecroyParsed(LecroySeqStart):
    """A whole sequence: per channel its metadata, traces and timestamps."""

    meta: list[Any] = []
    data: list[Any] = []
    timestamps: list[Any] = []


LecroyPacket = PacketUnion(LecroyPrepare, LecroySeqStart, LecroySeqEnd, LecroyEnd, LecroyData)
