"""PandABox TCP position capture (``PCAP_RAW``): a stateful parser per stream, as Dranspose's
``PositioncapParser``: the header (``arm_time:`` and field lines) then one line per sample."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from dranspose.data.positioncap import PositionCapEnd, PositionCapField, PositionCapPacketType, PositionCapStart, PositionCapValues
from dranspose.event import StreamData, frame_view
from dranspose.middlewares._frames import expect


class PositioncapParser:
    def __init__(self) -> None:
        self.arm_time: Optional[datetime] = None
        self.fields: list[PositionCapField] = []

    def parse(self, data: StreamData) -> PositionCapPacketType:
        expect(data, "PCAP_RAW", (1,))
        text = frame_view(data.frames[0]).tobytes().decode()
        if text.startswith("arm_time:"):
            self.fields = []
            for line in text.split("\n"):
                if line.startswith("arm_time: "):
                    self.arm_time = datetime.fromisoformat(line[len("arm_time: ") :].strip().replace("Z", "+00:00"))
                elif line.startswith(" "):
                    parts = line.strip().split(" ")
                    self.fields.append(PositionCapField(name=f"{parts[0]}.{parts[2]}", type=parts[1]))
            if self.arm_time is None:
                raise ValueError("position capture header has no arm_time")
            return PositionCapStart(arm_time=self.arm_time)
        if text.startswith("END"):
            return PositionCapEnd()
        if self.arm_time is None:
            raise ValueError("position capture data before its header")
        values = PositionCapValues()
        for field, value in zip(self.fields, text.strip().split(" ")):
            values.fields[field.name] = field.parse(value)
        return values
