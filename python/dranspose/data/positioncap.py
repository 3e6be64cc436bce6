"""PandABox TCP position capture (``PCAP_RAW``) messages."""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Union

from dranspose._model import Model


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


class PositionCapValues(Model):
    fields: dict = {}


class PositionCapEnd(Model):
    pass


PositionCapPacketType = Union[PositionCapStart, PositionCapValues, PositionCapEnd]
