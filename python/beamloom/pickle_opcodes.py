"""The opcode loop of the data-only pickle reader (protocols 0–5, without out-of-band
buffers). Globals, calls and BUILD are delegated to the caller's allow-listed handlers."""

from __future__ import annotations

import ast
import struct
from typing import Any, Callable


class _Input:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        from beamloom.pickle_data import PickleError

        if n < 0 or self.pos + n > len(self.data):
            raise PickleError(f"pickle is truncated at byte {self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def line(self) -> bytes:
        from beamloom.pickle_data import PickleError

        end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise PickleError(f"pickle is truncated at byte {self.pos}")
        out = self.data[self.pos : end]
        self.pos = end + 1
        return out

    def u(self, fmt: str) -> int:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]


def _text_int(line: bytes) -> Any:
    text = line.decode("ascii").rstrip("L")
    if text == "00":
        return False
    if text == "01":
        return True
    return int(text)


def _quoted(line: bytes) -> bytes:
    from beamloom.pickle_data import PickleError

    text = line.decode("latin-1")
    if len(text) < 2 or text[0] not in "'\"" or text[-1] != text[0]:
        raise PickleError("pickle: STRING is not quoted")
    value = ast.literal_eval(text)  # a string literal only: checked quoted above
    if not isinstance(value, str):
        raise PickleError("pickle: STRING is not a string literal")
    return value.encode("latin-1")


def run_opcodes(
    data: bytes,
    find_global: Callable[[str, str], Any],
    call: Callable[[Any, Any], Any],
    build: Callable[[Any, Any], Any],
    mark: object,
) -> Any:
    from beamloom.pickle_data import PickleError

    src = _Input(data)
    stack: list[Any] = []
    memo: dict[int, Any] = {}

    def pop_mark() -> list[Any]:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is mark:
                items = stack[i + 1 :]
                del stack[i:]
                return items
        raise PickleError("pickle: no MARK on the stack")

    def top() -> Any:
        if not stack:
            raise PickleError("pickle: stack underflow")
        return stack[-1]

    def pop() -> Any:
        if not stack:
            raise PickleError("pickle: stack underflow")
        return stack.pop()

    def set_items(target: Any, items: list[Any]) -> None:
        if not isinstance(target, dict) or len(items) % 2:
            raise PickleError("pickle: SETITEMS on something that is not a dict")
        for i in range(0, len(items), 2):
            key = items[i]
            target[tuple(key) if isinstance(key, list) else key] = items[i + 1]

    while True:
        op = src.take(1)
        if op == b".":  # STOP
            if len(stack) != 1:
                raise PickleError("pickle: STOP with a stack that is not one value")
            return stack[0]
        elif op == b"\x80":  # PROTO
            src.take(1)
        elif op == b"\x95":  # FRAME
            src.take(8)
        elif op == b"(":
            stack.append(mark)
        elif op == b"0":
            pop()
        elif op == b"1":
            pop_mark()
        elif op == b"2":
            stack.append(top())
        elif op == b"N":
            stack.append(None)
        elif op == b"\x88":
            stack.append(True)
        elif op == b"\x89":
            stack.append(False)
        elif op == b"I":
            stack.append(_text_int(src.line()))
        elif op == b"L":
            stack.append(int(src.line().decode("ascii").rstrip("L")))
        elif op == b"J":
            stack.append(src.u("<i"))
        elif op == b"K":
            stack.append(src.u("<B"))
        elif op == b"M":
            stack.append(src.u("<H"))
        elif op == b"\x8a":  # LONG1
            stack.append(int.from_bytes(src.take(src.u("<B")), "little", signed=True))
        elif op == b"\x8b":  # LONG4
            stack.append(int.from_bytes(src.take(src.u("<i")), "little", signed=True))
        elif op == b"F":
            stack.append(float(src.line()))
        elif op == b"G":
            stack.append(src.u(">d"))
        elif op == b"S":
            stack.append(_quoted(src.line()))
        elif op == b"T":
            stack.append(src.take(src.u("<i")))
        elif op == b"U":
            stack.append(src.take(src.u("<B")))
        elif op == b"V":
            stack.append(src.line().decode("raw_unicode_escape"))
        elif op == b"X":
            stack.append(src.take(src.u("<I")).decode("utf-8", "surrogatepass"))
        elif op == b"\x8c":
            stack.append(src.take(src.u("<B")).decode("utf-8", "surrogatepass"))
        elif op == b"\x8d":
            stack.append(src.take(src.u("<Q")).decode("utf-8", "surrogatepass"))
        elif op == b"B":
            stack.append(src.take(src.u("<I")))
        elif op == b"C":
            stack.append(src.take(src.u("<B")))
        elif op == b"\x8e":
            stack.append(src.take(src.u("<Q")))
        elif op == b"\x96":  # BYTEARRAY8
            stack.append(bytearray(src.take(src.u("<Q"))))
        elif op == b"]":
            stack.append([])
        elif op == b"a":
            value = pop()
            target = top()
            if not isinstance(target, list):
                raise PickleError("pickle: APPEND to something that is not a list")
            target.append(value)
        elif op == b"e":
            items = pop_mark()
            target = top()
            if not isinstance(target, list):
                raise PickleError("pickle: APPENDS to something that is not a list")
            target.extend(items)
        elif op == b"l":
            stack.append(pop_mark())
        elif op == b")":
            stack.append(())
        elif op == b"t":
            stack.append(tuple(pop_mark()))
        elif op in (b"\x85", b"\x86", b"\x87"):
            n = op[0] - 0x84
            if len(stack) < n:
                raise PickleError("pickle: stack underflow")
            items = tuple(stack[-n:])
            del stack[-n:]
            stack.append(items)
        elif op == b"}":
            stack.append({})
        elif op == b"d":
            items = pop_mark()
            out: dict[Any, Any] = {}
            set_items(out, items)
            stack.append(out)
        elif op == b"s":
            value, key = pop(), pop()
            set_items(top(), [key, value])
        elif op == b"u":
            items = pop_mark()
            set_items(top(), items)
        elif op == b"\x8f":  # EMPTY_SET
            stack.append(set())
        elif op == b"\x90":  # ADDITEMS
            items = pop_mark()
            target = top()
            if not isinstance(target, set):
                raise PickleError("pickle: ADDITEMS to something that is not a set")
            target.update(items)
        elif op == b"\x91":  # FROZENSET
            stack.append(frozenset(pop_mark()))
        elif op == b"c":
            module = src.line().decode("utf-8")
            stack.append(find_global(module, src.line().decode("utf-8")))
        elif op == b"\x93":  # STACK_GLOBAL
            name, module = pop(), pop()
            if not isinstance(module, str) or not isinstance(name, str):
                raise PickleError("pickle: STACK_GLOBAL needs two strings")
            stack.append(find_global(module, name))
        elif op == b"R":
            args = pop()
            stack.append(call(pop(), args))
        elif op == b"\x81":  # NEWOBJ
            args = pop()
            stack.append(call(pop(), args))
        elif op == b"b":
            state = pop()
            target = pop()
            built = build(target, state)
            if built is not target:  # a numpy array replaces its builder, in the memo too
                for key, value in memo.items():
                    if value is target:
                        memo[key] = built
            stack.append(built)
        elif op == b"g":
            key = int(src.line())
            if key not in memo:
                raise PickleError(f"pickle: memo {key} is not set")
            stack.append(memo[key])
        elif op in (b"h", b"j"):
            key = src.u("<B") if op == b"h" else src.u("<I")
            if key not in memo:
                raise PickleError(f"pickle: memo {key} is not set")
            stack.append(memo[key])
        elif op == b"p":
            memo[int(src.line())] = top()
        elif op == b"q":
            memo[src.u("<B")] = top()
        elif op == b"r":
            memo[src.u("<I")] = top()
        elif op == b"\x94":  # MEMOIZE
            memo[len(memo)] = top()
        else:
            raise PickleError(f"pickle: opcode {op!r} at byte {src.pos - 1} is not supported")
