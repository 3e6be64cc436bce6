"""Example reducer in Dranspose's style: collects the ROI means of workers/examples/roi_mean.py
by event number, sorted, as reducer/examples/roi-mean.ts does."""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np

from dranspose.event import ResultData


class RoiMeanReducer:
    def __init__(self, parameters=None, context=None, state=None, **kwargs: Any) -> None:
        roi = parameters["roi"].value if parameters and "roi" in parameters else ":,:"
        self.events: list[int] = []
        self.frames: list[int] = []
        self.means: list[float] = []
        self.attrs = {
            "mean_attrs": {"units": "counts", "long_name": f"ROI mean [{roi}]"},
            "event_number_attrs": {"long_name": "event number"},
        }
        self.publish: dict[str, Any] = {
            "roi": {"event_number": [], "frame": [], "mean": [], **self.attrs},
            "roi_attrs": {"roi": roi, "NX_class": "NXdata", "signal": "mean", "axes": ["event_number"]},
        }

    def process_result(self, result: ResultData, parameters=None) -> None:
        payload = result.payload
        if not isinstance(payload, dict) or "mean" not in payload:
            raise ValueError("result is not {frame, mean}")
        at = bisect.bisect_left(self.events, result.event_number)
        if at < len(self.events) and self.events[at] == result.event_number:
            return  # one result per event is enough
        self.events.insert(at, result.event_number)
        self.frames.insert(at, payload["frame"])
        self.means.insert(at, payload["mean"])
        self.publish["roi"] = {
            "event_number": np.array(self.events, dtype=np.int64),
            "frame": np.array(self.frames, dtype=np.int64),
            "mean": np.array(self.means, dtype=np.float64),
            **self.attrs,
        }
