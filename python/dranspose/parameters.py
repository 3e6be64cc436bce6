"""Parameter descriptions, as Dranspose's ``describe_parameters()`` returns them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Optional, Union


@dataclass
class ParameterBase:
    """A described parameter: name, optional description; subclasses fix ``dtype``."""

    name: str
    description: Optional[str] = None
    dtype: ClassVar[str] = ""

    @staticmethod
    def to_bytes(val: Any) -> bytes:
        """The bytes Dranspose stores for a value: ``str(value)`` as UTF-8."""
        return str(val).encode("utf8")

    def describe(self) -> dict[str, Any]:
        """The description beamloom's engine reads (``{name, dtype, default, description}``)."""
        out: dict[str, Any] = {"name": self.name, "dtype": self.dtype, "default": getattr(self, "default")}
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass
class StrParameter(ParameterBase):
    default: str = ""
    dtype: ClassVar[str] = "str"

    @staticmethod
    def from_bytes(by: bytes) -> str:
        try:
            return by.decode("utf8")
        except ValueError:
            return ""


@dataclass
class BinaryParameter(ParameterBase):
    default: bytes = b""
    dtype: ClassVar[str] = "binary"

    @staticmethod
    def from_bytes(by: bytes) -> bytes:
        return by

    @staticmethod
    def to_bytes(val: Any) -> bytes:
        return bytes(val)


@dataclass
class FileParameter(BinaryParameter):
    """The content of a file, as bytes (described to the engine as ``binary``)."""


@dataclass
class IntParameter(ParameterBase):
    default: int = 0
    dtype: ClassVar[str] = "int"

    @staticmethod
    def from_bytes(by: bytes) -> int:
        try:
            return int(by)
        except ValueError:
            return 0


@dataclass
class FloatParameter(ParameterBase):
    default: float = 0.0
    dtype: ClassVar[str] = "float"

    @staticmethod
    def from_bytes(by: bytes) -> float:
        try:
            return float(by)
        except ValueError:
            return 0.0


@dataclass
class BoolParameter(ParameterBase):
    default: bool = False
    dtype: ClassVar[str] = "bool"

    @staticmethod
    def from_bytes(by: bytes) -> bool:
        return by == b"True"


ParameterType = Union[StrParameter, BinaryParameter, FileParameter, IntParameter, FloatParameter, BoolParameter]
