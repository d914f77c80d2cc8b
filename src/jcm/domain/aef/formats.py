"""A report's exported forms: the stacked CSV, the JSON form for machines, and the digest.

Both forms are made from the exported cells only (:meth:`PartyReport.tables`), so a report
kept as its cells (a frozen submission) exports byte for byte as it did when it was built.

**Stacked CSV** (one file, UTF-8 without a byte-order mark, ``\\r\\n`` line ends, RFC 4180
quoting: a field is quoted only when it holds a comma, a quote or a line break): for each
of the five tables in order, its title line (``Table 1 Submission`` …), its header row, its
rows; one empty line between two tables (none after the last).

**JSON form** (``application/json``): the RFC 8785 canonical JSON (keys sorted, no
whitespace, UTF-8) of::

    {"format": "jcm-aef/2", "party": "JP", "year": 2025, "version": "1.0",
     "tables": [{"title": "Table 1 Submission", "columns": [...], "rows": [[...], ...]},
                ... five tables ...]}

``party`` is the registry code (alpha-2); every cell is a string, as in the CSV. The values
are strings, small integers and ASCII keys only, for which Python's sorted, compact,
non-ASCII-escaping encoder gives exactly the RFC 8785 bytes (a test checks it against the
``rfc8785`` package).

**Digest** of a report: the lowercase hex SHA-256 of the CSV bytes immediately followed by
the JSON bytes, i.e. of the concatenation of the two exported files::

    cat KE-2025-1.0.csv KE-2025-1.0.json | sha256sum

The XLSX workbook is a convenience view of the same cells; it is not part of the digest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jcm.domain.aef.tables import TABLE_COLUMNS, TABLE_TITLES, PartyReport

FORMAT = "jcm-aef/2"

Cells = tuple[tuple[tuple[str, ...], ...], ...]  # five tables of rows of cells

_encoder = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


@dataclass(frozen=True, slots=True)
class ReportTables:
    """A Party's report as exported: who, which year and version, and the five tables."""

    party: str  # alpha-2
    year: int
    version: str
    tables: Cells

    @classmethod
    def of(cls, report: PartyReport) -> ReportTables:
        return cls(report.party, report.year, report.submission.version, report.tables())

    def json_value(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "party": self.party,
            "year": self.year,
            "version": self.version,
            "tables": [
                {"title": title, "columns": list(columns), "rows": [list(r) for r in rows]}
                for title, columns, rows in zip(
                    TABLE_TITLES, TABLE_COLUMNS, self.tables, strict=True
                )
            ],
        }

    @classmethod
    def from_json_value(cls, value: Mapping[str, Any]) -> ReportTables:
        """The inverse of :meth:`json_value`; ``ValueError`` if it is not that form."""
        if value.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        tables = value["tables"]
        if [t["title"] for t in tables] != list(TABLE_TITLES):
            raise ValueError("the five AEF tables are not all there, in order")
        cells = tuple(tuple(tuple(str(c) for c in row) for row in t["rows"]) for t in tables)
        return cls(str(value["party"]), int(value["year"]), str(value["version"]), cells)

    def counts(self) -> dict[str, int]:
        """Rows per table (Table 1 always has one)."""
        names = ("submission", "authorizations", "actions", "holdings", "entities")
        return {name: len(rows) for name, rows in zip(names, self.tables, strict=True)}


def csv_bytes(report: ReportTables) -> bytes:
    """The stacked CSV (see the module docstring)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for number, (title, columns, rows) in enumerate(
        zip(TABLE_TITLES, TABLE_COLUMNS, report.tables, strict=True)
    ):
        if number:
            buffer.write("\r\n")
        writer.writerow([title])
        writer.writerow(columns)
        writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def json_bytes(report: ReportTables) -> bytes:
    """The canonical JSON form (see the module docstring)."""
    return _encoder.encode(report.json_value()).encode("utf-8")


def digest(report: ReportTables) -> str:
    """SHA-256 (hex) of the CSV bytes followed by the JSON bytes."""
    return hashlib.sha256(csv_bytes(report) + json_bytes(report)).hexdigest()


def differing_tables(expected: ReportTables, found: ReportTables) -> list[str]:
    """The titles of the tables whose cells differ (Table 1 also when the version does)."""
    return [
        title
        for title, a, b in zip(TABLE_TITLES, expected.tables, found.tables, strict=True)
        if a != b
    ]


def first_difference(
    expected: Sequence[tuple[str, ...]], found: Sequence[tuple[str, ...]], columns: Sequence[str]
) -> tuple[int | None, str]:
    """The first differing row (1-based) and column of one table: the first row past the
    shorter table, with no column, when only the number of rows differs; (None, "") when
    the two are equal."""
    for number, (a, b) in enumerate(zip(expected, found, strict=False), start=1):
        if a != b:
            column = next((c for c, x, y in zip(columns, a, b, strict=False) if x != y), "")
            return number, column
    if len(expected) != len(found):
        return min(len(expected), len(found)) + 1, ""
    return None, ""
