"""The replay source host: ``python3 -m beamloom.source --module path/to/module.py --class
Name`` (or a dotted module, ``--module src.sources``, imported from ``--cwd``). It makes one
instance of the user's source class, calls its ``get_source_generators()`` and hands the
engine the messages of each generator on request (Dranspose's ``replay -s``; docs/replay.md).

Channel: the host's (length-prefixed CBOR, requests on fd 3, replies on fd 4). First reply:
``{"ready": true, "generators": n}`` or ``{"error", "code"}`` (exit 2). Then, per request
``{"next": g, "count": k}``: ``{"g": g, "messages": [[event_number, {name: [typ, [frame,
...]]}], ...], "done": bool}`` with up to ``k`` messages (fewer once ``MAX_BATCH_BYTES`` are
reached), or ``{"g": g, "error": "..."}`` when the generator raised or yielded something that
is not a message. The engine closes fd 3 to end the host."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from typing import Any, Iterator, Optional

from beamloom.channel import Channel
from beamloom.host import refuse_if_shadowed
from beamloom.loading import LoadError, find_class, import_user_module

MAX_BATCH_BYTES = 64 << 20


class NotAMessage(Exception):
    """A generator yielded something that is not an ``InternalWorkerMessage``."""


def _reason(err: BaseException) -> str:
    """``Type: message (file:line)``, the line being the innermost frame outside this host."""
    where = ""
    here = os.path.abspath(__file__)
    for frame in traceback.extract_tb(err.__traceback__):
        if os.path.abspath(frame.filename) != here:
            where = f" ({os.path.basename(frame.filename)}:{frame.lineno})"
    return f"{type(err).__name__}: {err}{where}"


def _field(value: Any, name: str) -> Any:
    """``value.name``, or ``value[name]`` for a dict."""
    if isinstance(value, dict):
        if name not in value:
            raise NotAMessage(f"it has no '{name}'")
        return value[name]
    if not hasattr(value, name):
        raise NotAMessage(f"{type(value).__name__} has no '{name}'")
    return getattr(value, name)


def _frame(frame: Any) -> bytes:
    """A frame as bytes: bytes-like as they are, text as UTF-8, a ``zmq.Frame`` or our
    ``Frame`` by its ``.bytes``."""
    if isinstance(frame, bytes):
        return frame
    if isinstance(frame, (bytearray, memoryview)):
        return bytes(frame)
    if isinstance(frame, str):
        return frame.encode("utf-8")
    data = getattr(frame, "bytes", None)
    if isinstance(data, bytes):
        return data
    raise NotAMessage(f"a frame must be bytes, text or a zmq.Frame, got {type(frame).__name__}")


def to_wire(message: Any) -> list[Any]:
    """``[event_number, {name: [typ, frames]}]`` of an ``InternalWorkerMessage`` (or any
    object, or dict, with ``event_number`` and ``streams`` of ``typ`` and ``frames``)."""
    number = _field(message, "event_number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise NotAMessage(f"event_number must be a whole number ≥ 0, got {number!r}")
    streams = _field(message, "streams")
    if not isinstance(streams, dict):
        raise NotAMessage(f"streams must be a dict, got {type(streams).__name__}")
    out: dict[str, list[Any]] = {}
    for name, stream in streams.items():
        if not isinstance(name, str) or name == "":
            raise NotAMessage(f"a stream name must be a non-empty string, got {name!r}")
        typ = _field(stream, "typ")
        if not isinstance(typ, str):
            raise NotAMessage(f"stream '{name}': typ must be a string, got {typ!r}")
        frames = _field(stream, "frames")
        if not isinstance(frames, (list, tuple)):
            raise NotAMessage(f"stream '{name}': frames must be a list, got {type(frames).__name__}")
        out[name] = [typ, [_frame(f) for f in frames]]
    return [number, out]


def load_source(module_name: str, cls_name: str, cwd: str) -> type:
    """The source class: from a file (``.py``) or a dotted module importable from ``cwd``."""
    if module_name.endswith(".py"):
        path = os.path.abspath(os.path.join(cwd, module_name))
        module = import_user_module(path)
        return find_class(module, path, cls_name, "get_source_generators", "source")
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        code = "MODULE_NOT_FOUND" if err.name == module_name.split(".")[0] or err.name == module_name else "MODULE_INVALID"
        raise LoadError(code, f"{module_name}: {err}") from None
    except SyntaxError as err:
        raise LoadError("MODULE_INVALID", f"{err.filename}:{err.lineno}: SyntaxError: {err.msg}") from None
    except Exception as err:  # any error at import is the module's
        raise LoadError("MODULE_INVALID", f"{module_name}: {_reason(err)}") from None
    return find_class(module, module_name, cls_name, "get_source_generators", "source")


def open_generators(cls: type, spec: str) -> list[Iterator[Any]]:
    """One instance of ``cls`` and the iterators of its ``get_source_generators()``."""
    try:
        generators = cls().get_source_generators()
    except Exception as err:
        raise LoadError("MODULE_INVALID", f"{spec}: get_source_generators() raised {_reason(err)}") from None
    try:
        items = list(generators)
    except TypeError:
        raise LoadError("MODULE_INVALID", f"{spec}: get_source_generators() must return a list of generators, got {type(generators).__name__}") from None
    out = []
    for i, gen in enumerate(items):
        try:
            out.append(iter(gen))
        except TypeError:
            raise LoadError("MODULE_INVALID", f"{spec}: get_source_generators()[{i}] is not a generator (nor any iterable): {type(gen).__name__}") from None
    return out


def serve(channel: Channel, generators: list[Iterator[Any]]) -> int:
    counts = [0] * len(generators)
    while True:
        request = channel.receive()
        if request is None:
            return 0
        g, count = int(request["next"]), max(1, int(request.get("count", 1)))
        gen = generators[g]
        messages: list[Any] = []
        size, done = 0, False
        try:
            while len(messages) < count and size < MAX_BATCH_BYTES:
                try:
                    message = next(gen)
                except StopIteration:
                    done = True
                    break
                wire = to_wire(message)
                messages.append(wire)
                counts[g] += 1
                size += sum(len(f) for _typ, frames in wire[1].values() for f in frames)
        except NotAMessage as err:
            channel.send({"g": g, "error": f"message {counts[g]} of source generator {g} is not an InternalWorkerMessage: {err}"})
            continue
        except Exception as err:
            channel.send({"g": g, "error": f"source generator {g} raised after {counts[g]} messages: {_reason(err)}"})
            continue
        channel.send({"g": g, "messages": messages, "done": done})


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="beamloom.source")
    parser.add_argument("--module", required=True)
    parser.add_argument("--class", dest="cls", required=True)
    parser.add_argument("--cwd", default=os.getcwd())
    args = parser.parse_args(argv)
    channel = Channel()
    if refuse_if_shadowed(channel):
        return 2
    try:
        cls = load_source(args.module, args.cls, args.cwd)
        generators = open_generators(cls, f"{args.module}:{args.cls}")
    except LoadError as err:
        channel.send({"error": str(err), "code": err.code})
        return 2
    channel.send({"ready": True, "generators": len(generators)})
    return serve(channel, generators)


if __name__ == "__main__":
    sys.exit(main())
