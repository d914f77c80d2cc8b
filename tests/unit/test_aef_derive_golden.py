"""Golden tables: both Parties' AEF for 2025 and 2026 of the worked scenario in
``aef_golden.py``, derived from hand-written ledger facts, compared cell by cell."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from aef_golden import (
    ADJUSTMENT_SPANS,
    FACTS,
    NDC_AUTH_1,
    OPENING,
    _tx,
    adjustment_spans,
    at,
    expected_tables,
)

from jcm.domain.aef.checks import check_reports
from jcm.domain.aef.derive import build_report, build_reports
from jcm.domain.aef.facts import Register
from jcm.domain.aef.ledger_walk import LedgerWalkError

CASES = [("KE", 2025), ("JP", 2025), ("KE", 2026), ("JP", 2026)]
TABLES = ("Table 1", "Table 2", "Table 3", "Table 4", "Table 5")


@pytest.mark.parametrize(("party", "year"), CASES)
def test_each_table_of_each_report_is_the_hand_derived_one(party: str, year: int) -> None:
    report = build_report(FACTS, party, year)
    expected = expected_tables(party, year)
    for title, got, want in zip(TABLES, report.tables(), expected, strict=True):
        assert list(got) == list(want), f"{party} {year} {title}"


@pytest.mark.parametrize(("party", "year"), CASES)
def test_the_opening_holdings_are_the_table_4_of_the_year_before(party: str, year: int) -> None:
    report = build_report(FACTS, party, year)
    assert tuple(r.cells() for r in report.opening) == OPENING[(party, year)]


@pytest.mark.parametrize(("party", "year"), CASES)
def test_the_adjustments_are_those_recorded_for_the_reported_year(party: str, year: int) -> None:
    report = build_report(FACTS, party, year)
    assert adjustment_spans(report.adjustments) == ADJUSTMENT_SPANS[(party, year)]
    assert all(a.reporting_year == year and a.approach_id == "CA0001" for a in report.adjustments)


def test_the_action_rows_name_the_ledger_transaction_they_come_from() -> None:
    report = build_report(FACTS, "KE", 2025)
    assert [r.transaction_id for r in report.actions] == [4, 5, 6, 6, 8, 9]


def test_a_submitted_report_carries_its_version_and_date() -> None:
    report = build_report(FACTS, "JP", 2025, version="2.1", submitted_on=date(2026, 4, 10))
    assert report.submission.cells()[:4] == ("JPN", "2.1", "2025", "2026-04-10")


def test_facts_cut_at_the_end_of_the_year_give_the_same_rows_but_no_late_adjustment() -> None:
    end = datetime(2026, 1, 1, tzinfo=UTC)
    early = replace(FACTS, transactions=tuple(t for t in FACTS.transactions if t.at < end))
    full, cut = build_report(FACTS, "KE", 2025), build_report(early, "KE", 2025)
    assert cut.tables() == full.tables()
    assert cut.adjustments == ()


def test_a_year_without_actions_keeps_the_holdings_unchanged() -> None:
    report = build_report(FACTS, "JP", 2027)
    assert report.actions == ()
    assert report.holdings == report.opening
    assert len(report.holdings) == 4


def test_an_empty_register_still_gives_rows_with_the_registry_codes() -> None:
    bare = replace(FACTS, register=Register())
    report = build_report(bare, "KE", 2025)
    first = report.actions[0].cells()
    assert first[3:7] == ("", "KE-AUTH-1", "KE", "KE01")
    assert report.authorizations == ()


def test_a_move_of_serials_the_source_does_not_hold_is_refused() -> None:
    wrong = replace(FACTS.transactions[4], source="KE-GOV")
    broken = replace(FACTS, transactions=(*FACTS.transactions[:4], wrong, *FACTS.transactions[5:]))
    with pytest.raises(LedgerWalkError, match="are in KE-ENT, not KE-GOV"):
        build_report(broken, "KE", 2025)


@pytest.mark.parametrize("year", [2025, 2026])
def test_both_reports_of_the_scenario_pass_every_check(year: int) -> None:
    reports = [build_report(FACTS, party, year) for party in ("JP", "KE")]
    assert check_reports(reports) == []


def test_the_checks_see_a_missing_acquisition_in_the_scenario() -> None:
    japan, kenya = (build_report(FACTS, party, 2025) for party in ("JP", "KE"))
    japan = replace(japan, actions=japan.actions[1:])
    rules = {f.rule for f in check_reports([japan, kenya])}
    assert "AEF11" in rules


@pytest.mark.parametrize("year", [2025, 2026])
def test_both_reports_from_one_walk_are_those_built_one_by_one(year: int) -> None:
    together = build_reports(FACTS, ("JP", "KE"), year)
    assert together == [build_report(FACTS, "JP", year), build_report(FACTS, "KE", year)]


def test_units_authorised_again_are_reported_once_and_the_report_still_reconciles() -> None:
    again = _tx(15, at(11, 1), "authorisation", "KE", "KE-ENT", "KE-ENT", NDC_AUTH_1, (2, 451, 500))
    facts = replace(FACTS, transactions=(*FACTS.transactions[:9], again, *FACTS.transactions[9:]))

    kenya = build_report(facts, "KE", 2025)

    authorizations = [r for r in kenya.actions if r.action_type == "Authorization"]
    assert [r.transaction_id for r in authorizations] == [4, 6]
    assert [
        f for f in check_reports([kenya, build_report(facts, "JP", 2025)]) if f.rule == "AEF12"
    ] == []
