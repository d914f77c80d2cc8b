"""Calculation records: what was computed, from what, by which code, in canonical bytes.

A record holds every input (value and unit as given, and as used), every default used (with
its table, version, source and confirmation flag), every intermediate step (quantized), the
methodology id and version, and the SHA-256 of the source code of the methodology module and
of the shared engine modules that computed it.

``canonical()`` is JSON with sorted keys, no whitespace, UTF-8, every number as a string
(except the credited whole tonnes, an integer): the same inputs give byte-identical bytes,
and ``digest`` is the SHA-256 of those bytes. For the value types used here (objects with
ASCII keys, arrays, strings, integers, booleans, null) the bytes are also RFC 8785 (JCS).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from jcm.domain.registry.issuance import MonitoringPeriod

RECORD_SCHEMA = "jcm.methodology.calculation/1"

_encoder = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def canonical_bytes(body: Mapping[str, Any]) -> bytes:
    return _encoder.encode(body).encode("utf-8")


def json_text(value: Any) -> str:
    """The canonical JSON text of ``value`` (as in :func:`canonical_bytes`)."""
    return _encoder.encode(value)


# The JSON text of a string, exactly as the canonical encoder writes it.
string_text: Callable[[str], str] = encode_basestring


class Splicer:
    """Canonical bytes of a record body whose per-period members come as JSON texts.

    The members that are the same for every period of a project (methodology, facts, fixed
    values, defaults) are encoded once and all sort before the members that change per
    period (``monitored``, ``period``, ``results``, ``steps``). The canonical text is the
    static text without its closing brace, then the per-period members in key order: byte-
    identical to encoding the whole body at once (a test checks it on every family).
    """

    __slots__ = ("_hash", "_keys", "_prefix")

    def __init__(self, static: Mapping[str, Any], dynamic_keys: frozenset[str]) -> None:
        if not static or not dynamic_keys or max(static) >= min(dynamic_keys):
            raise ValueError("every static key must sort before every dynamic key")
        self._prefix = _encoder.encode(static)[:-1].encode("utf-8")
        self._hash = hashlib.sha256(self._prefix)  # copied, then fed the per-period part
        self._keys = tuple((key, "," + string_text(key) + ":") for key in sorted(dynamic_keys))

    def encode(self, texts: Mapping[str, str]) -> tuple[bytes, str]:
        """The canonical bytes and their SHA-256 (hex).

        ``texts`` maps each per-period member to its canonical JSON text.
        """
        if len(texts) != len(self._keys):
            raise ValueError(f"per-period members {sorted(texts)} != {[k for k, _ in self._keys]}")
        tail = ("".join(head + texts[key] for key, head in self._keys) + "}").encode("utf-8")
        digest = self._hash.copy()
        digest.update(tail)
        return self._prefix + tail, digest.hexdigest()


@functools.cache
def module_sha256(*module_names: str) -> str:
    """SHA-256 (hex) of the source text of the named, already imported modules, in order."""
    digest = hashlib.sha256()
    for name in module_names:
        digest.update(name.encode("utf-8") + b"\n")
        digest.update(inspect.getsource(sys.modules[name]).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class CalculationRecord:
    methodology: str
    version: str
    period: MonitoringPeriod | None
    re: Decimal  # reference emissions, tCO2, 6 dp
    pe: Decimal  # project emissions, tCO2, 6 dp
    er_unrounded: Decimal  # RE − PE, tCO2, 6 dp, may be negative
    er: int  # credited: floor to whole tCO2, clamped at 0
    body: Mapping[str, Any]
    canonical_json: bytes
    digest: str  # SHA-256 hex of canonical_json
    # The illustrative items of the calculation (``"id"`` and/or default parameters whose
    # value is a placeholder), also in the body's ``illustrative`` member; empty if none.
    illustrative: tuple[str, ...] = ()

    def canonical(self) -> bytes:
        return self.canonical_json

    def step(self, name: str) -> Decimal:
        """An intermediate value of the record by its symbol, e.g. ``"EF_RE"``."""
        for step in self.body["steps"]:
            if step["name"] == name:
                return Decimal(step["value"])
        raise KeyError(name)
