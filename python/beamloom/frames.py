"""Frames in shared memory: the engine writes large frames into a file on /dev/shm and the host
maps it, so numpy reads them in place (no copy in the host). Small frames come inline.

A batch's mapping is closed after the batch. When user code kept a view (a numpy array over a
frame), the mapping cannot close: the host keeps it, tells the engine, and the engine writes
later batches to a new file, so the kept arrays never change under the user's feet."""

from __future__ import annotations

import mmap
import os
import struct
from typing import Any, Optional

from dranspose.event import EventData, Frame, StreamData


class Segment:
    """The engine's current frame file, mapped per batch."""

    def __init__(self) -> None:
        self.path: Optional[str] = None
        self.fd: Optional[int] = None
        self.mapping: Optional[mmap.mmap] = None
        self.view: Optional[memoryview] = None
        self.kept: list[mmap.mmap] = []

    def switch(self, path: str) -> None:
        """Use the file at ``path`` from now on (the engine made a new one)."""
        if self.fd is not None:
            os.close(self.fd)
        self.path, self.fd = path, os.open(path, os.O_RDONLY)

    def map(self, length: int) -> memoryview:
        if self.fd is None:
            raise ValueError("a frame refers to shared memory, but no segment was announced")
        flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
        self.mapping = mmap.mmap(self.fd, length, flags=flags, prot=mmap.PROT_READ)
        self.view = memoryview(self.mapping)
        return self.view

    def release(self) -> bool:
        """Close this batch's mapping; False when user code still holds a view into it."""
        self.kept = [m for m in self.kept if not _try_close(m)]
        if self.mapping is None:
            return True
        mapping, view = self.mapping, self.view
        self.mapping = self.view = None
        if view is not None:
            view.release()
        if _try_close(mapping):
            return True
        self.kept.append(mapping)
        return False


def _try_close(mapping: mmap.mmap) -> bool:
    try:
        mapping.close()
        return True
    except BufferError:  # views into it are still alive: keep it mapped
        return False


def build_event(number: int, streams: dict[str, Any], segment: Segment, used: int) -> EventData:
    """An EventData from the wire form ``{stream: [typ, [bytes | [offset, length]]]}``."""
    out = {}
    for name, (typ, frames) in streams.items():
        parts = []
        for frame in frames:
            if isinstance(frame, bytes):
                parts.append(Frame(frame))
            else:
                offset, length = frame
                view = segment.view if segment.view is not None else segment.map(used)
                parts.append(Frame(view[offset : offset + length]))
        out[name] = StreamData(typ=typ, frames=parts)
    return EventData(event_number=number, streams=out)


class Progress:
    """A small shared file where the host writes which item of a call runs, so the engine can
    name the item that overran its time limit or killed the host."""

    def __init__(self, path: Optional[str]) -> None:
        self.mapping = None
        if path:
            fd = os.open(path, os.O_RDWR)
            try:
                self.mapping = mmap.mmap(fd, 8)
            finally:
                os.close(fd)

    def mark(self, request: int, item: int) -> None:
        if self.mapping is not None:
            struct.pack_into("<II", self.mapping, 0, request & 0xFFFFFFFF, item)
