"""The analysis host process: ``python3 -m beamloom.host --role worker|reducer --module
path/to/module.py --class Name``. It loads the user's class and serves the engine's calls
(see docs/python.md, "The host protocol"). Exit codes: 0 closed, 2 the module cannot be used,
3 the memory cap was exceeded."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import traceback
from typing import Any, Callable, Optional

from beamloom.channel import Channel
from beamloom.frames import Progress, Segment, build_event
from beamloom.outbox import Outbox
from beamloom.loading import LoadError, describe_parameters, find_class, import_user_module, positional_arity
from beamloom.payload import PayloadDecoder, PayloadError, dataclasses_of, encode_payload
from dranspose.event import ResultData
from dranspose.protocol import ReducerState, WorkerState, WorkParameter

FLUSH_S = 0.02


def _reason(err: BaseException, path: str) -> str:
    """``Type: message (file:line)``: the Python exception and where in the user's file."""
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if os.path.abspath(frame.filename) == path:
            line = frame.lineno
    where = f" ({os.path.basename(path)}:{line})" if line is not None else ""
    return f"{type(err).__name__}: {err}{where}"


class MemoryCapExceeded(Exception):
    pass


class Host:
    def __init__(self, role: str, path: str, cls: type, channel: Channel, progress: Progress, memory_mib: Optional[float]) -> None:
        self.role, self.path, self.cls = role, os.path.abspath(path), cls
        self.channel, self.progress = channel, progress
        self.memory_mib = memory_mib
        self.instance: Any = None
        self.context: dict[Any, Any] = {}
        self.parameters: dict[str, WorkParameter] = {}
        self.segment = Segment()
        self.decoder = PayloadDecoder(dataclasses_of(vars(sys.modules[cls.__module__])))
        self.request = 0
        self.last_publish = 0.0
        self.outbox = Outbox(channel, FLUSH_S)
        self.tick_args = False
        self.timer_args = False

    # -- calls into user code ------------------------------------------------------------
    def guarded(self, item: int, fn: Callable[[], Any]) -> tuple[bool, Any]:
        self.progress.mark(self.request, item + 1)
        try:
            return True, fn()
        except MemoryError as err:
            raise MemoryCapExceeded(f"exceeded the memory cap of {self.memory_mib:g} MiB ({_reason(err, self.path)})") from err
        except Exception as err:  # the user's error fails this call only
            traceback.print_exc(file=sys.stderr)
            return False, _reason(err, self.path)

    def set_parameters(self, message: dict[str, Any]) -> None:
        if "parameters" in message:
            self.parameters = {name: WorkParameter(name=name, data=data, value=value) for name, data, value in message["parameters"]}

    def publish_bytes(self) -> dict[str, Any]:
        """``publish`` encoded per top-level key (``{"keys": {name: bytes}}``), so the engine
        decodes only the keys whose bytes changed; anything but a dict as ``{"whole": bytes}``."""
        self.last_publish = time.monotonic()
        publish = getattr(self.instance, "publish", None)
        if publish is None:
            return {"keys": {}}
        if isinstance(publish, dict):
            return {"keys": {str(k): encode_payload(v) for k, v in publish.items()}}
        return {"whole": encode_payload(publish)}

    # -- requests ------------------------------------------------------------------------
    def on_begin(self, message: dict[str, Any]) -> dict[str, Any]:
        self.set_parameters(message)
        state = message.get("state") or {}
        name = state.get("name", self.role)
        who = WorkerState(name=name, tags=set(state.get("tags") or ["generic"])) if self.role == "worker" else ReducerState(name=name)
        self.instance = None
        ok, value = self.guarded(0, lambda: self.cls(parameters=self.parameters, context=self.context, state=who))
        if not ok:
            return {"error": f"constructor failed: {value}"}
        self.instance = value
        self.tick_args = positional_arity(getattr(value, "process_event", None)) >= 3 if self.role == "worker" else False
        timer = getattr(value, "timer", None)
        self.timer_args = positional_arity(timer) >= 1 if callable(timer) else False
        return {"ok": True, "hasTimer": callable(timer)}

    def on_events(self, message: dict[str, Any]) -> None:
        self.set_parameters(message)
        if "segment" in message:
            self.segment.switch(message["segment"])
        used = message.get("used", 0)
        inst, params, outbox = self.instance, self.parameters, self.outbox
        outbox.begin_batch()
        for index, (number, tick, streams) in enumerate(message["items"]):
            event = build_event(number, streams, self.segment, used)
            call = (lambda: inst.process_event(event, params, tick)) if self.tick_args else (lambda: inst.process_event(event, params))
            outbox.begin_item()
            ok, value = self.guarded(index, call)
            del event, call
            if not ok:
                outbox.end_item(["f", value])
            elif value is None:
                outbox.end_item(["n"])
            else:
                try:
                    outbox.end_item(["r", encode_payload(value)])
                except PayloadError as err:
                    outbox.end_item(["f", f"PayloadError: {err}"])
            value = None
        kept = not self.segment.release()
        outbox.flush(done=True, **({"kept": True} if kept else {}))

    def on_results(self, message: dict[str, Any]) -> None:
        self.set_parameters(message)
        inst, params, outbox = self.instance, self.parameters, self.outbox
        outbox.begin_batch()
        for index, (number, worker, digest, payload) in enumerate(message["items"]):
            try:
                result = ResultData(event_number=number, worker=worker, parameters_hash=digest, payload=self.decoder.decode(payload))
            except Exception as err:  # a payload that does not decode fails its result only
                outbox.end_item(["f", f"payload does not decode: {type(err).__name__}: {err}"])
                continue
            outbox.begin_item()
            ok, value = self.guarded(index, lambda: inst.process_result(result, params))
            outbox.end_item(["n"] if ok else ["f", value])
        extra: dict[str, Any] = {"done": True}
        if message.get("publish") or time.monotonic() - self.last_publish >= message.get("publishS", 0.2):
            extra["publish"] = self.publish_bytes()
        outbox.flush(**extra)

    def on_timer(self, message: dict[str, Any]) -> dict[str, Any]:
        self.set_parameters(message)
        timer = getattr(self.instance, "timer", None)
        if not callable(timer):
            return {"outcome": ["n"], "next": 1.0, "publish": self.publish_bytes()}
        ok, value = self.guarded(0, (lambda: timer(self.parameters)) if self.timer_args else timer)
        if not ok:
            return {"outcome": ["f", value], "publish": self.publish_bytes()}
        next_s = value if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else 1
        return {"outcome": ["n"], "next": float(next_s), "publish": self.publish_bytes()}

    def on_finish(self, message: dict[str, Any]) -> dict[str, Any]:
        self.set_parameters(message)
        finish = getattr(self.instance, "finish", None)
        reply: dict[str, Any] = {"ok": True}
        if callable(finish):
            params = self.parameters
            ok, value = self.guarded(0, (lambda: finish(params)) if positional_arity(finish) >= 1 else finish)
            if not ok:
                reply = {"error": f"finish() failed: {value}"}
        if self.role == "reducer":
            reply["publish"] = self.publish_bytes()
        return reply

    def on_snapshot(self, _message: dict[str, Any]) -> dict[str, Any]:
        snap = getattr(self.instance, "snapshot_state", None)
        ok, value = self.guarded(0, snap if callable(snap) else lambda: {k: v for k, v in vars(self.instance).items() if not k.startswith("__")})
        if not ok:
            return {"error": f"snapshot_state() failed: {value}"}
        try:
            return {"state": encode_payload(value)}
        except PayloadError as err:
            return {"error": f"the state cannot be encoded: {err}"}

    def on_restore(self, message: dict[str, Any]) -> dict[str, Any]:
        state = self.decoder.decode(message["state"])
        restore = getattr(self.instance, "restore_state", None)
        if callable(restore):
            ok, value = self.guarded(0, lambda: restore(state))
        else:
            ok, value = self.guarded(0, lambda: [setattr(self.instance, k, v) for k, v in state.items()])
        reply: dict[str, Any] = {"ok": True} if ok else {"error": f"restore_state() failed: {value}"}
        if ok and self.role == "reducer":
            reply["publish"] = self.publish_bytes()
        return reply

    def on_publish(self, _message: dict[str, Any]) -> dict[str, Any]:
        return {"publish": self.publish_bytes()}

    def on_close(self, _message: dict[str, Any]) -> dict[str, Any]:
        close = getattr(self.instance, "close", None)
        if callable(close):
            ok, value = self.guarded(0, lambda: close(self.context))
            if not ok:
                return {"error": f"close() failed: {value}"}
        return {"ok": True}

    def serve(self) -> int:
        handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "begin": self.on_begin, "events": self.on_events, "results": self.on_results, "timer": self.on_timer,
            "finish": self.on_finish, "snapshot": self.on_snapshot, "restore": self.on_restore,
            "publish": self.on_publish, "close": self.on_close,
        }
        while True:
            message = self.channel.receive()
            if message is None:
                return 0
            self.request += 1
            op = message.get("op")
            try:
                reply = handlers[op](message)
            except MemoryCapExceeded as err:
                self.outbox.flush()
                self.channel.send({"crashed": str(err)})
                return 3
            except PayloadError as err:
                reply = {"error": f"PayloadError: {err}"}
            if reply is not None:
                self.channel.send(reply)
            if op == "close":
                return 0


def shadowed_dranspose() -> Optional[str]:
    """Where another ``dranspose`` package is installed, if the interpreter has one besides
    ours: ours would shadow it silently, so the host refuses to start (docs/python.md)."""
    import importlib.machinery

    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    others = [p for p in sys.path if os.path.abspath(p or ".") != ours]
    spec = importlib.machinery.PathFinder.find_spec("dranspose", others)
    if spec is None or spec.origin is None:
        return None
    return os.path.dirname(spec.origin)


def refuse_if_shadowed(channel: Channel) -> bool:
    """Send the load error and say so when another ``dranspose`` is installed (docs/python.md)."""
    other = shadowed_dranspose()
    if other is None:
        return False
    channel.send({
        "code": "MODULE_INVALID",
        "error": f"a dranspose package is installed at {other}; beamloom's compatibility package would shadow it. "
        "Run with an interpreter without it (BEAMLOOM_PYTHON) or uninstall it",
    })
    return True


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="beamloom.host")
    parser.add_argument("--role", choices=["worker", "reducer"], required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--class", dest="cls", required=True)
    parser.add_argument("--progress")
    parser.add_argument("--memory-mib", type=float)
    args = parser.parse_args(argv)
    channel = Channel()
    if args.memory_mib:
        cap = int(args.memory_mib * (1 << 20))
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    if refuse_if_shadowed(channel):
        return 2
    try:
        module = import_user_module(args.module)
        method = "process_event" if args.role == "worker" else "process_result"
        cls = find_class(module, os.path.abspath(args.module), args.cls, method, args.role)
        parameters = describe_parameters(cls, args.module)
    except LoadError as err:
        channel.send({"error": str(err), "code": err.code})
        return 2
    # Mapped before "ready": the engine removes the file's path once it has the answer.
    progress = Progress(args.progress)
    channel.send({"ready": True, "parameters": parameters, "python": sys.version.split()[0]})
    host = Host(args.role, args.module, cls, channel, progress, args.memory_mib)
    return host.serve()


if __name__ == "__main__":
    sys.exit(main())
