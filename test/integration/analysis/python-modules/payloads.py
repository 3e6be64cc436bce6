"""A worker that returns every kind of payload, and a reducer that checks it gets them back
equal (rebuilt dataclasses included) and publishes arrays of several dtypes and shapes."""

import dataclasses

import numpy as np


@dataclasses.dataclass
class Projection:
    axis: int
    profile: np.ndarray


def payload(n):
    return {
        "n": n,
        "img": np.arange(12, dtype="<u2").reshape(3, 4) + n,
        "cube": np.ones((2, 3, 4), dtype="f4") * n,
        "vec": np.arange(5, dtype="i8"),
        "flags": np.array([True, False]),
        "scalar": np.float32(n / 2),
        "pair": (n, "x"),
        "projection": Projection(axis=1, profile=np.arange(3.0) * n),
        "nested": [{"a": None, "b": b"\x01"}],
    }


class PayloadWorker:
    def __init__(self, *args, **kwargs):
        pass

    def process_event(self, event, parameters=None, tick=False):
        return payload(event.event_number)


def equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        return type(a) is type(b) and a.dtype == b.dtype and np.array_equal(a, b)
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


class PayloadReducer:
    def __init__(self, *args, **kwargs):
        self.equal = []
        self.sum = np.zeros((3, 4), dtype="u2")
        self.publish = {"equal": [], "sum": self.sum, "cube": np.zeros((2, 3, 4), dtype="f4"), "labels": np.array(["a", "bc"])}

    def process_result(self, result, parameters=None):
        ok = equal(payload(result.event_number), result.payload) and isinstance(result.payload["projection"], Projection)
        self.equal.append(bool(ok))
        self.sum += result.payload["img"]
        self.publish["equal"] = list(self.equal)
        self.publish["cube"] = result.payload["cube"]

    def timer(self):
        self.publish["timer"] = self.publish.get("timer", 0) + 1
        return 0.05
