"""Reading the shared MAX IV recordings (../shared/fixtures) with cbor2 alone."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import cbor2

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def capture(name: str) -> list[list[bytes]]:
    """A raw capture: one list of zmq parts per upstream message."""
    out = []
    with open(FIXTURES / name, "rb") as f:
        while True:
            try:
                out.append(cbor2.load(f))
            except (EOFError, cbor2.CBORDecodeEOF):
                return out


def recording(name: str) -> Iterator[tuple[int, dict[str, tuple[str, list[bytes]]]]]:
    """A .cbors recording: (event number, {stream: (typ, frames)}), tags read by hand."""
    with open(FIXTURES / name, "rb") as f:
        while True:
            try:
                item = cbor2.load(f)
            except (EOFError, cbor2.CBORDecodeEOF):
                return
            while isinstance(item, cbor2.CBORTag) and item.tag == 55799:
                item = item.value
            assert item.tag == 42877
            number, streams = item.value[0], item.value[1]
            yield number, {name: (s.value[0], s.value[1]) for name, s in streams.items()}
