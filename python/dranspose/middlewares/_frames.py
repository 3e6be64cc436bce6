"""Helpers shared by the parsers: frame bytes without copies, JSON parts, dtype checks."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from dranspose.event import StreamData, frame_view


def expect(data: StreamData, typ: str, lengths: tuple[int, ...] | None = None) -> None:
    """Check the stream's typ (and number of frames): a clear error names what was found."""
    if data.typ != typ:
        raise ValueError(f"expected a {typ!r} stream, got typ {data.typ!r}")
    if lengths is not None and data.length not in lengths:
        raise ValueError(f"{typ} message has {data.length} frames, expected {' or '.join(map(str, lengths))}")


def json_frame(frame: Any) -> Any:
    return json.loads(frame_view(frame).tobytes())


def array(frame: Any, dtype: str, shape: list[int]) -> np.ndarray:
    """A numpy view of a frame's bytes (no copy; read-only), checked against dtype and shape."""
    dt = np.dtype(dtype)
    if dt.kind in "OVMm":
        raise ValueError(f"dtype {dtype!r} is not a numeric type")
    view = frame_view(frame)
    count = int(np.prod(shape))
    if view.nbytes != count * dt.itemsize:
        raise ValueError(f"blob of {view.nbytes} bytes does not hold {shape} {dt} items")
    return np.frombuffer(view, dtype=dt).reshape(shape)
