"""PandABox TCP position capture (``PCAP_RAW``) messages."""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Union

from dranspose._model import Model
from dranspose.event import StreamData


class PositionCapField(Model):
    name: str
    type: str
    value: Optional[Union[int, float]] = None

    def parse(self, value: str) -> PositionCapField:
        """This field with ``value`` parsed by its type (``uint32``/``int32``: int, else float)."""
        if self.type in ("uint32", "int32"):
            return PositionCapField(name=self.name, type=self.type, value=int(value))
        if self.type == "double":
            return PositionCapField(name=self.name, type=self.type, value=float(value))
        raise ValueError(f"position capture field {self.name}: unknown type {self.type!r}")


class PositionCapStart(Model):
    arm_time: datetime

    def to_stream_data(self, fields: list[PositionCapField]) -> StreamData:
        """The header as the PandABox TCP data port sends it (ASCII format), for ``fields``."""
        lines = [
            f"arm_time: {self.arm_time.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}",
            "missed: 0",
            "process: Scaled",
            "format: ASCII",
            "fields:",
        ]
        for f in fields:
            block, _, capture = f.name.rpartition(".")
            lines.append(f" {block} {f.type} {capture}")
        return StreamData(typ="PCAP_RAW", frames=[("\n".join(lines) + "\n").encode()])


class PositionCapValues(Model):
    fields: dict = {}

    def to_stream_data(self) -> StreamData:
        """One row as the TCP data port sends it: the fields' values, space-separated."""
        row = " " + " ".join(str(f.value) for f in self.fields.values()) + "\n"
        return StreamData(typ="PCAP_RAW", frames=[row.encode()])


class PositionCapEnd(Model):
    def to_stream_data(self) -> StreamData:
        """The end of the acquisition as the TCP data port sends it."""
        return StreamData(typ="PCAP_RAW", frames=[b"END 0 Disarmed\n"])


PositionCapPacketType = Union[PositionCapStart, PositionCapValues, PositionCapEnd]
