"""The names of Dranspose's ``dranspose.protocol`` that analysis modules use: typed ids and the
parameter a worker or reducer receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NewType, Optional, Union

StreamName = NewType("StreamName", str)
WorkerName = NewType("WorkerName", str)
WorkerTag = NewType("WorkerTag", str)
IngesterName = NewType("IngesterName", str)
VirtualConstraint = NewType("VirtualConstraint", int)
EventNumber = NewType("EventNumber", int)
ParameterName = NewType("ParameterName", str)
HashDigest = NewType("HashDigest", str)
MappingName = NewType("MappingName", str)

GENERIC_WORKER = WorkerTag("generic")


@dataclass
class WorkParameter:
    """One parameter as ``process_event``/``process_result`` receive it: ``data`` is the raw
    bytes as set, ``value`` the typed value (the bytes as text when undescribed)."""

    name: ParameterName
    data: bytes
    value: Optional[Union[int, str, bytes, float, bool]] = None


@dataclass
class VirtualWorker:
    """A trigger-map entry: the tags a worker needs, and a constraint (``None``: all)."""

    tags: set[WorkerTag] = field(default_factory=lambda: {GENERIC_WORKER})
    constraint: Optional[VirtualConstraint] = None


@dataclass
class WorkerState:
    """What a worker instance learns about where it runs (its ``state`` argument)."""

    name: WorkerName
    tags: set[WorkerTag] = field(default_factory=lambda: {GENERIC_WORKER})


@dataclass
class ReducerState:
    """What a reducer instance learns about where it runs."""

    name: str = "reducer"


class ProtocolException(Exception):
    """Raised for messages that do not follow their protocol."""
