"""The AEF's exported forms: the stacked CSV, the JSON form, the digest and the XLSX workbook,
on a report made by hand."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import rfc8785
from openpyxl import load_workbook

from jcm.adapters.aef.xlsx import OpenpyxlReportFiles
from jcm.domain.aef import formats
from jcm.domain.aef.formats import ReportTables
from jcm.domain.aef.submissions import next_version
from jcm.domain.aef.tables import (
    TABLE_COLUMNS,
    TABLE_TITLES,
    ActionRow,
    AuthorizationRow,
    BlockAttributes,
    EntityRow,
    HoldingRow,
    PartyReport,
    SubmissionRow,
)
from jcm.domain.errors import InvalidInput


def block(first: int, last: int) -> BlockAttributes:
    return BlockAttributes(
        "CA0001", "KE-AUTH-1", "KEN", "JPN01", first, last, "JCM", first, last,
        "GHG", "AR5", "NA", last - first + 1, "NA", "Emission reductions", 2025,
    )  # fmt: skip


def sample_report(version: str = "1.0", submitted_on: date | None = None) -> PartyReport:
    authorisation = AuthorizationRow(
        "KE-AUTH-1", date(2025, 2, 1), "CA0001", 1, 1000, "GHG", "AR5", "NA",
        ("Energy industries",), ("Renewable energy",), "NDC", ("JPN",), ("E-1",),
        "NA", "2024 - 2030", 'Terms, with a comma and a "quote"', "NA",
    )  # fmt: skip
    acquisition = ActionRow(
        datetime(2025, 6, 1, 12, 0, tzinfo=UTC), "Acquisition", "", block(1, 400),
        transferring_party="KEN", explanation="KE-KE-JCM-KE001-2025-1-1-400\nsecond line",
    )  # fmt: skip
    return PartyReport(
        "JP",
        2025,
        SubmissionRow("JPN", version, 2025, submitted_on, 2021, 2030),
        (authorisation,),
        (acquisition,),
        (HoldingRow(block(1, 400)),),
        (EntityRow(date(2025, 2, 1), "Kaisha Ltd. — 株式会社", "JPN", "E-1", "CA0001"),),
    )


def test_the_csv_stacks_the_five_tables_each_with_title_header_and_rows() -> None:
    data = formats.csv_bytes(ReportTables.of(sample_report()))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row == []:
            blocks.append([])
        else:
            blocks[-1].append(row)
    assert [b[0] for b in blocks] == [[title] for title in TABLE_TITLES]
    assert [tuple(b[1]) for b in blocks] == list(TABLE_COLUMNS)
    assert [len(b) - 2 for b in blocks] == [1, 1, 1, 1, 1]
    assert blocks[1][2][15] == 'Terms, with a comma and a "quote"'
    assert blocks[4][2][1] == "Kaisha Ltd. — 株式会社"


def test_the_csv_ends_lines_with_crlf_and_quotes_only_what_rfc_4180_requires() -> None:
    data = formats.csv_bytes(ReportTables.of(sample_report()))
    assert data.startswith(b"Table 1 Submission\r\nParty,Version,Reported year,")
    assert b'"Terms, with a comma and a ""quote"""' in data
    assert b'"KE-KE-JCM-KE001-2025-1-1-400\nsecond line"' in data  # a line break: quoted
    assert data.endswith(b"\r\n")
    assert not data.endswith(b"\r\n\r\n")
    assert b"\r\n\r\nTable 2 Authorizations\r\n" in data
    assert not data.startswith(b"\xef\xbb\xbf")


def test_the_json_form_is_rfc_8785_canonical_and_reads_back() -> None:
    tables = ReportTables.of(sample_report())
    data = formats.json_bytes(tables)
    value = json.loads(data)
    assert data == rfc8785.dumps(value)
    assert value["format"] == "jcm-aef/2"
    assert (value["party"], value["year"], value["version"]) == ("JP", 2025, "1.0")
    assert [t["title"] for t in value["tables"]] == list(TABLE_TITLES)
    assert ReportTables.from_json_value(value) == tables


def test_a_document_of_another_format_is_not_read_as_a_report() -> None:
    value = ReportTables.of(sample_report()).json_value()
    with pytest.raises(ValueError, match="jcm-aef/2"):
        ReportTables.from_json_value({**value, "format": "other/1"})


def test_the_digest_is_the_sha256_of_the_csv_then_the_json_bytes() -> None:
    tables = ReportTables.of(sample_report())
    both = formats.csv_bytes(tables) + formats.json_bytes(tables)
    assert formats.digest(tables) == hashlib.sha256(both).hexdigest()


def test_the_digest_changes_with_any_cell_and_with_the_date_of_submission() -> None:
    base = formats.digest(ReportTables.of(sample_report()))
    dated = formats.digest(ReportTables.of(sample_report(submitted_on=date(2026, 3, 1))))
    report = sample_report()
    other = replace(report, holdings=(HoldingRow(block(1, 399)),))
    assert len({base, dated, formats.digest(ReportTables.of(other))}) == 3


def test_differing_tables_names_the_tables_and_the_first_row_and_column() -> None:
    a = ReportTables.of(sample_report())
    b = ReportTables.of(replace(sample_report(), holdings=(HoldingRow(block(1, 399)),)))
    assert formats.differing_tables(a, b) == ["Table 4 Holdings"]
    row, column = formats.first_difference(a.tables[3], b.tables[3], TABLE_COLUMNS[3])
    assert (row, column) == (1, "ITMO block Last ID")
    assert formats.first_difference(a.tables[3], (), TABLE_COLUMNS[3]) == (1, "")
    assert formats.first_difference(a.tables[3], a.tables[3], TABLE_COLUMNS[3]) == (None, "")


def test_the_workbook_has_one_sheet_per_table_with_a_bold_frozen_header() -> None:
    tables = ReportTables.of(sample_report())
    book = load_workbook(io.BytesIO(OpenpyxlReportFiles().xlsx_bytes(tables)))
    assert book.sheetnames == list(TABLE_TITLES)
    for sheet, columns, rows in zip(book.worksheets, TABLE_COLUMNS, tables.tables, strict=True):
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert tuple(values[0]) == columns
        # every cell is the CSV's text; an empty one is an empty cell
        assert [tuple("" if c is None else c for c in v) for v in values[1:]] == list(rows)
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])


def test_the_workbook_is_byte_identical_for_the_same_report() -> None:
    tables = ReportTables.of(sample_report())
    files = OpenpyxlReportFiles()
    assert files.xlsx_bytes(tables) == files.xlsx_bytes(tables)


def test_versions_go_1_0_then_1_1_and_a_malformed_one_is_refused() -> None:
    assert next_version([]) == "1.0"
    assert next_version(["1.0"]) == "1.1"
    assert next_version(["1.0", "1.1", "1.9"]) == "1.10"
    with pytest.raises(InvalidInput) as refused:
        next_version(["v1"])
    assert refused.value.code == "R4_BAD_VERSION"
