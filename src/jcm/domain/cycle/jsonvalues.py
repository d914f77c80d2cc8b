"""Plain JSON values for transparency-log events: no floats, no dates, no Decimals."""

from __future__ import annotations

from typing import TypeAlias

JsonValue: TypeAlias = str | int | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
Event: TypeAlias = dict[str, JsonValue]


def is_plain_json(value: object) -> bool:
    """True when ``value`` holds only str, int, bool, None, lists and str-keyed dicts."""
    if value is None or isinstance(value, str | int | bool):
        return True
    if isinstance(value, list):
        return all(is_plain_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain_json(v) for k, v in value.items())
    return False
