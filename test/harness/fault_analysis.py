"""The fault tests' worker in Python (Dranspose's API), the counterpart of fault-analysis.ts's
FaultWorker: sums each STINS image and can be told, by parameters, to misbehave on one frame.

Parameters: ``poison_frame`` (int, -1: none) and ``poison``:
- ``exit``: the process ends at once (``os._exit(3)``), as a crashing extension would;
- ``segv``: a real segmentation fault (reads address 0 through ctypes);
- ``leak``: allocates until the memory cap stops it;
- ``loop``: never returns (the time limit stops it);
- ``throw``: raises ``ValueError``, which fails that event only.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

import numpy as np

from dranspose.data.stream1 import Stream1Data
from dranspose.middlewares.stream1 import parse
from dranspose.parameters import IntParameter, StrParameter

_leaked: list[np.ndarray] = []


class PyFaultWorker:
    @staticmethod
    def describe_parameters():
        return [IntParameter(name="poison_frame", default=-1), StrParameter(name="poison", default="exit")]

    def __init__(self, **kwargs: Any) -> None:
        pass

    def process_event(self, event, parameters=None, tick=False):
        if "cam" not in event.streams:
            return None
        dat = parse(event.streams["cam"])
        if not isinstance(dat, Stream1Data):
            return {"kind": type(dat).__name__}
        if dat.frame == parameters["poison_frame"].value:
            how = parameters["poison"].value
            if how == "exit":
                os._exit(3)
            if how == "segv":
                ctypes.string_at(0)
            if how == "leak":
                while True:
                    _leaked.append(np.ones(64 << 20, dtype=np.uint8))
            if how == "loop":
                while True:
                    pass
            if how == "throw":
                raise ValueError(f"frame {dat.frame} is poison")
        return {"kind": "image", "frame": dat.frame, "sum": int(dat.data.sum())}
