"""Versioned default-value tables: the only source of emission factors and reference values.

A user never types an emission factor. A methodology version pins table versions; a
calculation selects one entry by a key built from the project's declared facts (country,
grid, connection case, capacity band, …) and the record keeps the entry's value, unit, table
id and version, key, source citation and confirmation flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies.arithmetic import plain
from jcm.domain.methodologies.model import Confirmation

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DefaultEntry:
    value: Decimal
    source: str
    confirmation: Confirmation
    placeholder: bool = False  # an illustrative number from no source: replace before use
    note: str = ""


@dataclass(frozen=True, slots=True)
class UsedDefault:
    """One default value as a calculation used it."""

    parameter: str
    value: Decimal
    unit: str
    table: str
    table_version: str
    key: Key
    source: str
    confirmation: Confirmation
    placeholder: bool

    def as_record(self) -> dict[str, Any]:
        return {
            "value": plain(self.value),
            "unit": self.unit,
            "table": self.table,
            "table_version": self.table_version,
            "key": list(self.key),
            "source": self.source,
            "confirmation": self.confirmation.value,
            "placeholder": self.placeholder,
        }


@dataclass(frozen=True, slots=True)
class DefaultTable:
    id: str
    version: str
    title: str
    unit: str
    key_names: tuple[str, ...]
    entries: Mapping[Key, DefaultEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in self.entries:
            if len(key) != len(self.key_names):
                raise ValueError(f"table {self.id}: key {key} does not match {self.key_names}")

    def lookup(self, parameter: str, key: Key) -> UsedDefault:
        """The entry for ``key``, or ``M5_NO_DEFAULT`` listing the keys the table has."""
        entry = self.entries.get(key)
        if entry is None:
            available = ["/".join(k) for k in self.entries]
            raise InvalidInput(
                "M5_NO_DEFAULT",
                f"Default table {self.id} v{self.version} has no {parameter} for "
                f"{dict(zip(self.key_names, key, strict=True))}; it has entries for: "
                f"{', '.join(available)}. Declare a covered "
                f"{' / '.join(self.key_names)} or use a methodology version whose table "
                "covers the project.",
                parameter=parameter,
                table=self.id,
                table_version=self.version,
                key=list(key),
                available=available,
            )
        return UsedDefault(
            parameter,
            entry.value,
            self.unit,
            self.id,
            self.version,
            key,
            entry.source,
            entry.confirmation,
            entry.placeholder,
        )
