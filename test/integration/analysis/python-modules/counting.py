"""A reducer with state to snapshot: a count, a sum image and a dataclass."""

import dataclasses

import numpy as np


@dataclasses.dataclass
class Stats:
    events: list


class CountingReducer:
    def __init__(self, parameters=None, context=None, state=None):
        self.count = 0
        self.total = np.zeros(3, dtype="f8")
        self.stats = Stats(events=[])
        self.publish = {"count": 0}

    def process_result(self, result, parameters=None):
        self.count += 1
        self.total += result.payload["v"]
        self.stats.events.append(result.event_number)
        self.publish = {"count": self.count, "total": self.total.copy(), "events": sorted(self.stats.events)}


class SnapshotReducer(CountingReducer):
    def snapshot_state(self):
        return {"count": self.count, "events": self.stats.events}

    def restore_state(self, state):
        self.count = state["count"] + 1000
        self.stats = Stats(events=list(state["events"]))
        self.publish = {"count": self.count}
