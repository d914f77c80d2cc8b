"""The checks on reports derived from ledger facts: the worked Kenya–Japan scenario of
:mod:`aef_golden` passes every check, and the checks catch what derivation cannot mend
(adjustments not yet applied, a register missing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from aef_golden import FACTS

from jcm.domain.aef.checks import check_report, check_reports
from jcm.domain.aef.derive import build_report
from jcm.domain.aef.facts import Register
from jcm.domain.aef.nomenclature import ActionType

CASES = [("KE", 2025), ("JP", 2025), ("KE", 2026), ("JP", 2026)]


def test_both_parties_derived_reports_for_both_years_pass_every_check() -> None:
    reports = [build_report(FACTS, party, year) for party, year in CASES]

    assert all(r.actions for r in reports)
    assert check_reports(reports) == []


@pytest.mark.parametrize(("party", "year"), CASES)
def test_each_derived_report_passes_the_checks_of_one_report(party: str, year: int) -> None:
    assert check_report(build_report(FACTS, party, year)) == []


def test_derived_reports_of_a_year_without_actions_pass_every_check() -> None:
    reports = [build_report(FACTS, party, 2027) for party in ("KE", "JP")]

    assert check_reports(reports) == []


def test_a_report_built_before_its_adjustments_are_applied_fails_aef14_on_each_first_transfer() -> (
    None
):
    end = datetime(2026, 1, 1, tzinfo=UTC)
    early = replace(FACTS, transactions=tuple(t for t in FACTS.transactions if t.at < end))
    report = build_report(early, "KE", 2025)
    first_transfers = [
        n for n, r in enumerate(report.actions, 1) if r.action_type == ActionType.FIRST_TRANSFER
    ]

    failures = check_report(report)

    assert first_transfers
    assert [(f.rule, f.table, f.row) for f in failures] == [
        ("AEF14", 3, n) for n in first_transfers
    ]
    assert all("no corresponding adjustment for 2025" in f.message for f in failures)


def test_a_report_derived_without_a_register_fails_the_field_and_table_2_checks() -> None:
    bare = replace(FACTS, register=Register())

    failures = check_reports([build_report(bare, party, 2025) for party in ("KE", "JP")])

    assert {f.rule for f in failures} == {"AEF02", "AEF03", "AEF05"}
    assert ("AEF03", 1, "Party") in {(f.rule, f.table, f.column) for f in failures}
    assert any('"KE01" is not in the format AAA99' in f.message for f in failures)
