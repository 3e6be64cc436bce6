"""Example worker in Dranspose's style: the mean of a region of interest of each STINS image.

Parameter ``roi`` is the region in numpy slice syntax, rows then columns (``0:2,8:10``);
``stream`` names the STINS stream (default: the first STINS stream of the event). The same
analysis as workers/examples/roi-mean.ts, written against Dranspose's Python API.
"""

from __future__ import annotations

from typing import Any, Optional

from dranspose.event import EventData
from dranspose.middlewares.stream1 import parse
from dranspose.data.stream1 import Stream1Data
from dranspose.parameters import StrParameter


def parse_roi(text: str) -> tuple[slice, slice]:
    """``rows,cols`` numpy slices, like ``0:2,8:10``."""
    axes = text.split(",")
    if len(axes) != 2:
        raise ValueError(f"roi {text!r} must be two slices, rows then columns, like 0:2,8:10")

    def one(axis: str) -> slice:
        start, _, stop = axis.partition(":")
        return slice(int(start) if start.strip() else None, int(stop) if stop.strip() else None)

    return one(axes[0]), one(axes[1])


class RoiMeanWorker:
    @staticmethod
    def describe_parameters():
        return [
            StrParameter(name="roi", default=":,:", description="region as numpy slices: rows,cols"),
            StrParameter(name="stream", default="", description="STINS stream (default: first)"),
        ]

    def __init__(self, parameters=None, context=None, state=None, **kwargs: Any) -> None:
        self.name = getattr(state, "name", "worker")

    def process_event(self, event: EventData, parameters=None, tick: bool = False) -> Optional[dict]:
        wanted = parameters["stream"].value if parameters and "stream" in parameters else ""
        name = wanted or next((s for s, d in event.streams.items() if d.typ == "STINS"), None)
        if name is None or name not in event.streams:
            return None
        dat = parse(event.streams[name])
        if not isinstance(dat, Stream1Data):
            return None
        rows, cols = parse_roi(parameters["roi"].value if parameters and "roi" in parameters else ":,:")
        region = dat.data[rows, cols]
        return {"frame": dat.frame, "mean": float(region.mean()) if region.size else float("nan")}
