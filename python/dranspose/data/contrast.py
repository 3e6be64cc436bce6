"""Contrast messages (pickled dicts on the wire, read by a data-only reader)."""

from typing import Literal

from dranspose._model import Model, PacketUnion


class ContrastBase(Model):
    extra_allowed = True


class ContrastStarted(ContrastBase):
    status: Literal["started"] = "started"
    path: str
    scannr: int
    description: str


class ContrastRunning(ContrastBase):
    """One point; motor positions and detector values are extra attributes (``pseudo``, …)."""

    status: Literal["running"] = "running"
    dt: float


class ContrastFinished(ContrastBase):
    status: Literal["finished"] = "finished"
    path: str
    scannr: int
    description: str


class ContrastInterrupted(ContrastBase):
    status: Literal["interrupted"] = "interrupted"


class ContrastHeartbeat(ContrastBase):
    status: Literal["heartbeat"]


ContrastPacket = PacketUnion(ContrastStarted, ContrastRunning, ContrastFinished, ContrastInterrupted, ContrastHeartbeat)
