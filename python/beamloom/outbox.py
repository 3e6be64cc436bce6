"""Outcomes of a batch on their way to the engine. The host sends them at the end of the batch
and, through a watchdog thread, while one call runs long: so when the engine kills a call that
overran its time limit, the outcomes of the calls before it are not lost with the process."""

from __future__ import annotations

import threading
import time
from typing import Any, Optional

from beamloom.channel import Channel


class Outbox:
    def __init__(self, channel: Channel, flush_s: float = 0.02) -> None:
        self.channel = channel
        self.flush_s = flush_s
        self.items: list[Any] = []
        self.started: Optional[float] = None
        self.lock = threading.Lock()
        self.busy = threading.Event()
        # A small stack: under a memory cap (RLIMIT_DATA) thread stacks count against it.
        previous = threading.stack_size(256 * 1024)
        try:
            threading.Thread(target=self._watch, name="beamloom-outbox", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def begin_batch(self) -> None:
        """A batch starts: the watchdog wakes up (it sleeps between batches)."""
        self.busy.set()

    def begin_item(self) -> None:
        self.started = time.monotonic()

    def end_item(self, outcome: Any) -> None:
        with self.lock:
            self.items.append(outcome)
            self.started = None

    def flush(self, **extra: Any) -> None:
        """Send what is pending (and ``extra`` fields: ``done`` ends the batch)."""
        with self.lock:
            items, self.items = self.items, []
            if extra.get("done"):
                self.busy.clear()
            if items or extra:
                self.channel.send({"outcomes": items, **extra})

    def _watch(self) -> None:
        while True:
            self.busy.wait()
            time.sleep(self.flush_s)
            started = self.started
            if self.items and started is not None and time.monotonic() - started >= self.flush_s:
                self.flush()
