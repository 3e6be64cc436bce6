"""Sardana recorder messages."""

from typing import Literal

from dranspose._model import Model, PacketUnion


class SardanaDataDescription(Model):
    extra_allowed = True
    type: Literal["DataDescription"] = "DataDescription"
    serialno: int
    scandir: str
    title: str


class SardanaRecordData(Model):
    extra_allowed = True
    type: Literal["RecordData"] = "RecordData"
    timestamp: float


class SardanaRecordEnd(Model):
    extra_allowed = True
    type: Literal["RecordEnd"] = "RecordEnd"


SardanaPacketType = SardanaDataDescription | SardanaRecordData | SardanaRecordEnd
SardanaPacket = PacketUnion(SardanaDataDescription, SardanaRecordData, SardanaRecordEnd)
