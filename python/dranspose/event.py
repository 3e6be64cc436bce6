"""Events and results as Dranspose analysis code sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Union

from dranspose.protocol import EventNumber, HashDigest, StreamName, WorkerName


class Frame:
    """One zmq part of a stream. Like ``zmq.Frame``: ``.bytes`` is a ``bytes`` copy and
    ``.buffer`` a zero-copy ``memoryview`` (large frames live in shared memory; keep
    ``.bytes`` or a ``numpy`` copy, not the view, beyond ``process_event``)."""

    __slots__ = ("_data",)

    def __init__(self, data: Union[bytes, bytearray, memoryview]) -> None:
        self._data = data

    @property
    def bytes(self) -> bytes:
        data = self._data
        return data if isinstance(data, bytes) else bytes(data)

    @property
    def buffer(self) -> memoryview:
        return memoryview(self._data)

    def __bytes__(self) -> bytes:
        return self.bytes

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Frame):
            return self.buffer == other.buffer
        if isinstance(other, (bytes, bytearray, memoryview)):
            return self.buffer == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"Frame({len(self)} bytes)"


FrameLike = Union[Frame, bytes, bytearray, memoryview]


def frame_view(frame: Any) -> memoryview:
    """The bytes of a frame (ours, ``bytes`` or a ``zmq.Frame``) as a memoryview, no copy."""
    if isinstance(frame, Frame):
        return frame.buffer
    if isinstance(frame, (bytes, bytearray, memoryview)):
        return memoryview(frame)
    buffer = getattr(frame, "buffer", None)  # zmq.Frame
    if buffer is not None:
        return memoryview(buffer)
    raise TypeError(f"a stream frame must be bytes or a Frame, got {type(frame).__name__}")


@dataclass
class StreamData:
    """All frames one stream contributed to one event; ``typ`` names the protocol."""

    typ: str
    frames: list[Any]

    @property
    def length(self) -> int:
        return len(self.frames)

    def get_bytes(self) -> "StreamData":
        """A copy whose frames are ``bytes``."""
        return StreamData(typ=self.typ, frames=[frame_view(f).tobytes() for f in self.frames])


@dataclass
class InternalWorkerMessage:
    """Part of an event from one source: what a replay source class's generators yield
    (``replay -s``), and what a recording holds per record."""

    event_number: EventNumber
    streams: dict[StreamName, StreamData] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def get_all_frames(self) -> list[Any]:
        return [frame for stream in self.streams.values() for frame in stream.frames]


@dataclass
class EventData:
    """One event: its number and the data of each of its streams."""

    event_number: EventNumber
    streams: dict[StreamName, StreamData] = field(default_factory=dict)


@dataclass
class ResultData:
    """A worker's result as ``process_result`` receives it."""

    event_number: EventNumber
    worker: WorkerName
    parameters_hash: Optional[HashDigest]
    payload: Any
