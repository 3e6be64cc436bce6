"""Example reducer in Dranspose's style: the fluorescence map of a mesh scan, from the results of
``FluorescenceMapWorker`` (workers/examples/fluorescence_map.py or fluorescence-map.ts).

The map's layout comes from the scan command Contrast announces in ``started``
(``mesh sx -2 2 3 sy -2 2 4 0.1``: 4 columns along ``sx``, the slow motor, 5 rows along ``sy``,
the fast one); each point goes to the cell nearest its measured motor positions, so the map
fills in while the scan runs, whatever order results arrive in. Points that come before the
scan command wait for it. Without a mesh command (another scan type) the grid is made from the
sorted distinct positions seen so far (values closer than ``tolerance`` are one), rebuilt on the
timer and at the end; set ``motors`` to ``slow,fast`` to name the two motors then.

Publishes ``fluorescence.map`` (float64, rows: fast motor, columns: slow motor; NaN where
nothing was measured yet), the grid positions under each motor's name, and ``unplaced`` (points
outside the grid or without positions). The same as reducer/examples/fluorescence-map.ts.
"""

from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np

from dranspose.event import ResultData
from dranspose.parameters import FloatParameter, StrParameter

_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_AXIS = rf"(\S+)\s+{_NUMBER}\s+{_NUMBER}\s+(\d+)"
_MESH = re.compile(rf"^\s*mesh\s+{_AXIS}\s+{_AXIS}(?:\s|$)")


def parse_mesh(description: str) -> Optional[list[tuple[str, np.ndarray]]]:
    """``mesh sx -2 2 3 sy -2 2 4 0.1`` → [(slow motor, grid), (fast motor, grid)]; None for other scans."""
    match = _MESH.match(description)
    if match is None:
        return None
    axes = []
    for at in (1, 5):
        motor, start, end, intervals = match.group(at, at + 1, at + 2, at + 3)
        n = int(intervals)
        grid = np.array([float(start)]) if n == 0 else float(start) + (float(end) - float(start)) * np.arange(n + 1) / n
        axes.append((motor, grid))
    return axes


def nearest(grid: np.ndarray, value: float, tolerance: float) -> int:
    """Index of the grid position nearest ``value``, or -1 when it is more than half a step away."""
    if len(grid) == 0:
        return -1
    distance = np.abs(grid - value)
    best = int(np.argmin(distance))
    step = abs(grid[1] - grid[0]) if len(grid) > 1 else 0.0
    return best if distance[best] <= max(step / 2, tolerance) else -1


def distinct_positions(values: list[float], tolerance: float) -> np.ndarray:
    """Sorted distinct values; a value closer than ``tolerance`` to the previous one joins its cluster (mean)."""
    clusters: list[list[float]] = []
    for v in sorted(values):
        if clusters and v - clusters[-1][-1] <= tolerance:
            clusters[-1].append(v)
        else:
            clusters.append([v])
    return np.array([sum(c) / len(c) for c in clusters], dtype=np.float64)


class FluorescenceMapReducer:
    @staticmethod
    def describe_parameters():
        return [
            StrParameter(name="motors", default="", description="slow,fast motor names (default: from the mesh command)"),
            FloatParameter(name="tolerance", default=0.1, description="positions closer than this are one grid position (scans without a mesh command)"),
        ]

    def __init__(self, parameters=None, context=None, state=None, **kwargs: Any) -> None:
        motors = parameters["motors"].value if parameters and "motors" in parameters else ""
        names = [m.strip() for m in motors.split(",") if m.strip()]
        self.motors: Optional[list[str]] = names if len(names) == 2 else None
        self.tolerance = float(parameters["tolerance"].value) if parameters and "tolerance" in parameters else 0.1
        self.mesh = False
        self.grid: Optional[list[np.ndarray]] = None
        self.points: dict[int, dict] = {}
        self.publish: dict[str, Any] = {
            "fluorescence": {"map": np.zeros((0, 0))},
            "fluorescence_attrs": {"NX_class": "NXdata"},
            "points": 0,
            "unplaced": 0,
        }

    def process_result(self, result: ResultData, parameters=None) -> None:
        payload = result.payload
        kind = payload.get("kind") if isinstance(payload, dict) else None
        if kind == "scan":
            if self.mesh:
                return  # the scan command reaches every worker
            self.publish["fluorescence_attrs"]["description"] = payload["description"]
            axes = parse_mesh(payload["description"])
            if axes is None:
                return
            self.mesh = True
            if self.motors is None:
                self.motors = [axes[0][0], axes[1][0]]
            self.grid = [axes[0][1], axes[1][1]]
            self.render()
            return
        if kind != "point" or not isinstance(payload.get("positions"), dict):
            raise ValueError("result is neither {kind: scan} nor {kind: point}")
        if result.event_number in self.points:
            return
        self.points[result.event_number] = payload
        self.publish["points"] = len(self.points)
        if self.grid is not None:
            self.place(payload)

    def timer(self):
        if not self.mesh:
            self.regrid()
        return 0.5

    def finish(self, parameters=None) -> None:
        if not self.mesh:
            self.regrid()

    def regrid(self) -> None:
        """Without a mesh command: the grid from the distinct positions seen so far."""
        if self.motors is None:
            self.motors = next((list(p["positions"])[:2] for p in self.points.values() if len(p["positions"]) >= 2), None)
        if self.motors is None:
            return
        self.grid = [
            distinct_positions([p["positions"][m] for p in self.points.values() if m in p["positions"]], self.tolerance)
            for m in self.motors
        ]
        self.render()

    def render(self) -> None:
        """Rebuild the published map from every point (when the grid changed)."""
        slow, fast = self.grid
        self.map = np.full((len(fast), len(slow)), np.nan, dtype=np.float64)
        self.publish["fluorescence"] = {"map": self.map, self.motors[0]: slow, self.motors[1]: fast}
        self.publish["fluorescence_attrs"].update(NX_class="NXdata", signal="map", axes=[self.motors[1], self.motors[0]])
        self.publish["unplaced"] = 0
        for p in self.points.values():
            self.place(p)

    def place(self, point: dict) -> None:
        """Add one point to its cell of the map (or count it unplaced)."""
        x = point["positions"].get(self.motors[0])
        y = point["positions"].get(self.motors[1])
        col = -1 if x is None else nearest(self.grid[0], x, self.tolerance)
        row = -1 if y is None else nearest(self.grid[1], y, self.tolerance)
        if col < 0 or row < 0:
            self.publish["unplaced"] += 1
            return
        before = self.map[row, col]
        self.map[row, col] = point["counts"] if np.isnan(before) else before + point["counts"]
