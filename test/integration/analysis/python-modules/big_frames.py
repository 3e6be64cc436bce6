"""A worker over large frames: a checksum of each, and (event 3) a view kept past the call."""

import numpy as np


class BigFrameWorker:
    def __init__(self, *args, **kwargs):
        self.kept = None

    def process_event(self, event, parameters=None, tick=False):
        frame = event.streams["big"].frames[0]
        data = np.frombuffer(frame.buffer, dtype="<u4")
        if event.event_number == 3:
            self.kept = data  # a view into shared memory, kept after the call
        out = {"sum": int(data.sum(dtype="u8")), "first": int(data[0])}
        if self.kept is not None:
            out["kept_first"] = int(self.kept[0])
        return out
