"""JC issuance decisions: monitoring periods, vintages and the double-issuance checks (I*)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcm.domain.errors import InvalidInput, IssuanceRuleViolation
from jcm.domain.registry.allocation import AllocatedLine
from jcm.domain.registry.issuance import (
    DecisionLine,
    DecisionStatus,
    IssuanceDecision,
    MonitoringPeriod,
    check_issuable,
    check_no_overlap,
    check_vintage,
    lines_for_registry,
    parse_project_id,
)


def period(start: str, end: str) -> MonitoringPeriod:
    return MonitoringPeriod(date.fromisoformat(start), date.fromisoformat(end))


def decision(
    id_: int = 3,
    p: MonitoringPeriod | None = None,
    status: DecisionStatus = DecisionStatus.PENDING,
) -> IssuanceDecision:
    return IssuanceDecision(
        id_, "KE001", p or period("2023-01-01", "2023-12-31"), 2023, 1, 1000, status
    )


def line(
    line_no: int, account: str, registry: str, quantity: int, issued_tx: int | None = None
) -> DecisionLine:
    start = None if quantity == 0 else 1 + 100 * (line_no - 1)
    end = None if start is None else start + quantity - 1
    allocated = AllocatedLine(line_no, account, Decimal(25), quantity, start, end, line_no == 1)
    return DecisionLine(3, allocated, registry, issued_tx)


# -- project ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("KE001", "KE001"), (" ke042 ", "KE042")])
def test_a_project_id_is_the_partner_code_and_three_digits_normalised_to_upper_case(
    text: str, expected: str
) -> None:
    assert parse_project_id(text) == expected


@pytest.mark.parametrize(
    "text", ["", "KE01", "KE0001", "KEN001", "K001", "001KE", "KE-001", "KEA01"]
)
def test_a_malformed_project_id_is_refused_naming_it(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_project_id(text)

    assert refused.value.code == "G1_BAD_PROJECT"
    assert repr(text) in refused.value.message
    assert refused.value.details == {"project": text}


@pytest.mark.parametrize(
    "text",
    [
        "KE\u0660\u0660\u0661",  # Arabic-Indic digits
        "KE\u0967\u0968\u0969",  # Devanagari digits
    ],
)
def test_a_project_id_with_digits_from_another_script_is_refused(text: str) -> None:
    # "KE٠٠١" would otherwise be a second project that looks like KE001 and escapes the
    # overlapping-period check (I3), which compares project ids character by character.
    with pytest.raises(InvalidInput) as refused:
        parse_project_id(text)

    assert refused.value.code == "G1_BAD_PROJECT"


def test_a_decision_s_partner_is_the_country_code_of_its_project() -> None:
    assert decision().partner == "KE"


# -- monitoring periods ---------------------------------------------------------------------


def test_a_monitoring_period_may_be_a_single_day() -> None:
    p = period("2023-05-01", "2023-05-01")

    assert str(p) == "2023-05-01..2023-05-01"


def test_a_monitoring_period_that_ends_before_it_starts_is_refused_with_i8() -> None:
    with pytest.raises(InvalidInput) as refused:
        period("2023-12-31", "2023-01-01")

    assert refused.value.code == "I8_BAD_PERIOD"
    assert "2023-12-31" in refused.value.message
    assert "2023-01-01" in refused.value.message
    assert refused.value.details == {"start": "2023-12-31", "end": "2023-01-01"}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("2023-01-01", "2023-06-30"), ("2023-07-01", "2023-12-31"), False),  # adjacent
        (("2023-01-01", "2023-06-30"), ("2023-06-30", "2023-12-31"), True),  # shared last day
        (("2023-01-01", "2023-12-31"), ("2023-03-01", "2023-03-31"), True),  # nested
        (("2023-01-01", "2023-06-30"), ("2023-03-01", "2023-09-30"), True),  # crossing
        (("2023-01-01", "2023-01-01"), ("2023-01-01", "2023-01-01"), True),  # same single day
        (("2022-01-01", "2022-12-31"), ("2024-01-01", "2024-12-31"), False),  # apart
    ],
)
def test_periods_overlap_when_they_share_at_least_one_day(
    a: tuple[str, str], b: tuple[str, str], expected: bool
) -> None:
    assert period(*a).overlaps(period(*b)) is expected
    assert period(*b).overlaps(period(*a)) is expected


DATES = st.dates(min_value=date(2013, 1, 1), max_value=date(2040, 12, 31))


@given(DATES, st.integers(0, 800), DATES, st.integers(0, 800))
def test_periods_overlap_exactly_when_some_day_lies_in_both(
    a_start: date, a_days: int, b_start: date, b_days: int
) -> None:
    a = MonitoringPeriod(a_start, a_start + timedelta(days=a_days))
    b = MonitoringPeriod(b_start, b_start + timedelta(days=b_days))
    days_a = {a.start + timedelta(days=i) for i in range(a_days + 1)}
    days_b = {b.start + timedelta(days=i) for i in range(b_days + 1)}

    assert a.overlaps(b) is bool(days_a & days_b)


def test_a_period_that_overlaps_no_earlier_decision_passes_check_no_overlap() -> None:
    existing = [
        decision(1, period("2021-01-01", "2021-12-31")),
        decision(2, period("2022-01-01", "2022-12-31"), DecisionStatus.ISSUED),
    ]

    check_no_overlap("KE001", period("2023-01-01", "2023-12-31"), existing)
    check_no_overlap("KE001", period("2023-01-01", "2023-12-31"), [])


@pytest.mark.parametrize("status", list(DecisionStatus))
def test_an_overlapping_period_is_refused_with_i3_naming_the_conflicting_decision(
    status: DecisionStatus,
) -> None:
    existing = [
        decision(1, period("2021-01-01", "2021-12-31")),
        decision(2, period("2022-01-01", "2022-12-31"), status),
    ]

    with pytest.raises(IssuanceRuleViolation) as refused:
        check_no_overlap("KE001", period("2022-12-31", "2023-12-31"), existing)

    assert refused.value.code == "I3_OVERLAPPING_PERIOD"
    assert "decision 2" in refused.value.message
    assert "2022-01-01..2022-12-31" in refused.value.message
    assert status.value in refused.value.message
    assert refused.value.details == {
        "project": "KE001",
        "period": "2022-12-31..2023-12-31",
        "conflicting_decision": 2,
        "conflicting_period": "2022-01-01..2022-12-31",
    }


# -- vintages -------------------------------------------------------------------------------


@pytest.mark.parametrize("vintage", [2022, 2023, 2024])
def test_a_vintage_is_any_year_the_monitoring_period_touches(vintage: int) -> None:
    check_vintage(vintage, period("2022-07-01", "2024-03-31"))


@pytest.mark.parametrize("vintage", [2021, 2025, 0])
def test_a_vintage_outside_the_monitoring_period_is_refused_with_i9(vintage: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_vintage(vintage, period("2022-07-01", "2024-03-31"))

    assert refused.value.code == "I9_BAD_VINTAGE"
    assert str(vintage) in refused.value.message
    assert "2022-07-01..2024-03-31" in refused.value.message
    assert refused.value.details == {"vintage": vintage, "period": "2022-07-01..2024-03-31"}


# -- issuability ----------------------------------------------------------------------------


def test_a_registry_issues_only_its_own_non_empty_lines() -> None:
    lines = [
        line(1, "JP-GOV-0001", "JP", 500),
        line(2, "KE-GOV-0001", "KE", 300),
        line(3, "JP-ENT-0001", "JP", 200),
        line(4, "JP-ENT-0002", "JP", 0),
    ]

    mine = check_issuable(decision(), "JP", lines)

    assert mine == [lines[0], lines[2]]
    assert check_issuable(decision(), "KE", lines) == [lines[1]]
    assert lines_for_registry(lines, "TZ") == []


def test_a_registry_without_a_share_cannot_issue_i2() -> None:
    lines = [line(1, "JP-GOV-0001", "JP", 1000), line(2, "KE-GOV-0001", "KE", 0)]

    with pytest.raises(IssuanceRuleViolation) as refused:
        check_issuable(decision(), "KE", lines)

    assert refused.value.code == "I2_NO_SHARE"
    assert "Decision 3" in refused.value.message
    assert "KE" in refused.value.message
    assert refused.value.details == {"decision": 3, "registry": "KE"}


def test_a_registry_that_already_issued_its_share_cannot_issue_it_again_i2() -> None:
    lines = [
        line(1, "JP-GOV-0001", "JP", 500),
        line(2, "KE-GOV-0001", "KE", 300, issued_tx=17),
        line(3, "JP-ENT-0001", "JP", 200, issued_tx=99),
    ]

    with pytest.raises(IssuanceRuleViolation) as refused:
        check_issuable(decision(), "JP", lines)

    assert refused.value.code == "I2_ALREADY_ISSUED"
    assert "transaction 99" in refused.value.message
    assert refused.value.details == {"decision": 3, "registry": "JP", "transaction": 99}


def test_the_other_side_having_issued_does_not_stop_a_registry_from_issuing() -> None:
    lines = [line(1, "JP-GOV-0001", "JP", 500, issued_tx=5), line(2, "KE-GOV-0001", "KE", 500)]

    assert check_issuable(decision(status=DecisionStatus.PARTIALLY_ISSUED), "KE", lines) == [
        lines[1]
    ]
