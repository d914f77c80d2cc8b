"""Typed use-case results and their one JSON form.

Every service returns frozen dataclasses. :func:`to_json` turns any of them into plain JSON
(the CLI's JSON output, the coming HTTP API, the idempotency store and log events);
:func:`from_json` rebuilds the typed result from that JSON, driven by the dataclass's type
hints, so a replayed command returns the same typed value as the first run.

JSON form: a dataclass is an object of its fields in order, an enum its value, a Decimal a
string (never a float), a date or datetime its ISO 8601 text, a tuple or list an array.
A field marked with :data:`OMIT_WHEN_DEFAULT` is left out while it holds its default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from jcm.domain.cycle.jsonvalues import JsonValue

__all__ = [
    "OMIT_WHEN_DEFAULT",
    "ChangeResult",
    "JsonObject",
    "JsonValue",
    "extend",
    "from_json",
    "to_json",
    "to_json_object",
]

JsonObject = dict[str, JsonValue]
T = TypeVar("T")

OMIT_WHEN_DEFAULT: Mapping[str, bool] = types.MappingProxyType({"omit_when_default": True})


@dataclass(frozen=True)
class ChangeResult:
    """The result of a command that changes something.

    ``replayed`` is true when an idempotency key returned the stored first result and
    nothing changed; the JSON form carries it only then, as it always has.
    """

    replayed: bool = field(default=False, kw_only=True, metadata=OMIT_WHEN_DEFAULT)


def extend(cls: type[T], base: object, **extra: object) -> T:
    """A ``cls`` (a dataclass extending ``base``'s class) with ``base``'s fields and ``extra``.

    E.g. the account a command opened, as the command's result.
    """
    fields = {
        f.name: getattr(base, f.name)
        for f in dataclasses.fields(base)  # type: ignore[arg-type]
        if f.init
    }
    return cls(**{**fields, **extra})


# -- to JSON -----------------------------------------------------------------------------------


def to_json(value: object) -> JsonValue:
    """The plain-JSON form of a result (see the module docstring for the mapping)."""
    if value is None or isinstance(value, str | bool | int):
        # Enums deriving from str or int are caught here too; their value is the same text.
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_json(value)
    if isinstance(value, Mapping):
        return {_key(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [to_json(v) for v in items]
    raise TypeError(f"{type(value).__name__} has no JSON form: {value!r}")


def to_json_object(value: object) -> JsonObject:
    """:func:`to_json` of a value whose form is an object (a dataclass or a mapping)."""
    form = to_json(value)
    if not isinstance(form, dict):
        raise TypeError(f"{type(value).__name__} is not a JSON object")
    return form


def _dataclass_json(value: object) -> JsonObject:
    out: JsonObject = {}
    # Optional fields come after the result's own ones, and ``replayed`` last of all.
    fields = sorted(
        dataclasses.fields(value),  # type: ignore[arg-type]
        key=lambda f: (bool(f.metadata.get("omit_when_default")), f.name == "replayed"),
    )
    for f in fields:
        item = getattr(value, f.name)
        if f.metadata.get("omit_when_default") and item == f.default:
            continue
        out[f.name] = to_json(item)
    return out


def _key(key: object) -> str:
    if isinstance(key, Enum):
        return str(key.value)
    if isinstance(key, str):
        return key
    raise TypeError(f"JSON object keys must be text, got {key!r}")


# -- from JSON ---------------------------------------------------------------------------------


def from_json(cls: type[T], data: JsonValue) -> T:
    """Rebuild a ``cls`` (a dataclass) from its :func:`to_json` form."""
    built: T = _decode(cls, data)
    return built


@cache
def _hints(cls: type) -> dict[str, Any]:
    # JsonValue refers to itself by name; let its inner references resolve anywhere.
    return typing.get_type_hints(cls, localns={"JsonValue": JsonValue})


def _decode(hint: Any, data: Any) -> Any:
    """Decode ``data`` as the type ``hint``; JSON-typed fields pass through unchanged."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _decode_union(typing.get_args(hint), data)
    if origin in (list, tuple, dict):
        return _decode_container(origin, typing.get_args(hint), data, hint)
    if hint is Any or hint is object:
        return data
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _decode_dataclass(hint, _expect(dict, data, hint))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(data)
    return _decode_scalar(hint, data)


def _decode_container(origin: Any, args: tuple[Any, ...], data: Any, hint: Any) -> Any:
    if origin is dict:
        return {k: _decode(args[1], v) for k, v in _expect(dict, data, hint).items()}
    item = args[0] if args else Any
    items = [_decode(item, v) for v in _expect(list, data, hint)]
    return tuple(items) if origin is tuple else items


# Types written as text in the JSON form, and how to read them back.
_FROM_TEXT: dict[Any, Callable[[str], object]] = {
    Decimal: Decimal,
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
}


def _decode_scalar(hint: Any, data: Any) -> Any:
    if hint in _FROM_TEXT:
        return _FROM_TEXT[hint](_expect(str, data, hint))
    if hint is bool or hint is str:
        return _expect(hint, data, hint)
    if hint is int and not isinstance(data, bool):
        return _expect(int, data, hint)
    raise TypeError(f"cannot rebuild {hint!r} from {data!r}")


def _decode_union(args: tuple[Any, ...], data: Any) -> Any:
    if data is None and type(None) in args:
        return None
    others = [a for a in args if a is not type(None)]
    if len(others) == 1:
        return _decode(others[0], data)
    # A union of several JSON kinds (JsonValue): the data is already in its final form.
    return data


def _decode_dataclass(cls: type, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    kwargs = {
        f.name: _decode(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)
        if f.init and f.name in data
    }
    return cls(**kwargs)


def _expect(kind: type[T], data: object, hint: object) -> T:
    if not isinstance(data, kind):
        raise TypeError(f"expected {hint!r}, got {data!r}")
    return data
