"""Monitoring data from a spreadsheet (XLSX via openpyxl) or CSV, shaped like a monitoring sheet.

Layout (one monitoring period per row, the first row is the header)::

    period_start | period_end | EG_p [kWh] | ...
    2025-01-01   | 2025-01-31 | 61234      |

Each value column is headed ``NAME [UNIT]``; the unit travels with every value so the
methodology can convert or refuse it. In an XLSX workbook the sheet named ``monitoring`` is
read (or the first sheet). Every error names the sheet, the row, the column and what was
expected, and nothing is computed from a sheet with any error.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from jcm.domain.errors import InvalidInput
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


def _rows(path: Path) -> tuple[str, Iterator[Sequence[Any]]]:
    if not path.is_file():
        raise InvalidInput(
            "S1_BAD_SHEET", f"Monitoring file {path} does not exist.", path=str(path)
        )
    if path.suffix.lower() == ".csv":
        text = path.read_text(encoding="utf-8-sig").splitlines()
        return path.name, iter(list(csv.reader(text)))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
        return sheet.title, iter(rows)
    raise InvalidInput(
        "S1_BAD_SHEET",
        f"{path.name}: monitoring data must be an .xlsx workbook or a .csv file.",
        path=str(path),
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
    if not number.is_finite():
        raise _bad(sheet, row, column, f"{value!r} is not a finite number.", parameter=name)
    return str(number)


def read_monitoring_sheet(path: Path) -> list[SheetRow]:
    sheet, rows = _rows(path)
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
                f"Sheet {sheet!r} row 1 column {get_column_letter(index + 1)}: header "
                f"{title!r} must be NAME [UNIT], e.g. 'EG_p [kWh]'.",
                sheet=sheet,
                column=get_column_letter(index + 1),
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
            letter = get_column_letter(index + 1)
            values[name] = (_number(padded[index], sheet, number, letter, name, unit), unit)
            columns[name] = letter
        out.append(SheetRow(sheet, number, start, end, values, columns))
    if not out:
        raise InvalidInput(
            "S1_BAD_SHEET", f"Sheet {sheet!r} has no monitoring periods.", sheet=sheet
        )
    return out


def write_monitoring_template(path: Path, methodology: Methodology) -> list[str]:
    """A blank monitoring sheet for ``methodology``: the layout ``read_monitoring_sheet`` reads.

    XLSX gets a second sheet, ``parameters``, describing every parameter (kind, unit, allowed
    range, confirmation status); CSV gets the header row only. Returns the column headers.
    """
    monitored = [p for p in methodology.parameters if p.kind is ParameterKind.MONITORED]
    headers = ["period_start", "period_end", *(f"{p.name} [{p.unit}]" for p in monitored)]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow(headers)
        return headers
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(
            "S1_BAD_SHEET",
            f"A monitoring sheet is written as .xlsx or .csv, not {path.suffix or 'no suffix'}.",
            path=str(path),
        )
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
    workbook.save(path)
    return headers
