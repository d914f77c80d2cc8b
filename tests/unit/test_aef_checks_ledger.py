"""AEF11–AEF14: reports reconcile with their holdings, their adjustments and each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from aef_check_support import (
    CA,
    YEAR,
    block,
    japan,
    kenya,
    where,
    with_action,
    with_action_block,
    without_action,
)

from jcm.domain.aef.checks import check_report, check_reports
from jcm.domain.aef.tables import AdjustmentFact, PartyReport

Pair = Callable[[], tuple[PartyReport, PartyReport]]


def test_the_good_pair_of_reports_passes_every_check_with_no_failure() -> None:
    assert check_reports([kenya(), japan()]) == []


def test_a_failure_reads_as_a_dictionary_naming_rule_party_table_row_and_column() -> None:
    failure = check_report(with_action(japan(), 2, ndc_year=None))[0]

    assert failure.as_dict() == {
        "rule": "AEF02",
        "party": "JP",
        "table": 3,
        "row": 2,
        "column": "Calendar year for which ITMOs are used towards the NDC",
        "message": failure.message,
    }


# --- AEF11 ------------------------------------------------------------------------------
AEF11_CASES: dict[str, tuple[Pair, list[tuple[str, str, int, int | None, str]], str]] = {
    "acquisition an hour later than the first transfer": (
        lambda: (kenya(), with_action(japan(), 1, at=japan().actions[0].at + timedelta(hours=1))),
        [
            ("AEF11", "KE", 3, 2, "Acquiring participating Party ID"),
            ("AEF11", "JP", 3, 1, "Transferring participating Party ID"),
        ],
        "ITMO ids 1–250 (250) of CA0001",
    ),
    "transfer naming another first transferring Party than the acquisition": (
        lambda: (kenya(), with_action_block(japan(), 3, first_transferring_party="TZA")),
        [
            ("AEF11", "JP", 3, 3, "Acquiring participating Party ID"),
            ("AEF11", "KE", 3, 3, "Transferring participating Party ID"),
        ],
        "ITMO ids 51–80 (30)",
    ),
    "transfer to a Party whose report is not given": (
        lambda: (kenya(), with_action(japan(), 3, acquiring_party="TZA")),
        [("AEF11", "KE", 3, 3, "Transferring participating Party ID")],
        '"JPN" reports no First transfer or Transfer',
    ),
    "acquisition from a Party that did not send it": (
        lambda: (kenya(), with_action(japan(), 1, transferring_party="MNG")),
        [("AEF11", "KE", 3, 2, "Acquiring participating Party ID")],
        '"JPN" reports no Acquisition',
    ),
}


@pytest.mark.parametrize("case", list(AEF11_CASES))
def test_a_transfer_without_its_matching_acquisition_is_aef11(case: str) -> None:
    pair, expected, text = AEF11_CASES[case]

    failures = check_reports(pair())

    assert sorted(where(failures)) == sorted(expected)
    assert all(text in f.message for f in failures)


def test_a_first_transfer_to_a_party_whose_report_is_not_given_is_not_judged() -> None:
    assert check_reports([kenya()]) == []
    assert check_reports([japan()]) == []


def test_reports_of_different_years_are_not_matched_for_aef11() -> None:
    later = replace(japan(), year=YEAR + 1)

    failures = check_reports([kenya(), later])

    assert [f for f in failures if f.rule == "AEF11"] == []


# --- AEF12 ------------------------------------------------------------------------------
def test_an_action_missing_from_table_3_unbalances_the_holdings_and_is_aef12() -> None:
    failures = check_report(without_action(japan(), 4))  # the cancellation of 81–100

    assert where(failures) == [("AEF12", "JP", 4, None, "Quantity (t CO2 eq)")]
    assert "CA0001 vintage 2024" in failures[0].message
    assert "from 0 at the end of 2024 to 150 at the end of 2025 (+150)" in failures[0].message
    assert "add up to +170" in failures[0].message


def test_a_missing_opening_holding_is_aef12() -> None:
    failures = check_report(replace(kenya(), opening=()))

    assert where(failures) == [("AEF12", "KE", 4, None, "Quantity (t CO2 eq)")]
    assert "from 0" in failures[0].message


def test_an_authorisation_of_units_held_abroad_does_not_change_the_hosts_holdings() -> None:
    # Kenya authorising 501–600 in Japan's registry: a row for Kenya, no Kenyan holding.
    report = kenya()
    abroad = replace(report.actions[0], block=block(501, 600, registry="JPN01"))

    assert check_report(replace(report, actions=(*report.actions, abroad))) == []


# --- AEF13 ------------------------------------------------------------------------------
def test_ids_used_by_japan_and_cancelled_by_kenya_are_aef13() -> None:
    # Kenya's voluntary cancellation moved from 51–60 to 41–50, which Japan used.
    failures = check_reports([japan(), with_action_block(kenya(), 4, first_id=41, last_id=50)])

    assert where(failures) == [("AEF13", "KE", 3, 4, "ITMO block First ID")]
    assert "ITMO ids 41–50 of CA0001" in failures[0].message
    assert "Table 3 row 2 of the report of JP for 2025" in failures[0].message


def test_ids_used_and_cancelled_within_one_report_are_aef13() -> None:
    # Japan's cancellation moved from 81–100 to 41–60, partly inside its use of 1–50.
    failures = check_reports([with_action_block(japan(), 4, first_id=41, last_id=60)])

    assert where(failures) == [("AEF13", "JP", 3, 4, "ITMO block First ID")]
    assert "ITMO ids 41–50" in failures[0].message


def test_ids_used_in_two_years_are_aef13_across_the_years() -> None:
    # In 2026 Japan cancels 1–20, which it already used in 2025.
    cancelled = with_action_block(japan(), 4, first_id=1, last_id=20).actions[3]
    next_year = replace(japan(), year=YEAR + 1, actions=(cancelled,), holdings=())

    failures = [f for f in check_reports([japan(), next_year]) if f.rule == "AEF13"]

    assert where(failures) == [("AEF13", "JP", 3, 1, "ITMO block First ID")]
    assert "ITMO ids 1–20" in failures[0].message
    assert "Table 3 row 2 of the report of JP for 2025" in failures[0].message


# --- AEF14 ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "adjustments",
    [
        (AdjustmentFact(CA, 401, 450, YEAR, 22),),
        (AdjustmentFact(CA, 1, 250, YEAR - 1, 21), AdjustmentFact(CA, 401, 450, YEAR, 22)),
        (AdjustmentFact(CA, 1, 200, YEAR, 21), AdjustmentFact(CA, 401, 450, YEAR, 22)),
    ],
    ids=["missing", "for another year", "partial"],
)
def test_a_first_transfer_without_its_corresponding_adjustment_is_aef14(
    adjustments: tuple[AdjustmentFact, ...],
) -> None:
    failures = check_report(replace(kenya(), adjustments=adjustments))

    assert where(failures) == [("AEF14", "KE", 3, 2, "ITMO block First ID")]
    assert "first-transferred in 2025 have no corresponding adjustment" in failures[0].message
    partial = adjustments[0].last_id == 200
    assert ("ITMO ids 201–250" if partial else "ITMO ids 1–250") in failures[0].message


def test_an_adjustment_beyond_the_first_transfers_of_the_year_is_aef14() -> None:
    adjustments = (AdjustmentFact(CA, 1, 260, YEAR, 21), AdjustmentFact(CA, 401, 450, YEAR, 22))

    failures = check_report(replace(kenya(), adjustments=adjustments))

    assert where(failures) == [("AEF14", "KE", 3, None, "")]
    assert "transaction 21" in failures[0].message
    assert "ITMO ids 251–260 of CA0001" in failures[0].message


def test_an_adjustment_in_a_report_without_first_transfers_is_aef14() -> None:
    failures = check_report(replace(japan(), adjustments=(AdjustmentFact(CA, 1, 10, YEAR, 9),)))

    assert where(failures) == [("AEF14", "JP", 3, None, "")]
    assert "ITMO ids 1–10" in failures[0].message
