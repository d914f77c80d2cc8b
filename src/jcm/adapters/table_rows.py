"""Reading whole tables row by row (for `jcm log verify`): every column, by name, streamed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, LargeBinary, select

from jcm.adapters import schema as t

PAGE = 5000


def table_rows(
    connection: Connection,
    table: str,
    order_by: Sequence[str] | None = None,
    where: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` as {column: value}, ordered by ``order_by`` (default: its
    primary key), read ``PAGE`` rows at a time so memory does not grow with the table."""
    found = t.metadata.tables[table]
    columns = order_by or [c.name for c in found.primary_key.columns]
    query = select(found).order_by(*(found.c[name] for name in columns))
    for name, value in (where or {}).items():
        query = query.where(found.c[name] == value)
    binary = [
        position
        for position, column in enumerate(found.columns)
        if isinstance(column.type, LargeBinary)
    ]
    result = connection.execute(query.execution_options(yield_per=PAGE))
    names = list(result.keys())
    try:
        for row in result:
            values = list(row)
            for position in binary:  # PostgreSQL drivers may give memoryview
                if isinstance(values[position], memoryview):
                    values[position] = bytes(values[position])
            yield dict(zip(names, values, strict=True))
    finally:  # also when the caller stops early: release the server-side cursor
        result.close()


def table_tuples(
    connection: Connection, table: str, columns: Sequence[str], order_by: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    """The named columns of every row as plain tuples (for the largest tables: no dicts)."""
    found = t.metadata.tables[table]
    query = select(*(found.c[name] for name in columns)).order_by(
        *(found.c[name] for name in order_by)
    )
    result = connection.execute(query.execution_options(yield_per=PAGE))
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()
