"""The result-payload encoding shared with the TypeScript engine (src/codec/result-payload.ts):
CBOR with plain maps, typed arrays as RFC 8746 tags, and a few beamloom tags. No pickle.

- ``None``, bools, ints, floats, strings, bytes, lists, dicts (any keys): plain CBOR.
- 1-D numpy arrays of (u)int8–64, float32, float64: the RFC 8746 typed-array tag (64–86,
  little-endian); a TypeScript reducer sees a typed array.
- N-D arrays (N ≠ 1) and numpy scalars of those dtypes: RFC 8746 tag 40
  ``[shape, typed array]``, row-major. Shape ``[]`` is a scalar.
- Other numpy dtypes (bool, float16, complex, big-endian, ``U``/``S`` strings):
  tag 42885 ``[dtype.str, shape, bytes]``, row-major.
- tuples: tag 42887 ``[items]`` (a list in TypeScript; a tuple again in Python).
- dataclass instances: tag 42886 ``[qualified class name, {field: value}]``. A Python reducer
  rebuilds the class only from the names its own module defines or imports; TypeScript sees the
  field map.
- ``datetime``: CBOR tag 1 (epoch seconds). Sets: tag 258.
"""

from __future__ import annotations

import dataclasses
from datetime import timezone
from typing import Any, Mapping

import cbor2
import numpy as np

NDARRAY_TAG = 42885
DATACLASS_TAG = 42886
TUPLE_TAG = 42887
MULTIDIM_TAG = 40

# RFC 8746 typed-array tags (little-endian) by numpy dtype string.
TYPED_TAG_OF = {"|u1": 64, "<u2": 69, "<u4": 70, "<u8": 71, "|i1": 72, "<i2": 77, "<i4": 78, "<i8": 79, "<f4": 85, "<f8": 86}
DTYPE_OF_TAG = {tag: np.dtype(code) for code, tag in TYPED_TAG_OF.items()}
DTYPE_OF_TAG[68] = np.dtype("u1")  # uint8 clamped
# Big-endian typed arrays other encoders may send: read, never written.
for _tag, _code in {65: ">u2", 66: ">u4", 67: ">u8", 73: ">i2", 74: ">i4", 75: ">i8", 81: ">f4", 82: ">f8"}.items():
    DTYPE_OF_TAG[_tag] = np.dtype(_code)


class PayloadError(TypeError):
    """A value the payload encoding cannot carry; the message names where it is."""


def _array(value: np.ndarray, path: str) -> Any:
    dtype = value.dtype
    if dtype.kind in "OVMm" or dtype.hasobject:
        raise PayloadError(f"result has a numpy array of dtype {dtype} at {path or '(root)'} (only numeric, bool and string dtypes can be sent)")
    data = np.ascontiguousarray(value)
    tag = TYPED_TAG_OF.get(dtype.str)
    if tag is None:
        return cbor2.CBORTag(NDARRAY_TAG, [dtype.str, list(value.shape), data.tobytes()])
    typed = cbor2.CBORTag(tag, data.tobytes())
    return typed if value.ndim == 1 else cbor2.CBORTag(MULTIDIM_TAG, [list(value.shape), typed])


def _key(key: Any) -> Any:
    """A map key: tuples stay CBOR arrays (cbor2 reads array keys back as tuples)."""
    if isinstance(key, tuple):
        return tuple(_key(k) for k in key)
    if isinstance(key, np.generic):
        return key.item()
    return key


def prepare(value: Any, path: str = "") -> Any:
    """``value`` with numpy values, tuples and dataclasses replaced by their CBOR tags."""
    if value is None or isinstance(value, (str, bool, int, float, bytes)) and not isinstance(value, np.generic):
        return value
    if isinstance(value, dict):
        return {_key(k): prepare(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [prepare(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return cbor2.CBORTag(TUPLE_TAG, [prepare(v, f"{path}[{i}]") for i, v in enumerate(value)])
    if isinstance(value, np.ndarray):
        return _array(value, path)
    if isinstance(value, np.generic):
        return _array(np.asarray(value).reshape(()), path)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: prepare(getattr(value, f.name), f"{path}.{f.name}" if path else f.name) for f in dataclasses.fields(value)}
        return cbor2.CBORTag(DATACLASS_TAG, [type(value).__qualname__, fields])
    if isinstance(value, (set, frozenset)):
        return type(value)(prepare(v, path) for v in value)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "isoformat"):
        return value
    raise PayloadError(f"result has a {type(value).__name__} at {path or '(root)'}, which the payload encoding cannot carry")


def encode_payload(value: Any) -> bytes:
    """CBOR bytes of a result or publish tree. Raises PayloadError naming the path of a value
    it cannot carry (functions, arbitrary objects, object arrays) or a cycle."""
    try:
        return cbor2.dumps(prepare(value), timezone=timezone.utc, datetime_as_timestamp=True)
    except RecursionError as err:
        raise PayloadError("result is nested too deeply (or has a cycle)") from err


def _typed(tag: int, raw: Any) -> np.ndarray:
    dtype = DTYPE_OF_TAG[tag]
    if not isinstance(raw, bytes) or len(raw) % dtype.itemsize:
        raise ValueError(f"CBOR tag {tag}: {len(raw) if isinstance(raw, bytes) else type(raw).__name__} bytes is not whole {dtype} items")
    return np.frombuffer(raw, dtype=dtype).copy()


class PayloadDecoder:
    """Decodes payloads; dataclasses are rebuilt from ``classes`` (qualified name → class)."""

    def __init__(self, classes: Mapping[str, type] | None = None) -> None:
        self.classes = dict(classes or {})

    def _hook(self, _decoder: Any, tag: cbor2.CBORTag) -> Any:
        number, value = tag.tag, tag.value
        if number in DTYPE_OF_TAG:
            return _typed(number, value)
        if number == MULTIDIM_TAG:
            shape, data = value
            array = np.asarray(data) if not isinstance(data, np.ndarray) else data
            array = array.reshape(shape)
            return array[()] if array.ndim == 0 else array
        if number == NDARRAY_TAG:
            code, shape, raw = value
            dtype = np.dtype(code)
            if dtype.kind in "OVMm":
                raise ValueError(f"numpy dtype {code!r} is not plain data")
            array = np.frombuffer(raw, dtype=dtype).copy().reshape(shape)
            return array[()] if array.ndim == 0 else array
        if number == TUPLE_TAG:
            return tuple(value)
        if number == DATACLASS_TAG:
            name, fields = value
            cls = self.classes.get(name)
            if cls is None or not dataclasses.is_dataclass(cls):
                return dict(fields)
            instance = cls.__new__(cls)
            for key, item in fields.items():
                object.__setattr__(instance, key, item)
            return instance
        return tag

    def decode(self, data: bytes) -> Any:
        return cbor2.loads(data, tag_hook=self._hook)


def dataclasses_of(namespace: Mapping[str, Any]) -> dict[str, type]:
    """The dataclasses a module defines or imports, by qualified name (nested ones too)."""
    found: dict[str, type] = {}
    pending = [v for v in namespace.values() if isinstance(v, type)]
    while pending:
        cls = pending.pop()
        if dataclasses.is_dataclass(cls) and cls.__qualname__ not in found:
            found[cls.__qualname__] = cls
        pending.extend(v for v in vars(cls).values() if isinstance(v, type) and v.__qualname__.startswith(cls.__qualname__ + "."))
    return found
