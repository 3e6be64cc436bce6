"""A worker whose events fail in the ways the runner must report."""

import os
import time


class FailingWorker:
    def __init__(self, *args, **kwargs):
        self.kept = []

    def process_event(self, event, parameters=None, tick=False):
        n = event.event_number
        if n == 2:
            raise ValueError(f"event {n} is bad")
        if n == 3:
            return {"f": lambda: 1}
        if n == 50:
            time.sleep(60)
        if n == 60:
            os._exit(7)
        if n == 70:
            self.kept.append(bytearray(512 * 1024 * 1024))
        print(f"processed {n}")
        return {"n": n}
