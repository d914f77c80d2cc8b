"""Monitoring data from a spreadsheet (XLSX via openpyxl) or CSV, shaped like a monitoring sheet.

Layout (one monitoring period per row, the first row is the header)::

    period_start | period_end | EG_p [kWh] | ...
    2025-01-01   | 2025-01-31 | 61234      |

Each value column is headed ``NAME [UNIT]``; the unit travels with every value so the
methodology can convert or refuse it. In an XLSX workbook the sheet named ``monitoring`` is
read (or the first sheet). Every error names the sheet, the row, the column and what was
expected, and nothing is computed from a sheet with any error.

Sheets arrive as bytes (the entry point reads the file with a size limit) and are read
within bounds (``jcm.domain.limits``): an XLSX's members may not unpack beyond
``MAX_SHEET_UNPACKED_BYTES``, and at most ``MAX_SHEET_ROWS`` rows and
``MAX_SHEET_COLUMNS`` columns are read whatever the sheet's stored dimension claims.
This module is the adapter behind the service layer's ``MonitoringSheets`` port.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jcm.domain import limits
from jcm.domain.errors import InvalidInput, JcmError
from jcm.domain.methodologies import Methodology, ParameterKind

SHEET = "monitoring"
_HEADER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*\[\s*([^\]]+?)\s*\]\s*$")


@dataclass(frozen=True)
class SheetRow:
    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    start: date
    end: date
    values: dict[str, tuple[str, str]]  # parameter -> (decimal text, unit)
    columns: dict[str, str]  # parameter -> column letter


def _bad(sheet: str, row: int, column: str, message: str, **details: Any) -> InvalidInput:
    return InvalidInput(
        "S2_BAD_CELL",
        f"Sheet {sheet!r} row {row} column {column}: {message}",
        sheet=sheet,
        row=row,
        column=column,
        **details,
    )


def _too_large(sheet: str, what: str, **details: Any) -> InvalidInput:
    return InvalidInput(
        "S1_SHEET_TOO_LARGE", f"Sheet {sheet!r} is too large: {what}.", sheet=sheet, **details
    )


def _bounded(rows: Iterator[Sequence[Any]], sheet: str) -> Iterator[Sequence[Any]]:
    """Stop at the row limit and refuse a value beyond the column limit."""
    for number, row in enumerate(rows, start=1):
        if number > limits.MAX_SHEET_ROWS:
            raise _too_large(
                sheet, f"more than {limits.MAX_SHEET_ROWS:,} rows", max_rows=limits.MAX_SHEET_ROWS
            )
        if any(v is not None and v != "" for v in row[limits.MAX_SHEET_COLUMNS :]):
            raise _too_large(
                sheet,
                f"row {number} has values beyond column {limits.MAX_SHEET_COLUMNS}",
                max_columns=limits.MAX_SHEET_COLUMNS,
            )
        yield row[: limits.MAX_SHEET_COLUMNS]


def _csv_rows(data: bytes, name: str) -> Iterator[Sequence[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "S1_BAD_SHEET",
            f"{name} is not UTF-8 text (byte {error.start}).",
            sheet=name,
        ) from None
    csv.field_size_limit(max(len(data), csv.field_size_limit()))  # the file's size bounds it
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise InvalidInput(
            "S1_BAD_SHEET", f"{name} is not a readable CSV file: {error}.", sheet=name
        ) from None


def _column_letter(number: int) -> str:
    """The spreadsheet letter of 1-based column ``number``. openpyxl (about 0.1 s to import)
    is imported by the functions that read or write sheets, not by every command."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def _xlsx_rows(data: bytes, name: str) -> tuple[str, Iterator[Sequence[Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput(
            "S1_BAD_SHEET", f"{name} is not an XLSX workbook (corrupt or truncated).", sheet=name
        ) from None
    if unpacked > limits.MAX_SHEET_UNPACKED_BYTES:
        raise _too_large(name, f"it unpacks to {unpacked:,} bytes", unpacked_bytes=unpacked)
    try:
        from openpyxl import load_workbook  # lazily: see _column_letter

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the stored dimension (it may claim A1:XFD1048576)
        rows = sheet.iter_rows(
            max_row=limits.MAX_SHEET_ROWS + 1,
            max_col=limits.MAX_SHEET_COLUMNS + 1,
            values_only=True,
        )
        read = list(_bounded(iter(rows), sheet.title))
        workbook.close()
    except JcmError:
        raise
    except Exception as error:  # openpyxl raises many kinds on damaged workbooks
        raise InvalidInput(
            "S1_BAD_SHEET",
            f"{name} is not a readable XLSX workbook ({type(error).__name__}).",
            sheet=name,
        ) from None
    return str(sheet.title), iter(read)


def _rows(data: bytes, name: str) -> tuple[str, Iterator[Sequence[Any]]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return name, iter(list(_bounded(_csv_rows(data, name), name)))
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(data, name)
    raise InvalidInput(
        "S1_BAD_SHEET",
        f"{name}: monitoring data must be an .xlsx workbook or a .csv file.",
        path=name,
    )


def _date(value: Any, sheet: str, row: int, column: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _bad(
            sheet, row, column, f"{value!r} is not a date; expected YYYY-MM-DD.", value=str(value)
        ) from None


def _number(value: Any, sheet: str, row: int, column: str, name: str, unit: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _bad(
            sheet, row, column, f"{name} is missing; expected a number in {unit}.", parameter=name
        )
    if isinstance(value, float):
        # Spreadsheet numbers arrive as floats; their shortest repr is what the cell shows.
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise _bad(
            sheet,
            row,
            column,
            f"{value!r} is not a number; expected {name} in {unit}.",
            parameter=name,
            value=str(value),
        ) from None
    try:
        limits.check_decimal(number, name)
    except InvalidInput:
        raise _bad(
            sheet, row, column, f"{value!r} is not a finite number in range.", parameter=name
        ) from None
    return str(number)


def read_monitoring_sheet(path: Path) -> list[SheetRow]:
    """Read a sheet file (tests and tools; entry points go through the service)."""
    if not path.is_file():
        raise InvalidInput(
            "S1_BAD_SHEET", f"Monitoring file {path} does not exist.", path=str(path)
        )
    return parse_monitoring_sheet(path.read_bytes(), path.name)


def parse_monitoring_sheet(data: bytes, name: str) -> list[SheetRow]:
    sheet, rows = _rows(data, name)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("S1_BAD_SHEET", f"Sheet {sheet!r} is empty.", sheet=sheet)
    names = [str(h).strip() if h is not None else "" for h in header]
    if names[:2] != ["period_start", "period_end"]:
        raise InvalidInput(
            "S1_BAD_SHEET",
            f"Sheet {sheet!r} row 1 must start with the columns period_start, period_end; "
            f"found {names[:2]}.",
            sheet=sheet,
        )
    parameters: list[tuple[int, str, str]] = []
    for index, title in enumerate(names[2:], start=2):
        if not title:
            continue
        match = _HEADER.match(title)
        if match is None:
            raise InvalidInput(
                "S1_BAD_SHEET",
                f"Sheet {sheet!r} row 1 column {_column_letter(index + 1)}: header "
                f"{title!r} must be NAME [UNIT], e.g. 'EG_p [kWh]'.",
                sheet=sheet,
                column=_column_letter(index + 1),
            )
        parameters.append((index, match[1], match[2]))
    if not parameters:
        raise InvalidInput("S1_BAD_SHEET", f"Sheet {sheet!r} has no value columns.", sheet=sheet)
    out = []
    for number, cells in enumerate(rows, start=2):
        padded = list(cells) + [None] * (len(names) - len(cells))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in padded):
            continue  # blank line
        start = _date(padded[0], sheet, number, "A")
        end = _date(padded[1], sheet, number, "B")
        values: dict[str, tuple[str, str]] = {}
        columns: dict[str, str] = {}
        for index, name, unit in parameters:
            letter = _column_letter(index + 1)
            values[name] = (_number(padded[index], sheet, number, letter, name, unit), unit)
            columns[name] = letter
        out.append(SheetRow(sheet, number, start, end, values, columns))
    if not out:
        raise InvalidInput(
            "S1_BAD_SHEET", f"Sheet {sheet!r} has no monitoring periods.", sheet=sheet
        )
    return out


def write_monitoring_template(path: Path, methodology: Methodology) -> list[str]:
    data, headers = monitoring_template(methodology, path.name)
    path.write_bytes(data)
    return headers


def monitoring_template(methodology: Methodology, name: str) -> tuple[bytes, list[str]]:
    """A blank monitoring sheet for ``methodology``: the layout ``read_monitoring_sheet`` reads.

    XLSX gets a second sheet, ``parameters``, describing every parameter (kind, unit, allowed
    range, confirmation status); CSV gets the header row only. Returns the column headers.
    """
    monitored = [p for p in methodology.parameters if p.kind is ParameterKind.MONITORED]
    headers = ["period_start", "period_end", *(f"{p.name} [{p.unit}]" for p in monitored)]
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        text = io.StringIO(newline="")
        csv.writer(text).writerow(headers)
        return text.getvalue().encode("utf-8"), headers
    if suffix != ".xlsx":
        raise InvalidInput(
            "S1_BAD_SHEET",
            f"A monitoring sheet is written as .xlsx or .csv, not {suffix or 'no suffix'}.",
            path=name,
        )
    from openpyxl import Workbook  # lazily: see _column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(headers)
    about = workbook.create_sheet("parameters")
    about.append(["parameter", "kind", "unit", "range", "confirmation", "description"])
    for p in methodology.parameters:
        about.append(
            [p.name, p.kind.value, p.unit, str(p.range), p.confirmation.value, p.description]
        )
    about.append([])
    about.append([f"{methodology.id} v{methodology.version}: {methodology.title}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), headers


class OpenpyxlMonitoringSheets:
    """The ``MonitoringSheets`` port: XLSX through openpyxl, CSV through the csv module."""

    def read(self, data: bytes, name: str) -> list[SheetRow]:
        return parse_monitoring_sheet(data, name)

    def template(self, methodology: Methodology, name: str) -> tuple[bytes, list[str]]:
        return monitoring_template(methodology, name)
