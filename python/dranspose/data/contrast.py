"""Contrast messages (pickled dicts on the wire, read by a data-only reader)."""

from typing import Literal

import pickle

from dranspose._model import Model, PacketUnion
from dranspose.event import StreamData


class ContrastBase(Model):
    extra_allowed = True

    def to_stream_data(self) -> StreamData:
        """The message as Contrast publishes it: the pickled dict (written here, by the user's
        own source; beamloom reads pickles with a data-only reader)."""
        return StreamData(typ="contrast", frames=[pickle.dumps(self.model_dump())])


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
