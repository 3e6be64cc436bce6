"""Loading the user's module and class, with one-line errors that name the file and line."""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import traceback
from types import ModuleType
from typing import Any


class LoadError(Exception):
    """A module that cannot be used; ``code`` is MODULE_NOT_FOUND or MODULE_INVALID."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _where(path: str, err: BaseException) -> str:
    """``file:line`` of the deepest traceback frame in the user's file (else the file)."""
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if os.path.abspath(frame.filename) == path:
            line = frame.lineno
    return f"{path}:{line}" if line is not None else path


def import_user_module(path: str) -> ModuleType:
    """Import ``path`` as a top-level module named after the file (its folder goes first on
    ``sys.path``, so sibling modules import as they would under Dranspose)."""
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise LoadError("MODULE_NOT_FOUND", f"no such file {path}")
    folder, name = os.path.dirname(path), os.path.splitext(os.path.basename(path))[0]
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError("MODULE_INVALID", f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        where = f"{err.filename}:{err.lineno}" if err.filename else path
        raise LoadError("MODULE_INVALID", f"{where}: SyntaxError: {err.msg}") from None
    except ModuleNotFoundError as err:
        raise LoadError(
            "MODULE_INVALID",
            f"{_where(path, err)}: missing Python package '{err.name}' ({err}); install it for the interpreter that runs the host (BEAMLOOM_PYTHON)",
        ) from None
    except Exception as err:  # any error at import is the module's: report it on one line
        raise LoadError("MODULE_INVALID", f"{_where(path, err)}: {type(err).__name__}: {err}") from None
    return module


def find_class(module: ModuleType, path: str, name: str, method: str, role: str) -> type:
    """The class ``name`` of the module, which must have ``method``."""
    value = getattr(module, name, None)
    if value is None:
        classes = sorted(k for k, v in vars(module).items() if inspect.isclass(v) and v.__module__ == module.__name__)
        raise LoadError("MODULE_INVALID", f"{path}: no class '{name}' (it defines: {', '.join(classes) or 'no classes'})")
    if not inspect.isclass(value):
        raise LoadError("MODULE_INVALID", f"{path}: '{name}' must be a {role} class, got {type(value).__name__}")
    if not callable(getattr(value, method, None)):
        raise LoadError("MODULE_INVALID", f"{path}: {role} class '{name}' has no {method}() method")
    return value


def describe_parameters(cls: type, path: str) -> list[dict[str, Any]]:
    """The class's ``describe_parameters()`` as the engine's descriptions."""
    fn = getattr(cls, "describe_parameters", None)
    if fn is None:
        return []
    try:
        described = fn()
    except Exception as err:
        raise LoadError("MODULE_INVALID", f"{_where(os.path.abspath(path), err)}: describe_parameters() raised {type(err).__name__}: {err}") from None
    out = []
    for item in described or []:
        describe = getattr(item, "describe", None)
        if describe is None:
            raise LoadError("MODULE_INVALID", f"{path}: describe_parameters() returned {item!r}, not a dranspose.parameters parameter")
        out.append(describe())
    return out


def positional_arity(fn: Any) -> int:
    """How many positional arguments a bound method takes (a large number for ``*args``)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 99
    count = 0
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            return 99
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count
