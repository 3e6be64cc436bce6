"""Workers for the Python bench case (bench/case-python.ts)."""

import numpy as np

from dranspose.middlewares.stream1 import parse
from dranspose.data.stream1 import Stream1Data


class TrivialWorker:
    """Returns a tiny result per event without reading the frames."""

    def __init__(self, *args, **kwargs):
        pass

    def process_event(self, event, parameters=None, tick=False):
        return {"n": event.event_number}


class ParseWorker:
    """Parses each STINS image (JSON header, numpy view) and returns its mean."""

    def __init__(self, *args, **kwargs):
        pass

    def process_event(self, event, parameters=None, tick=False):
        dat = parse(event.streams["det"])
        if isinstance(dat, Stream1Data):
            return {"mean": float(dat.data.mean())}
        return None


class FrameWorker:
    """Views each frame as numpy (no copy) and reads its last byte."""

    def __init__(self, *args, **kwargs):
        pass

    def process_event(self, event, parameters=None, tick=False):
        data = np.frombuffer(event.streams["det"].frames[0].buffer, dtype=np.uint8)
        return {"n": int(data.size), "last": int(data[-1])}
