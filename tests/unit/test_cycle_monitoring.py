"""Monitoring periods: report, verification, JC decision and issuance on both sides."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from test_cycle_world import (
    JC_JP,
    JC_KE,
    JC_TH,
    PA,
    PP_JP,
    PP_KE,
    PP_OUTSIDER,
    RM_JP,
    RM_KE,
    RM_TH,
    RULES,
    SECRETARIAT,
    TPE_A,
    TPE_B,
    VAL,
    K,
    Step,
    assert_plain_json_event,
    docs,
    project_before,
    registered_project,
    take,
)

from jcm.domain.cycle import (
    MONITORING_TRANSITIONS,
    Actor,
    JcDecision,
    MonitoringAction,
    MonitoringRequest,
    MonitoringState,
    Project,
    Role,
    RuleBook,
    Side,
    Transition,
    Verification,
    advance_monitoring,
    designations,
    record_decision_command,
    submit_monitoring_report,
)
from jcm.domain.cycle.jsonvalues import Event
from jcm.domain.errors import IssuanceRuleViolation, JcmError
from jcm.domain.registry.allocation import AllocationShare, allocate
from jcm.domain.registry.commands import RecordDecision
from jcm.domain.registry.issuance import DecisionStatus, IssuanceDecision, MonitoringPeriod

MA = MonitoringAction
MS = MonitoringState
PERIOD = MonitoringPeriod(date(2024, 1, 1), date(2024, 12, 31))
TPE_VALIDATOR_ONLY = Actor("TPE-F", Role.TPE, designations=designations("KE", [1], VAL))


def refused(call: Callable[[], object], code: str) -> JcmError:
    with pytest.raises(JcmError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


@dataclass(frozen=True)
class MStep:
    action: MonitoringAction
    actor: Actor
    on: date
    documents: tuple[object, ...] = ()
    payload: object = None


HAPPY: tuple[MStep, ...] = (
    MStep(MA.START_VERIFICATION, TPE_B, date(2025, 2, 1)),
    MStep(MA.VERIFY, TPE_B, date(2025, 3, 1), docs(K.VERIFICATION_REPORT), Verification(1000)),
    MStep(MA.REQUEST_ISSUANCE, PP_JP, date(2025, 3, 10), docs(K.ISSUANCE_REQUEST)),
    MStep(MA.ACCEPT_ISSUANCE_REQUEST, SECRETARIAT, date(2025, 3, 15)),
    MStep(MA.DECIDE, JC_KE, date(2025, 4, 1), payload=JcDecision(999, 2024, reference="KE-JC-7")),
    MStep(MA.RECORD_ISSUANCE, RM_JP, date(2025, 4, 10)),
    MStep(MA.RECORD_ISSUANCE, RM_KE, date(2025, 4, 11)),
)


def submit(
    project: Project,
    period: MonitoringPeriod = PERIOD,
    on: date = date(2025, 1, 15),
    *,
    actor: Actor = PP_KE,
    others: Sequence[MonitoringRequest] = (),
    decisions: Sequence[IssuanceDecision] = (),
    rules: RuleBook = RULES,
) -> MonitoringRequest:
    request, _ = submit_monitoring_report(
        project,
        period,
        actor,
        on,
        documents=docs(K.MONITORING_REPORT, tag=str(period)),
        others=others,
        decisions=decisions,
        rules=rules,
    )
    return request


def go(
    request: MonitoringRequest, project: Project, step: MStep, rules: RuleBook = RULES
) -> tuple[MonitoringRequest, Event]:
    return advance_monitoring(
        request,
        project,
        step.action,
        step.actor,
        step.on,
        documents=step.documents,  # type: ignore[arg-type]
        payload=step.payload,  # type: ignore[arg-type]
        rules=rules,
    )


@pytest.fixture(scope="module")
def project() -> Project:
    return registered_project()


def request_after(project: Project, steps: int, rules: RuleBook = RULES) -> MonitoringRequest:
    request = submit(project, rules=rules)
    for step in HAPPY[:steps]:
        request, _ = go(request, project, step, rules)
    return request


def index_of(action: MonitoringAction) -> int:
    return next(i for i, s in enumerate(HAPPY) if s.action is action)


# -- happy paths -----------------------------------------------------------------------------


def test_a_registered_project_reports_an_ended_period(project: Project) -> None:
    request, event = submit_monitoring_report(
        project, PERIOD, PP_KE, date(2025, 1, 1), documents=docs(K.MONITORING_REPORT), rules=RULES
    )

    assert (request.id, request.seq, request.state) == ("KE001-M001", 1, MS.REPORT_SUBMITTED)
    assert_plain_json_event(event, "monitoring_period.submit_report")
    change = event["change"]
    assert isinstance(change, dict)
    assert change["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert change["monitoring_period"] == "KE001-M001"


def test_the_happy_path_runs_from_report_to_issuance_on_both_sides(project: Project) -> None:
    request = submit(project)
    states = []
    for step in HAPPY:
        request, event = go(request, project, step)
        states.append(request.state)
        assert_plain_json_event(event, f"monitoring_period.{step.action.value}")

    assert states == [
        MS.UNDER_VERIFICATION,
        MS.VERIFIED,
        MS.ISSUANCE_REQUESTED,
        MS.UNDER_JC_CONSIDERATION,
        MS.DECIDED,
        MS.PARTIALLY_ISSUED,
        MS.ISSUED,
    ]
    assert request.verifier == "TPE-B"
    assert request.verified_amount == 1000
    assert request.issued_sides == {Side.JAPAN, Side.PARTNER}


def test_the_jc_decision_splits_the_amount_per_registered_shares(project: Project) -> None:
    request = request_after(project, index_of(MA.DECIDE))

    decided, event = go(request, project, HAPPY[index_of(MA.DECIDE)])

    assert [(line.account_id, line.quantity) for line in decided.lines] == [
        ("JP-GOV-0001", 501),
        ("KE-ENT-0004", 299),
        ("KE-GOV-0001", 199),
    ]
    assert decided.shares == project.shares
    change = event["change"]
    assert isinstance(change, dict)
    assert change["amount"] == 999
    assert change["vintage"] == 2024
    assert change["lines"] == [
        {
            "line": 1,
            "account": "JP-GOV-0001",
            "share_pct": "50",
            "quantity": 501,
            "receives_remainder": True,
        },
        {
            "line": 2,
            "account": "KE-ENT-0004",
            "share_pct": "30",
            "quantity": 299,
            "receives_remainder": False,
        },
        {
            "line": 3,
            "account": "KE-GOV-0001",
            "share_pct": "20",
            "quantity": 199,
            "receives_remainder": False,
        },
    ]


def test_the_decision_becomes_the_registrys_record_decision_command(project: Project) -> None:
    decided = request_after(project, index_of(MA.DECIDE) + 1)

    command = record_decision_command(decided)

    assert command == RecordDecision(
        project_id="KE001",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        vintage=2024,
        amount=999,
        shares=project.shares,
        remainder_to=None,
        reference="KE-JC-7",
    )
    assert allocate(command.amount, command.shares, command.remainder_to) == list(decided.lines)


def test_no_record_decision_command_before_the_jc_decides(project: Project) -> None:
    error = refused(lambda: record_decision_command(submit(project)), "P4_NOT_DECIDED")

    assert "report_submitted" in error.message


def test_one_issuance_completes_a_decision_allocated_to_one_side() -> None:
    japan_only = replace(
        registered_project(), shares=(AllocationShare("JP-GOV-0001", Decimal(100)),)
    )
    decided = request_after(japan_only, index_of(MA.DECIDE) + 1)

    issued, event = go(decided, japan_only, MStep(MA.RECORD_ISSUANCE, RM_JP, date(2025, 4, 10)))

    assert issued.state is MS.ISSUED
    change = event["change"]
    assert isinstance(change, dict)
    assert change["issued_registries"] == ["JP"]
    error = refused(
        lambda: go(decided, japan_only, MStep(MA.RECORD_ISSUANCE, RM_KE, date(2025, 4, 10))),
        "P7_NO_SHARE_FOR_SIDE",
    )
    assert "allocates nothing to registry KE" in error.message


def test_the_partner_side_may_issue_first(project: Project) -> None:
    decided = request_after(project, index_of(MA.DECIDE) + 1)

    partial, _ = go(decided, project, MStep(MA.RECORD_ISSUANCE, RM_KE, date(2025, 4, 10)))
    done, _ = go(partial, project, MStep(MA.RECORD_ISSUANCE, RM_JP, date(2025, 4, 12)))

    assert (partial.state, done.state) == (MS.PARTIALLY_ISSUED, MS.ISSUED)


def test_sequence_numbers_follow_the_projects_earlier_periods(project: Project) -> None:
    first = submit(project)
    second = submit(
        project,
        MonitoringPeriod(date(2025, 1, 1), date(2025, 6, 30)),
        date(2025, 7, 1),
        others=[first],
    )

    assert (second.id, second.seq) == ("KE001-M002", 2)


def project_with_outcome(project: Project, state: MonitoringState) -> MonitoringRequest:
    if state is MS.NOT_VERIFIED:
        under = request_after(project, 1)
        step = MStep(MA.GIVE_NEGATIVE_OPINION, TPE_B, date(2025, 3, 1), docs(K.VERIFICATION_REPORT))
        return go(under, project, step)[0]
    under_jc = request_after(project, index_of(MA.DECIDE))
    if state is MS.REJECTED:
        return go(under_jc, project, MStep(MA.REJECT, JC_JP, date(2025, 4, 1)))[0]
    withdrawal = docs(K.ISSUANCE_REQUEST_WITHDRAWAL)
    return go(under_jc, project, MStep(MA.WITHDRAW, PP_JP, date(2025, 4, 1), withdrawal))[0]


@pytest.mark.parametrize("state", [MS.NOT_VERIFIED, MS.REJECTED, MS.WITHDRAWN])
def test_a_period_closed_without_decision_can_be_reported_again(
    project: Project, state: MonitoringState
) -> None:
    closed = project_with_outcome(project, state)

    again = submit(project, on=date(2025, 5, 1), others=[closed])

    assert closed.state is state
    assert again.state is MS.REPORT_SUBMITTED
    assert again.seq == 2


def state_of(project: Project, state: MonitoringState) -> MonitoringRequest:
    if state in (MS.NOT_VERIFIED, MS.REJECTED, MS.WITHDRAWN):
        return project_with_outcome(project, state)
    request = submit(project)
    for step in HAPPY:
        if request.state is state:
            return request
        request, _ = go(request, project, step)
    assert request.state is state
    return request


def actor_for(row: Transition[MonitoringState, MonitoringAction]) -> Actor:
    for role, actor in (
        (Role.PROJECT_PARTICIPANT, PP_JP),
        (Role.TPE, TPE_B),
        (Role.SECRETARIAT, SECRETARIAT),
        (Role.JC_MEMBER, JC_KE),
        (Role.REGISTRY_MANAGER, RM_KE),
    ):
        if role in row.roles:
            return actor
    raise AssertionError(row)


ROWS = [row for row in MONITORING_TRANSITIONS if row.source is not None]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.source}-{r.action}" for r in ROWS])
def test_every_transition_of_the_table_leads_to_its_target(
    project: Project, row: Transition[MonitoringState, MonitoringAction]
) -> None:
    assert row.source is not None
    request = state_of(project, row.source)
    last = request.last_on
    assert last is not None
    payload: object = None
    if row.payload is Verification:
        payload = Verification(500)
    elif row.payload is JcDecision:
        payload = JcDecision(400, 2024)
    step = MStep(
        row.action, actor_for(row), last + timedelta(days=3), docs(*row.documents, tag="x"), payload
    )

    new, event = go(request, project, step)

    assert new.state is row.target
    assert new.history[-1].target == row.target.value
    assert_plain_json_event(event, f"monitoring_period.{row.action.value}")


# -- refusals --------------------------------------------------------------------------------


def test_a_period_that_has_not_ended_cannot_be_reported(project: Project) -> None:
    error = refused(lambda: submit(project, on=date(2024, 12, 31)), "P6_FUTURE_PERIOD")

    assert isinstance(error, IssuanceRuleViolation)
    assert "KE-ORG-0011 (project_participant, partner side)" in error.message
    assert "the period ends on 2024-12-31; report it from 2025-01-01 on" in error.message
    assert "cannot submit_report monitoring period 2024-01-01..2024-12-31" in error.message
    assert "(state (new)) on 2024-12-31" in error.message


def test_a_period_in_the_future_cannot_be_reported(project: Project) -> None:
    future = MonitoringPeriod(date(2026, 1, 1), date(2026, 6, 30))

    error = refused(lambda: submit(project, future, date(2025, 1, 1)), "P6_FUTURE_PERIOD")

    assert "2026-06-30" in error.message


def test_monitoring_periods_of_a_project_never_overlap(project: Project) -> None:
    first = submit(project)
    overlapping = MonitoringPeriod(date(2024, 12, 1), date(2025, 3, 31))

    error = refused(
        lambda: submit(project, overlapping, date(2025, 4, 2), others=[first]),
        "P5_OVERLAPPING_PERIOD",
    )

    assert "2024-12-01..2025-03-31" in error.message
    assert (
        "overlaps monitoring period 2024-01-01..2024-12-31 (KE001-M001, report_submitted)"
        in error.message
    )
    assert error.details["conflicting"] == "KE001-M001"


def test_a_period_overlapping_a_recorded_registry_decision_is_refused_with_i3(
    project: Project,
) -> None:
    recorded = IssuanceDecision(
        7,
        "KE001",
        MonitoringPeriod(date(2024, 7, 1), date(2024, 9, 30)),
        2024,
        1,
        10,
        DecisionStatus.ISSUED,
    )

    error = refused(lambda: submit(project, decisions=[recorded]), "I3_OVERLAPPING_PERIOD")

    assert "decision 7" in error.message


def test_a_period_outside_the_crediting_period_is_refused(project: Project) -> None:
    early = MonitoringPeriod(date(2023, 6, 1), date(2024, 5, 31))

    error = refused(lambda: submit(project, early), "P3_OUTSIDE_CREDITING_PERIOD")

    assert "not within the crediting period 2024-01-01..2030-12-31" in error.message


def test_an_unregistered_project_cannot_report() -> None:
    validated = project_before(PA.REQUEST_REGISTRATION)

    error = refused(lambda: submit(validated), "P4_PROJECT_NOT_REGISTERED")

    assert "the project is validated, not registered" in error.message


def test_a_withdrawn_project_cannot_request_issuance(project: Project) -> None:
    verified = request_after(project, index_of(MA.REQUEST_ISSUANCE))
    withdrawn, _ = take(
        project,
        Step(PA.WITHDRAW_PROJECT, PP_JP, date(2025, 3, 5), docs(K.PROJECT_WITHDRAWAL_REQUEST)),
    )

    refused(
        lambda: go(verified, withdrawn, HAPPY[index_of(MA.REQUEST_ISSUANCE)]),
        "P4_PROJECT_NOT_REGISTERED",
    )


def test_a_report_needs_the_monitoring_plan_on_file(project: Project) -> None:
    bare = replace(
        project, documents=tuple(d for d in project.documents if d.kind is not K.MONITORING_PLAN)
    )

    error = refused(lambda: submit(bare), "P2_MISSING_DOCUMENT")

    assert "not on file: monitoring_plan" in error.message


def test_an_outsider_cannot_report(project: Project) -> None:
    refused(lambda: submit(project, actor=PP_OUTSIDER), "P1_NOT_A_PARTICIPANT")


def test_a_tpe_designated_only_for_validation_cannot_verify(project: Project) -> None:
    request = submit(project)
    before = copy.deepcopy(request)

    error = refused(
        lambda: go(
            request, project, MStep(MA.START_VERIFICATION, TPE_VALIDATOR_ONLY, date(2025, 2, 1))
        ),
        "P1_TPE_NOT_DESIGNATED",
    )

    assert "for verification in sectoral scope 1" in error.message
    assert request == before


def test_only_the_engaged_verifier_verifies(project: Project) -> None:
    under = request_after(project, 1)
    step = replace(HAPPY[1], actor=TPE_A)

    error = refused(lambda: go(under, project, step), "P1_NOT_ENGAGED_TPE")

    assert "the TPE engaged on it is TPE-B" in error.message


def test_the_validator_may_verify_unless_the_rule_book_forbids_it() -> None:
    strict = RuleBook("KE PCP strict", verifier_may_be_validator=False)
    lenient_project = registered_project()
    strict_project = registered_project(strict)
    validator_step = MStep(MA.START_VERIFICATION, TPE_A, date(2025, 2, 1))

    allowed, _ = go(submit(lenient_project), lenient_project, validator_step)
    error = refused(
        lambda: go(submit(strict_project, rules=strict), strict_project, validator_step, strict),
        "P1_SAME_TPE",
    )
    other, _ = go(submit(strict_project, rules=strict), strict_project, HAPPY[0], strict)

    assert allowed.verifier == "TPE-A"
    assert "it validated the project" in error.message
    assert other.verifier == "TPE-B"


def test_an_issuance_request_needs_its_form(project: Project) -> None:
    verified = request_after(project, index_of(MA.REQUEST_ISSUANCE))
    before = copy.deepcopy(verified)

    error = refused(
        lambda: go(verified, project, replace(HAPPY[index_of(MA.REQUEST_ISSUANCE)], documents=())),
        "P2_MISSING_DOCUMENT",
    )

    assert "attach with this step: issuance_request" in error.message
    assert "state verified" in error.message
    assert verified == before


@pytest.mark.parametrize(
    ("decision", "code", "fragment"),
    [
        (JcDecision(1001, 2024), "P7_ABOVE_VERIFIED", "the TPE verified 1000 tCO2"),
        (JcDecision(500, 2025), "I9_BAD_VINTAGE", "Vintage 2025"),
        (JcDecision(0, 2024), "I6_BAD_AMOUNT", "from 1"),
        (
            JcDecision(500, 2024, remainder_to="JP-ENT-0099"),
            "I7_BAD_ALLOCATION",
            "remainder holder",
        ),
    ],
)
def test_the_jc_decision_is_checked(
    project: Project, decision: JcDecision, code: str, fragment: str
) -> None:
    under_jc = request_after(project, index_of(MA.DECIDE))
    before = copy.deepcopy(under_jc)

    error = refused(
        lambda: go(under_jc, project, MStep(MA.DECIDE, JC_JP, date(2025, 4, 1), payload=decision)),
        code,
    )

    assert fragment in error.message
    assert under_jc == before


def test_a_jc_member_of_another_partnership_cannot_decide(project: Project) -> None:
    under_jc = request_after(project, index_of(MA.DECIDE))

    refused(
        lambda: go(under_jc, project, replace(HAPPY[index_of(MA.DECIDE)], actor=JC_TH)),
        "P1_WRONG_JC",
    )


def test_a_registry_manager_of_another_partnership_cannot_issue(project: Project) -> None:
    decided = request_after(project, index_of(MA.DECIDE) + 1)

    error = refused(
        lambda: go(decided, project, MStep(MA.RECORD_ISSUANCE, RM_TH, date(2025, 4, 10))),
        "P1_WRONG_JC",
    )

    assert "manages the TH registry" in error.message


def test_a_side_issues_its_share_once(project: Project) -> None:
    partial = request_after(project, index_of(MA.DECIDE) + 2)
    before = copy.deepcopy(partial)

    error = refused(
        lambda: go(partial, project, MStep(MA.RECORD_ISSUANCE, RM_JP, date(2025, 4, 11))),
        "P7_ALREADY_ISSUED",
    )

    assert "registry JP has already issued its share" in error.message
    assert "JP-REGISTRY (registry_manager, japan side)" in error.message
    assert "(state partially_issued)" in error.message
    assert partial == before


def test_the_jc_cannot_decide_before_verification(project: Project) -> None:
    request = submit(project)

    error = refused(lambda: go(request, project, HAPPY[index_of(MA.DECIDE)]), "P4_BAD_TRANSITION")

    assert "it is in state report_submitted" in error.message
    assert "decide is allowed only from under_jc_consideration" in error.message


@pytest.mark.parametrize("amount", [-1, True])
def test_verified_reductions_are_whole_non_negative_tonnes(project: Project, amount: int) -> None:
    under = request_after(project, 1)

    refused(
        lambda: go(under, project, replace(HAPPY[1], payload=Verification(amount))), "P8_BAD_AMOUNT"
    )


def test_a_request_is_advanced_only_with_its_own_project(project: Project) -> None:
    request = submit(project)
    other = replace(project, id="KE002")

    refused(lambda: go(request, other, HAPPY[0]), "P8_OTHER_PROJECT")
    refused(lambda: submit(other, others=[request]), "P8_OTHER_PROJECT")


# -- illustrative methodologies ----------------------------------------------------------------


def test_an_illustrative_report_is_marked_and_its_marks_are_logged(project: Project) -> None:
    request, event = submit_monitoring_report(
        project,
        PERIOD,
        PP_KE,
        date(2025, 1, 15),
        documents=docs(K.MONITORING_REPORT),
        rules=RULES,
        illustrative=("id", "EF_RE"),
    )
    plain, plain_event = submit_monitoring_report(
        project, PERIOD, PP_KE, date(2025, 1, 15), documents=docs(K.MONITORING_REPORT), rules=RULES
    )

    assert request.illustrative == ("id", "EF_RE")
    assert event["change"]["illustrative"] == ["id", "EF_RE"]  # type: ignore[index,call-overload]
    assert plain.illustrative == ()
    assert "illustrative" not in plain_event["change"]  # type: ignore[operator]


@pytest.mark.parametrize("action", [MA.VERIFY, MA.DECIDE])
def test_verifying_or_deciding_an_illustrative_period_is_refused_by_default(
    project: Project, action: MonitoringAction
) -> None:
    before = request_after(project, index_of(action))
    marked = replace(before, illustrative=("COP_RE",))
    step = HAPPY[index_of(action)]

    error = refused(lambda: go(marked, project, step), "P7_ILLUSTRATIVE_METHODOLOGY")
    unmarked, _ = go(before, project, step)

    assert isinstance(error, IssuanceRuleViolation)
    assert error.details["methodology"] == project.methodology_id
    assert error.details["version"] == project.methodology_version
    assert error.details["illustrative"] == ["COP_RE"]
    assert error.details["rule_book"] == RULES.version
    assert unmarked.state is not before.state


def test_a_rule_book_that_allows_illustrative_methodologies_lets_them_through() -> None:
    lenient = RuleBook("KE demo", allow_illustrative_methodologies=True)
    lenient_project = registered_project(lenient)
    request, _ = submit_monitoring_report(
        lenient_project,
        PERIOD,
        PP_KE,
        date(2025, 1, 15),
        documents=docs(K.MONITORING_REPORT),
        rules=lenient,
        illustrative=("id",),
    )
    for step in HAPPY:
        request, _ = go(request, lenient_project, step, lenient)

    assert request.state is MS.ISSUED
    assert RuleBook("x").allow_illustrative_methodologies is False  # never by default


def test_a_rule_book_setting_must_be_a_boolean() -> None:
    refused(
        lambda: RuleBook("x", allow_illustrative_methodologies="yes"),  # type: ignore[arg-type]
        "P8_BAD_RULE_BOOK",
    )
