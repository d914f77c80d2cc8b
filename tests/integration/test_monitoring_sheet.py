"""Monitoring sheets (XLSX and CSV) into per-period emission reductions, with precise errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from jcm.adapters.monitoring_sheet import read_monitoring_sheet, write_monitoring_template
from jcm.domain.errors import JcmError
from jcm.domain.methodologies import get
from jcm.domain.methodologies.model import FactValue
from jcm.service_layer.methodologies.service import calculate_monitoring
from jcm.service_layer.results import to_json_object

FACTS: dict[str, FactValue] = {
    "host_country": "ID",
    "technology": "solar_pv",
    "connection": "grid",
    "grid": "jamali",
    "pv_modules_iec_certified": True,
}
FIXED = {"P_PV": ("500", "kW")}


def xlsx(path: Path, rows: list[list[object]], title: str = "monitoring") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_sheet_gives_one_record_per_month(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "m.xlsx",
        [
            ["period_start", "period_end", "EG_p [kWh]"],
            [date(2025, 1, 1), date(2025, 1, 31), 61234],
            [date(2025, 2, 1), date(2025, 2, 28), 50000],
        ],
    )
    result = calculate_monitoring("ID_AM901", FACTS, FIXED, read_monitoring_sheet(path))
    # The same per-month reductions as the methodology's worked example: 37 + 30.
    assert [p.emission_reductions for p in result.periods] == [37, 30]
    assert result.total_emission_reductions == 67
    assert [p.row for p in result.periods] == [2, 3]


def test_a_csv_sheet_reads_the_same_as_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("period_start,period_end,EG_p [MWh]\n2025-01-01,2025-01-31,61.234\n")
    result = calculate_monitoring("ID_AM901", FACTS, FIXED, read_monitoring_sheet(path))
    assert result.periods[0].emission_reductions == 37


@pytest.mark.parametrize(
    ("rows", "code", "where"),
    [
        (
            [["period_start", "period_end", "EG_p [kWh]"], ["2025-01-01", "2025-01-31", "lots"]],
            "S2_BAD_CELL",
            "row 2 column C",
        ),
        (
            [["period_start", "period_end", "EG_p [kWh]"], ["2025-01-01", "2025-01-31", None]],
            "S2_BAD_CELL",
            "row 2 column C: EG_p is missing",
        ),
        (
            [["period_start", "period_end", "EG_p [kWh]"], ["2025-13-01", "2025-01-31", 5]],
            "S2_BAD_CELL",
            "row 2 column A",
        ),
        (
            [["start", "end", "EG_p [kWh]"], ["2025-01-01", "2025-01-31", 5]],
            "S1_BAD_SHEET",
            "must start with the columns period_start, period_end",
        ),
        (
            [["period_start", "period_end", "EG_p kWh"], ["2025-01-01", "2025-01-31", 5]],
            "S1_BAD_SHEET",
            "column C",
        ),
        (
            [["period_start", "period_end", "EG_p [m3]"], ["2025-01-01", "2025-01-31", 5]],
            "M3_WRONG_UNIT",
            "row 2 column C (EG_p)",
        ),
        (
            [["period_start", "period_end", "EG_p [kWh]"], ["2025-01-01", "2025-01-31", -5]],
            "M2_OUT_OF_RANGE",
            "row 2 column C (EG_p)",
        ),
        (
            [
                ["period_start", "period_end", "EG_p [kWh]"],
                ["2025-01-01", "2025-01-31", 5],
                ["2025-01-15", "2025-02-15", 5],
            ],
            "M9_OVERLAPPING_PERIODS",
            "rows 2 and 3",
        ),
    ],
)
def test_a_bad_sheet_is_refused_naming_the_sheet_row_and_column(
    tmp_path: Path, rows: list[list[object]], code: str, where: str
) -> None:
    path = xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(JcmError) as caught:
        calculate_monitoring("ID_AM901", FACTS, FIXED, read_monitoring_sheet(path))
    assert caught.value.code == code
    assert "'monitoring'" in caught.value.message
    assert where in caught.value.message


def test_the_monitoring_sheet_is_found_by_name_among_others(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "cover"
    first.append(["JCM monitoring report"])
    sheet = book.create_sheet("monitoring")
    sheet.append(["period_start", "period_end", "EG_p [kWh]"])
    sheet.append(["2025-01-01", "2025-01-31", 61234])
    book.save(tmp_path / "report.xlsx")
    rows = read_monitoring_sheet(tmp_path / "report.xlsx")
    assert [(r.sheet, r.row, r.values["EG_p"]) for r in rows] == [
        ("monitoring", 2, ("61234", "kWh"))
    ]


def test_a_blank_template_filled_in_reads_back_as_the_methodology_expects(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chiller.xlsx"
    headers = write_monitoring_template(path, get("ID_AM002", "1.0"))
    book = load_workbook(path)
    book["monitoring"].append([date(2025, 1, 1), date(2025, 1, 31), 250])
    book.save(path)

    rows = read_monitoring_sheet(path)

    assert headers == ["period_start", "period_end", "EC_PJ_p [MWh]"]
    assert [(r.start, r.end, r.values) for r in rows] == [
        (date(2025, 1, 1), date(2025, 1, 31), {"EC_PJ_p": ("250", "MWh")})
    ]
    described = [row[0].value for row in book["parameters"].iter_rows(min_row=2, max_row=4)]
    assert described[0] == "EC_PJ_p"


def test_a_template_is_written_only_as_xlsx_or_csv(tmp_path: Path) -> None:
    with pytest.raises(JcmError) as refused:
        write_monitoring_template(tmp_path / "sheet.ods", get("KE_AM002", "1.0"))

    assert refused.value.code == "S1_BAD_SHEET"
    assert not (tmp_path / "sheet.ods").exists()


def test_a_sheet_calculation_names_its_illustrative_items_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("period_start,period_end,EG_p [MWh]\n2025-01-01,2025-01-31,61.234\n")
    result = calculate_monitoring("ID_AM901", FACTS, FIXED, read_monitoring_sheet(path))
    # ID_AM901 is an illustrative identifier; the mark is its item name, as in a record.
    assert result.illustrative == ("id",)
    assert to_json_object(result)["illustrative"] == ["id"]
