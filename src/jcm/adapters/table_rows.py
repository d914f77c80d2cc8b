"""Reading whole tables row by row (for `jcm log verify`): every column, by name, streamed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select

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
    result = connection.execute(query.execution_options(yield_per=PAGE))
    try:
        for row in result:
            yield {
                name: bytes(value) if isinstance(value, memoryview) else value
                for name, value in row._mapping.items()
            }
    finally:  # also when the caller stops early: release the server-side cursor
        result.close()
