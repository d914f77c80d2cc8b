"""A difference between what the log says and what the database holds, and table comparison.

Every stored row that a log entry determines is compared column by column with the row the
log gives. A difference names the stored table, the row's key and the column (``table``,
``key``, ``column``) besides a readable entity and field, what the log says and what the
database holds, and the log index of the entry that last changed the row.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class RowSource(Protocol):
    """Stored rows of a table, streamed in key order (the ledger's ``rows``)."""

    def rows(
        self,
        table: str,
        order_by: Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]: ...

    def row_tuples(
        self, table: str, columns: Sequence[str], order_by: Sequence[str]
    ) -> Iterator[tuple[Any, ...]]: ...


@dataclass
class ClosingRows:
    """A row source that closes every cursor it opened when verify is done, also those a
    comparison stopped reading at its first difference."""

    source: RowSource
    opened: list[Iterator[Any]] = field(default_factory=list)

    def rows(
        self,
        table: str,
        order_by: Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        found = self.source.rows(table, order_by, where)
        self.opened.append(found)
        return found

    def row_tuples(
        self, table: str, columns: Sequence[str], order_by: Sequence[str]
    ) -> Iterator[tuple[Any, ...]]:
        found = self.source.row_tuples(table, columns, order_by)
        self.opened.append(found)
        return found

    def close(self) -> None:
        for found in self.opened:
            if isinstance(found, Generator):
                found.close()
        self.opened.clear()


@dataclass(frozen=True)
class Divergence:
    index: int | None  # log index of the entry that last changed the entity
    entity: str
    field: str
    expected: Any  # what replaying the log gives
    found: Any  # what the database holds
    table: str | None = None  # the stored table, its row key and column
    key: str | None = None
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "entity": self.entity,
            "field": self.field,
            "expected": _plain(self.expected),
            "found": _plain(self.found),
            "table": self.table,
            "key": self.key,
            "column": self.column,
            "message": self.describe(),
        }

    def describe(self) -> str:
        where = f"entry {self.index}" if self.index is not None else "no log entry"
        at = f" [{self.table} {self.key} {self.column}]" if self.table else ""
        return (
            f"{where}: {self.entity} {self.field}: the log says {self.expected!r}, "
            f"the database holds {self.found!r}{at}"
        )


def _plain(value: Any) -> Any:
    """Values a JSON report can carry (timestamps as ISO text, bytes as hex)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def key_text(key: Any) -> str:
    """A row key as verify reports it: the primary-key values joined by '/'."""
    if isinstance(key, tuple):
        return "/".join(str(part) for part in key)
    return str(key)


def existence(index: int | None, entity: str, in_log: bool, table: str, key: Any) -> Divergence:
    return Divergence(
        index,
        entity,
        "existence",
        "present" if in_log else "absent",
        "absent" if in_log else "present",
        table,
        key_text(key),
        None,
    )


@dataclass(frozen=True)
class TableSpec:
    """How one table is compared: its key columns, how to name a row, what it's called."""

    table: str
    key_columns: tuple[str, ...]
    entity: Callable[[Any], str]
    field_names: Mapping[str, str] | None = None  # column -> reported field (legacy names)

    def key_of(self, row: Mapping[str, Any]) -> Any:
        if len(self.key_columns) == 1:
            return row[self.key_columns[0]]
        return tuple(row[c] for c in self.key_columns)


def differ_row(
    spec: TableSpec,
    key: Any,
    expected: Mapping[str, Any],
    found: Mapping[str, Any],
    index: int | None,
) -> Divergence | None:
    """The first column whose stored value is not what the log gives."""
    names = spec.field_names or {}
    for column, value in expected.items():
        if column.startswith("_"):
            continue  # bookkeeping of the replay, not a column
        stored = found.get(column)
        if value != stored:
            return Divergence(
                index,
                spec.entity(key),
                names.get(column, column),
                value,
                stored,
                spec.table,
                key_text(key),
                column,
            )
    return None


def compare_table(
    spec: TableSpec,
    expected: Mapping[Any, Mapping[str, Any]],
    found: Iterable[Mapping[str, Any]],
    touched: Callable[[Any], int | None],
    check: Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Divergence | None] | None = None,
) -> Divergence | None:
    """Compare every stored row (streamed) with the rows the log gives; report the first
    extra, missing or different row. ``check`` adds a comparison beyond equal columns."""
    seen: set[Any] = set()
    for row in found:
        key = spec.key_of(row)
        wanted = expected.get(key)
        if wanted is None or key in seen:
            return existence(touched(key), spec.entity(key), False, spec.table, key)
        seen.add(key)
        problem = differ_row(spec, key, wanted, row, touched(key))
        if problem is None and check is not None:
            problem = check(key, wanted, row)
        if problem is not None:
            return problem
    for key in expected:
        if key not in seen:
            return existence(touched(key), spec.entity(key), True, spec.table, key)
    return None


_KEY_COLUMNS = frozenset({"key_id", "name", "verifier", "created_at", "retired_at"})


def key_chain_divergence(
    index: int | None, entity: str, field: str, expected: Any, found: Any
) -> Divergence:
    """A break in the chain of signing keys, naming the ``log_keys`` row where it is one."""
    if entity.startswith("log key "):
        key = entity.removeprefix("log key ")
        column = field if field in _KEY_COLUMNS else None
        return Divergence(index, entity, field, expected, found, "log_keys", key, column)
    return Divergence(index, entity, field, expected, found)
