"""Public lists: an allow-list of filters and columns, and the same rows as HTML, CSV, XLSX.

Each list declares its filters as the page's query parameters; anything else is refused
(400, ``H2_UNKNOWN_FILTER``), never silently ignored. ``_columns=a,b`` chooses the
exported columns from the list's own (``H2_UNKNOWN_COLUMN`` otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.responses import StreamingResponse

from jcm.domain.errors import BadQuery
from jcm.entrypoints.api.routing import declared_query, unknown_query
from jcm.entrypoints.web.export import csv_page_response, csv_response, xlsx_response

Row = TypeVar("Row")
COLUMNS_PARAMETER = "_columns"
MAX_COLUMNS_PARAMETER = 2000


def refuse_unknown_filter(request: Request) -> None:
    """The pages' check of the query string (the gate runs it before the page)."""
    unknown = unknown_query(request)
    if unknown:
        raise BadQuery(
            "H2_UNKNOWN_FILTER",
            f"Unknown filter {unknown[0]!r}; this list takes "
            + (", ".join(declared_query(request)) or "none")
            + ".",
            unknown=unknown,
            allowed=declared_query(request),
        )


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of a list: its stable key (CSV header, ``_columns``), its label (a
    message id, translated when shown) and how a row gives its value."""

    key: str
    label: str
    value: Callable[[Row], Any]
    numeric: bool = False


def chosen_columns(
    columns: Sequence[Column[Row]], requested: str | None
) -> tuple[Column[Row], ...]:
    """The columns named by ``_columns`` (comma separated), in that order; all by default."""
    if requested is None or not requested.strip():
        return tuple(columns)
    by_key = {column.key: column for column in columns}
    keys = [key.strip() for key in requested[:MAX_COLUMNS_PARAMETER].split(",") if key.strip()]
    unknown = [key for key in keys if key not in by_key]
    if unknown:
        raise BadQuery(
            "H2_UNKNOWN_COLUMN",
            f"Unknown column {unknown[0]!r}; this list has " + ", ".join(by_key) + ".",
            unknown=unknown,
            allowed=list(by_key),
        )
    return tuple(by_key[key] for key in dict.fromkeys(keys))


def table(rows: Iterable[Row], columns: Sequence[Column[Row]]) -> Iterable[list[Any]]:
    """The rows as lists of values, in column order (what the exports write)."""
    for row in rows:
        yield [column.value(row) for column in columns]


def export(
    kind: str,
    name: str,
    columns: Sequence[Column[Row]],
    requested: str | None,
    rows: Iterable[Row],
) -> StreamingResponse:
    """A list as a streamed ``kind`` file (``csv`` or ``xlsx``) named ``jcm-{name}.{kind}``,
    with the columns ``_columns`` asks for (all by default)."""
    chosen = chosen_columns(columns, requested)
    header = [column.key for column in chosen]
    if kind == "xlsx":
        return xlsx_response(f"jcm-{name}.xlsx", name, header, table(rows, chosen))
    return csv_response(f"jcm-{name}.csv", header, table(rows, chosen))


def export_pages(
    kind: str,
    name: str,
    columns: Sequence[Column[Any]],
    requested: str | None,
    keys: Sequence[str],
    pages: Iterable[Sequence[Sequence[Any]]],
) -> StreamingResponse:
    """``export`` for a list whose service gives its rows ready as cells named by ``keys``,
    a page at a time (the long lists): no getter called per cell. ``columns`` still name
    and order what may be chosen."""
    chosen = chosen_columns(columns, requested)
    header = [column.key for column in chosen]
    if header != list(keys):
        positions = [list(keys).index(key) for key in header]
        pages = ([[cells[i] for i in positions] for cells in page] for page in pages)
    if kind == "xlsx":
        rows = (cells for page in pages for cells in page)
        return xlsx_response(f"jcm-{name}.xlsx", name, header, rows)
    return csv_page_response(f"jcm-{name}.csv", header, pages)
