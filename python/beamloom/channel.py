"""The host's channel to the engine: length-prefixed CBOR messages (4-byte little-endian
length) on two pipes, requests on fd 3 and replies on fd 4; the user's stdout and stderr stay
free for their own output, which the engine forwards to its log."""

from __future__ import annotations

import os
import struct
import threading
from typing import Any

import cbor2

MAX_MESSAGE_BYTES = 1 << 30


class Channel:
    def __init__(self, read_fd: int = 3, write_fd: int = 4) -> None:
        self.reader = os.fdopen(read_fd, "rb", buffering=1 << 20)
        self.write_fd = write_fd
        self.lock = threading.Lock()

    def receive(self) -> Any:
        """The next request, or None when the engine closed the pipe."""
        header = self.reader.read(4)
        if len(header) < 4:
            return None
        (length,) = struct.unpack("<I", header)
        if length > MAX_MESSAGE_BYTES:
            raise ValueError(f"request of {length} bytes is larger than the limit")
        body = self.reader.read(length)
        if len(body) < length:
            return None
        return cbor2.loads(body)

    def send(self, message: Any) -> None:
        body = cbor2.dumps(message)
        data = memoryview(struct.pack("<I", len(body)) + body)
        with self.lock:
            while data:
                written = os.write(self.write_fd, data)
                data = data[written:]
