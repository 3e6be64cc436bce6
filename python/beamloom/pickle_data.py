"""A data-only pickle reader: it interprets pickle opcodes itself and builds only plain data
(None, bool, int, float, str, bytes, list, tuple, dict, set) and numpy arrays, dtypes and
scalars. It never imports or calls anything named by the pickle: the few globals it accepts
map to its own constructors. Contrast, Xspress3 metadata and LeCroy timestamps arrive this way.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import numpy as np


class PickleError(ValueError):
    """Bytes that are not a pickle of plain data, or name something that is not allowed."""


_MARK = object()


class _Dtype:
    """``numpy.dtype(spec, align, copy)`` before its BUILD state sets the byte order."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.order = "="

    def numpy(self) -> np.dtype:
        try:
            dtype = np.dtype(self.spec)
        except TypeError as err:
            raise PickleError(f"pickle: numpy dtype {self.spec!r} is not valid") from err
        if dtype.kind in "OVMm":
            raise PickleError(f"pickle: numpy dtype {self.spec!r} is not plain data")
        return dtype.newbyteorder(self.order) if self.order in "<>" else dtype


class _ArrayBuilder:
    """``_reconstruct(ndarray, (0,), b'b')``: an array waiting for its BUILD state."""

    array: Any = None


def _as_dtype(value: Any) -> np.dtype:
    if isinstance(value, _Dtype):
        return value.numpy()
    if isinstance(value, np.dtype):
        return value
    raise PickleError(f"pickle: expected a numpy dtype, got {type(value).__name__}")


def _shape(value: Any) -> tuple[int, ...]:
    if not isinstance(value, tuple) or not all(isinstance(d, int) and d >= 0 for d in value):
        raise PickleError("pickle: numpy shape is not a tuple of sizes")
    return value


def _array_from(raw: Any, dtype: np.dtype, shape: tuple[int, ...], fortran: bool) -> np.ndarray:
    if isinstance(raw, str):
        raw = raw.encode("latin-1")
    if not isinstance(raw, (bytes, bytearray)):
        raise PickleError("pickle: numpy array data is not bytes")
    count = int(np.prod(shape)) if shape else 1
    if count * dtype.itemsize != len(raw):
        raise PickleError(f"pickle: numpy array of shape {list(shape)} has {len(raw)} bytes")
    flat = np.frombuffer(bytes(raw), dtype=dtype, count=count)
    return flat.reshape(shape, order="F" if fortran else "C")


def _build(target: Any, state: Any) -> Any:
    if isinstance(target, _Dtype):
        if not isinstance(state, tuple) or len(state) < 2 or not isinstance(state[1], str):
            raise PickleError("pickle: numpy dtype state is not (version, byteorder, …)")
        if len(state) > 3 and (state[2] is not None or state[3] is not None):
            raise PickleError("pickle: structured or sub-array numpy dtypes are not supported")
        target.order = state[1] if state[1] in "<>=|" else "="
        return target
    if isinstance(target, _ArrayBuilder):
        if not isinstance(state, tuple) or len(state) != 5:
            raise PickleError("pickle: numpy array state is not (version, shape, dtype, fortran, data)")
        _, shape, dtype, fortran, raw = state
        target.array = _array_from(raw, _as_dtype(dtype), _shape(shape), bool(fortran))
        return target.array
    if isinstance(target, dict) and isinstance(state, dict):
        target.update(state)
        return target
    raise PickleError(f"pickle: cannot set the state of {type(target).__name__}")


def _reconstruct(args: tuple) -> _ArrayBuilder:
    if len(args) != 3 or args[0] != ("numpy", "ndarray"):
        raise PickleError("pickle: _reconstruct only builds numpy.ndarray")
    return _ArrayBuilder()


def _scalar(args: tuple) -> Any:
    if len(args) != 2:
        raise PickleError("pickle: numpy scalar takes (dtype, bytes)")
    dtype, raw = _as_dtype(args[0]), args[1]
    return _array_from(raw, dtype, (), False)[()]


def _frombuffer(args: tuple) -> np.ndarray:
    if len(args) != 4 or args[3] not in ("C", "F"):
        raise PickleError("pickle: _frombuffer takes (buffer, dtype, shape, order)")
    return _array_from(args[0], _as_dtype(args[1]), _shape(args[2]), args[3] == "F")


def _codecs_encode(args: tuple) -> bytes:
    if len(args) != 2 or not isinstance(args[0], str) or args[1] not in ("latin1", "latin-1"):
        raise PickleError("pickle: _codecs.encode only decodes latin-1 text")
    return args[0].encode("latin-1")


def _make_bytes(args: tuple) -> bytes:
    if not args:
        return b""
    if len(args) == 1 and isinstance(args[0], (bytes, bytearray, list)):
        return bytes(args[0])
    if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"):
        return args[0].encode("latin-1")
    raise PickleError("pickle: unsupported bytes() arguments")


def _iterable(args: tuple) -> Any:
    if len(args) > 1:
        raise PickleError("pickle: expected one iterable argument")
    if args and not isinstance(args[0], (list, tuple, set, frozenset, dict)):
        raise PickleError("pickle: expected a list, tuple or set argument")
    return args[0] if args else ()


_NDARRAY = ("numpy", "ndarray")
_CALLABLES: dict[tuple[str, str], Callable[[tuple], Any]] = {
    ("numpy", "dtype"): lambda a: _Dtype(str(a[0])) if a and isinstance(a[0], str) else _raise("numpy.dtype needs a type string"),
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("_codecs", "encode"): _codecs_encode,
    ("collections", "OrderedDict"): lambda a: dict(OrderedDict(_iterable(a))),
}
for _mod in ("builtins", "__builtin__"):
    _CALLABLES[(_mod, "bytes")] = _make_bytes
    _CALLABLES[(_mod, "bytearray")] = _make_bytes
    _CALLABLES[(_mod, "set")] = lambda a: set(_iterable(a))
    _CALLABLES[(_mod, "frozenset")] = lambda a: frozenset(_iterable(a))


def _raise(message: str) -> Any:
    raise PickleError(f"pickle: {message}")


def _global(module: str, name: str) -> Any:
    key = (module, name)
    if key == _NDARRAY or key in _CALLABLES:
        return key
    raise PickleError(
        f"pickle refers to global '{module}.{name}', which is not allowed "
        "(data-only reader: only numpy arrays, OrderedDict, bytes and sets are rebuilt)"
    )


def _call(callee: Any, args: Any) -> Any:
    if not isinstance(args, tuple):
        raise PickleError("pickle: call arguments are not a tuple")
    fn = _CALLABLES.get(callee) if isinstance(callee, tuple) else None
    if fn is None:
        raise PickleError(f"pickle: cannot call {callee!r}")
    return fn(args)


from beamloom.pickle_opcodes import run_opcodes  # noqa: E402  (needs the helpers above)


def read_pickle(data: bytes | bytearray | memoryview, max_bytes: int = 64 << 20) -> Any:
    """Decode a pickle of plain data and numpy arrays without executing anything.

    Raises PickleError on anything else (other globals, out-of-band buffers, truncation)."""
    raw = bytes(data)
    if len(raw) > max_bytes:
        raise PickleError(f"pickle of {len(raw)} bytes is larger than the {max_bytes}-byte limit")
    return run_opcodes(raw, _global, _call, _build, _MARK)
