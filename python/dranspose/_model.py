"""A small stand-in for the pydantic models Dranspose's data classes are built on.

Fields are the class annotations (inherited ones first); a class attribute of the same name is
the default. Literal fields identify a message kind, so a union can dispatch on them. Extra
keys are kept as attributes when the class allows them, as Dranspose's ``extra="allow"``.
Validation is deliberately small: required fields, literal values, and int/float/str/bool/list
checks, which is what the wire messages need.
"""

from __future__ import annotations

import json
import typing
from datetime import datetime
from typing import Any, ClassVar, Literal, Optional, Union, get_args, get_origin


class ValidationError(ValueError):
    """A message that does not fit the model (missing field, wrong kind, wrong type)."""


_MISSING = object()


def _check(name: str, value: Any, annotation: Any) -> Any:
    origin = get_origin(annotation)
    if annotation is Any or annotation is object:
        return value
    if origin is Literal:
        if value not in get_args(annotation):
            raise ValidationError(f"{name}: expected one of {get_args(annotation)}, got {value!r}")
        return value
    if origin in (Union, getattr(__import__("types"), "UnionType", Union)):
        errors = []
        for arg in get_args(annotation):
            if arg is type(None):
                if value is None:
                    return None
                continue
            try:
                return _check(name, value, arg)
            except ValidationError as err:
                errors.append(str(err))
        raise ValidationError("; ".join(errors) or f"{name}: {value!r} does not fit")
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise ValidationError(f"{name}: expected a list, got {type(value).__name__}")
        (item,) = get_args(annotation) or (Any,)
        return [_check(name, v, item) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise ValidationError(f"{name}: expected a dict, got {type(value).__name__}")
        return value
    if annotation is bool:
        if not isinstance(value, bool):
            raise ValidationError(f"{name}: expected a bool, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ValidationError(f"{name}: expected an int, got {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError(f"{name}: expected a number, got {value!r}")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ValidationError(f"{name}: expected a string, got {value!r}")
        return value
    if annotation is datetime:
        if isinstance(value, datetime):
            return value
        if isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        raise ValidationError(f"{name}: expected a date-time, got {value!r}")
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return value if isinstance(value, annotation) else annotation(**value)
    return value


def _json_value(value: Any) -> Any:
    """What ``json`` cannot write by itself: date-times, models, numpy values and arrays."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, Model):
        return value.model_dump()
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class Model:
    """Base of the message models: keyword construction, checked fields, ``model_dump()``."""

    extra_allowed: ClassVar[bool] = False
    _hints: ClassVar[dict[str, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hints = typing.get_type_hints(cls)
        cls._hints = {k: v for k, v in hints.items() if get_origin(v) is not ClassVar and not k.startswith("_") and k != "extra_allowed"}

    def __init__(self, **values: Any) -> None:
        for name, annotation in self._hints.items():
            if name in values:
                value = _check(name, values.pop(name), annotation)
            else:
                default = getattr(type(self), name, _MISSING)
                if default is _MISSING:
                    raise ValidationError(f"{type(self).__name__}: field '{name}' is missing")
                value = list(default) if isinstance(default, list) else default
            object.__setattr__(self, name, value)
        if values and not self.extra_allowed:
            raise ValidationError(f"{type(self).__name__}: unexpected fields {sorted(values)}")
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def literals(cls) -> dict[str, tuple[Any, ...]]:
        """The Literal fields of the model and their allowed values."""
        return {k: get_args(v) for k, v in cls._hints.items() if get_origin(v) is Literal}

    def model_dump(self) -> dict[str, Any]:
        """The fields and extra attributes as a dict."""
        return dict(vars(self))

    def model_dump_json(self, exclude: Optional[set[str]] = None) -> str:
        """The fields as JSON (date-times in ISO 8601), without the names in ``exclude``."""
        fields = {k: v for k, v in vars(self).items() if k not in (exclude or set())}
        return json.dumps(fields, default=_json_value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class PacketUnion:
    """Dispatch a decoded message to the first model whose Literal fields it matches
    (Dranspose's ``TypeAdapter(A | B | C)``)."""

    def __init__(self, *models: type[Model]) -> None:
        self.models = models

    def validate_python(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError(f"expected a dict, got {type(value).__name__}")
        errors = []
        for model in self.models:
            literals = model.literals()
            if all(value.get(k, getattr(model, k, _MISSING)) in allowed for k, allowed in literals.items()):
                try:
                    return model(**value)
                except ValidationError as err:
                    errors.append(str(err))
        names = ", ".join(m.__name__ for m in self.models)
        raise ValidationError(f"message fits none of {names}: " + ("; ".join(errors) or repr(value)[:200]))

    def validate_json(self, data: bytes | bytearray | memoryview | str) -> Any:
        text = bytes(data).decode("utf-8") if not isinstance(data, str) else data
        return self.validate_python(json.loads(text))
