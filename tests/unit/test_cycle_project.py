"""The project state machine: every transition, every refusal, and nothing changed on refusal."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from test_cycle_world import (
    CREDITING,
    HAPPY,
    JC_JP,
    JC_KE,
    JC_TH,
    PA,
    PARTICIPANTS,
    PIN_DAY,
    PP_JP,
    PP_KE,
    PP_OUTSIDER,
    PROPOSAL,
    RULES,
    SECRETARIAT,
    SHARES,
    TPE_A,
    TPE_B,
    TPE_OTHER_JC,
    TPE_OTHER_SCOPE,
    TPE_VERIFIER_ONLY,
    K,
    Step,
    assert_plain_json_event,
    doc,
    docs,
    happy_step,
    new_project,
    project_before,
    registered_project,
    take,
)

from jcm.domain.cycle import (
    PROJECT_TRANSITIONS,
    Actor,
    Allocation,
    CreditingPeriod,
    Participant,
    Participants,
    Project,
    ProjectAction,
    ProjectProposal,
    ProjectState,
    Renewal,
    Role,
    RuleBook,
    Side,
    Transition,
    Visibility,
    advance_project,
    start_project,
)
from jcm.domain.errors import InvalidInput, JcmError, RuleViolation
from jcm.domain.registry.allocation import AllocationShare

PS = ProjectState
NO_PIN = RuleBook("KE PCP ver01.0", pin_required=False)
NEW_SHARES = (
    AllocationShare("JP-ENT-0007", Decimal("60.5")),
    AllocationShare("KE-ENT-0004", Decimal("39.5")),
)


def refused(call: Callable[[], object], code: str) -> JcmError:
    with pytest.raises(JcmError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


def step_on(project: Project, step: Step) -> Callable[[], object]:
    return lambda: take(project, step)


# -- building a project in any state --------------------------------------------------------


def project_in(state: ProjectState) -> Project:
    for step_index in range(len(HAPPY) + 1):
        project = new_project()
        for step in HAPPY[:step_index]:
            project, _ = take(project, step)
        if project.state is state:
            return project
    registered = registered_project()
    later = registered.last_on
    assert later is not None
    detours: dict[ProjectState, tuple[ProjectState, Step]] = {
        PS.PIN_OBJECTED: (PS.PIN_SUBMITTED, Step(PA.OBJECT, JC_KE, date(2024, 2, 1))),
        PS.NOT_VALIDATED: (
            PS.UNDER_VALIDATION,
            Step(PA.GIVE_NEGATIVE_OPINION, TPE_A, date(2024, 5, 1), docs(K.VALIDATION_REPORT)),
        ),
        PS.REJECTED: (
            PS.UNDER_JC_CONSIDERATION,
            Step(PA.REJECT_REGISTRATION, JC_KE, date(2024, 6, 1)),
        ),
        PS.REGISTRATION_WITHDRAWN: (
            PS.REGISTRATION_REQUESTED,
            Step(
                PA.WITHDRAW_REGISTRATION_REQUEST,
                PP_KE,
                date(2024, 5, 12),
                docs(K.REGISTRATION_REQUEST_WITHDRAWAL),
            ),
        ),
        PS.CHANGE_REQUESTED: (
            PS.REGISTERED,
            Step(
                PA.REQUEST_ALLOCATION_CHANGE,
                PP_JP,
                later + timedelta(days=10),
                docs(K.POST_REGISTRATION_CHANGES_REQUEST, K.CREDIT_ALLOCATION_FORM, tag="c"),
                Allocation(NEW_SHARES),
            ),
        ),
        PS.RENEWAL_REQUESTED: (
            PS.REGISTERED,
            Step(
                PA.REQUEST_RENEWAL,
                PP_JP,
                later + timedelta(days=10),
                docs(K.CREDITING_PERIOD_RENEWAL_REQUEST),
                Renewal(date(2037, 12, 31)),
            ),
        ),
        PS.WITHDRAWN: (
            PS.REGISTERED,
            Step(
                PA.WITHDRAW_PROJECT,
                PP_KE,
                later + timedelta(days=10),
                docs(K.PROJECT_WITHDRAWAL_REQUEST),
            ),
        ),
    }
    before, step = detours[state]
    project, _ = take(project_in(before), step)
    return project


def actor_for(row: Transition[ProjectState, ProjectAction]) -> Actor:
    for role, actor in (
        (Role.PROJECT_PARTICIPANT, PP_JP),
        (Role.TPE, TPE_A),
        (Role.SECRETARIAT, SECRETARIAT),
        (Role.JC_MEMBER, JC_KE),
    ):
        if role in row.roles:
            return actor
    raise AssertionError(row)


def payload_for(row: Transition[ProjectState, ProjectAction]) -> object:
    if row.payload is Allocation:
        return Allocation(NEW_SHARES)
    if row.payload is Participants:
        return Participants((*PARTICIPANTS, Participant("KE-ORG-0012", Side.PARTNER)))
    if row.payload is Renewal:
        return Renewal(date(2037, 12, 31))
    assert row.payload is None
    return None


EXISTING_ROWS = [row for row in PROJECT_TRANSITIONS if row.source is not None]


@pytest.mark.parametrize(
    "row",
    EXISTING_ROWS,
    ids=[f"{r.source}-{r.action}" for r in EXISTING_ROWS if r.source is not None],
)
def test_every_transition_of_the_table_leads_to_its_target(
    row: Transition[ProjectState, ProjectAction],
) -> None:
    assert row.source is not None
    project = project_in(row.source)
    last = project.last_on
    assert last is not None
    step = Step(
        row.action,
        actor_for(row),
        last + timedelta(days=40),
        docs(*row.documents, tag="every"),
        payload_for(row),
    )

    new, event = take(project, step)

    assert new.state is row.target
    assert new.history[-1].action == row.action.value
    assert new.history[-1].target == row.target.value
    assert len(new.history) == len(project.history) + 1
    assert set(step.documents) <= set(new.documents)
    assert_plain_json_event(event, f"project.{row.action.value}")


# -- the happy path -------------------------------------------------------------------------


def test_a_pin_creates_a_project_awaiting_the_no_objection_decision() -> None:
    project, event = start_project(PROPOSAL, PP_JP, PIN_DAY, documents=docs(K.PIN), rules=RULES)

    assert project.state is PS.PIN_SUBMITTED
    assert (project.id, project.partner, project.rule_book) == ("KE001", "KE", RULES.version)
    assert project.documents == docs(K.PIN)
    assert_plain_json_event(event, "project.submit_pin")
    assert event["change"] == {
        "project": "KE001",
        "action": "submit_pin",
        "from": None,
        "to": "pin_submitted",
        "on": "2024-01-10",
        "actor": {
            "organisation": "JP-ORG-0010",
            "role": "project_participant",
            "side": "japan",
            "partner": None,
        },
        "documents": [{"kind": "pin", "sha256": docs(K.PIN)[0].sha256, "visibility": "public"}],
        "rule_book": "KE PCP ver03.0",
        "title": "43 MW solar power plant in Garissa",
        "partner": "KE",
        "methodology": {"id": "KE_AM001", "version": "1.0"},
        "sectoral_scope": 1,
        "participants": [
            {"organisation": "JP-ORG-0010", "side": "japan", "focal_point": True},
            {"organisation": "KE-ORG-0011", "side": "partner", "focal_point": False},
        ],
        "crediting_period": {"start": "2024-01-01", "end": "2030-12-31"},
    }


def test_the_happy_path_runs_from_pin_to_registration_with_plain_json_events() -> None:
    project = new_project()
    states = []
    for step in HAPPY:
        project, event = take(project, step)
        states.append(project.state)
        assert_plain_json_event(event, f"project.{step.action.value}")

    assert states == [
        PS.NO_OBJECTION,
        PS.PDD_SUBMITTED,
        PS.PUBLIC_INPUT,
        PS.UNDER_VALIDATION,
        PS.VALIDATED,
        PS.REGISTRATION_REQUESTED,
        PS.UNDER_JC_CONSIDERATION,
        PS.REGISTERED,
    ]
    assert project.is_registered
    assert project.registered_on == date(2024, 6, 1)
    assert project.validator == "TPE-A"
    assert project.shares == SHARES
    assert [h.on for h in project.history] == [PIN_DAY, *(s.on for s in HAPPY)]


def test_registration_publishes_the_shares_as_decimal_strings() -> None:
    project = project_before(PA.REGISTER)

    _, event = take(project, happy_step(PA.REGISTER))

    change = event["change"]
    assert isinstance(change, dict)
    assert change["shares"] == [
        {"account": "JP-GOV-0001", "share_pct": "50"},
        {"account": "KE-ENT-0004", "share_pct": "30"},
        {"account": "KE-GOV-0001", "share_pct": "20"},
    ]
    assert change["to"] == "registered"


def test_opening_public_input_records_the_window_and_the_engaged_tpe() -> None:
    project = project_before(PA.OPEN_PUBLIC_INPUT)

    new, event = take(project, happy_step(PA.OPEN_PUBLIC_INPUT))

    assert new.public_input_opened == date(2024, 3, 5)
    assert new.validator == "TPE-A"
    assert new.public_input_closes_on(RULES) == date(2024, 4, 4)
    change = event["change"]
    assert isinstance(change, dict)
    assert change["public_input"] == {"opened": "2024-03-05", "days": 30, "closes_on": "2024-04-04"}


def test_the_secretariat_may_open_public_input_and_any_designated_tpe_then_validates() -> None:
    project = project_before(PA.OPEN_PUBLIC_INPUT)

    opened, _ = take(project, Step(PA.OPEN_PUBLIC_INPUT, SECRETARIAT, date(2024, 3, 5)))
    started, _ = take(opened, Step(PA.START_VALIDATION, TPE_B, date(2024, 4, 4)))

    assert opened.validator is None
    assert started.validator == "TPE-B"
    assert started.state is PS.UNDER_VALIDATION


def test_a_project_may_start_at_its_pdd_where_the_rule_book_has_no_pin() -> None:
    pdd = docs(K.PDD, K.MODALITIES_OF_COMMUNICATION, K.MONITORING_PLAN)

    project, event = start_project(
        PROPOSAL, PP_KE, PIN_DAY, documents=pdd, action=PA.SUBMIT_PDD, rules=NO_PIN
    )

    assert project.state is PS.PDD_SUBMITTED
    assert project.rule_book == "KE PCP ver01.0"
    assert_plain_json_event(event, "project.submit_pdd")


def test_a_negative_opinion_sends_the_pdd_back_for_a_new_public_input_window() -> None:
    project = project_in(PS.NOT_VALIDATED)

    resubmitted, _ = take(
        project, Step(PA.RESUBMIT_PDD, PP_JP, date(2024, 6, 1), docs(K.PDD, tag="2"))
    )

    assert resubmitted.state is PS.PDD_SUBMITTED
    assert resubmitted.public_input_opened is None
    assert resubmitted.validator is None


def test_an_approved_allocation_change_replaces_the_shares() -> None:
    pending = project_in(PS.CHANGE_REQUESTED)
    assert pending.shares == SHARES
    assert pending.pending == Allocation(NEW_SHARES)

    approved, event = take(pending, Step(PA.APPROVE_CHANGE, JC_JP, date(2024, 8, 1)))

    assert approved.state is PS.REGISTERED
    assert approved.shares == NEW_SHARES
    assert approved.pending is None
    change = event["change"]
    assert isinstance(change, dict)
    assert change["shares"] == [
        {"account": "JP-ENT-0007", "share_pct": "60.5"},
        {"account": "KE-ENT-0004", "share_pct": "39.5"},
    ]


def test_a_rejected_change_keeps_the_registered_shares() -> None:
    pending = project_in(PS.CHANGE_REQUESTED)

    rejected, _ = take(pending, Step(PA.REJECT_CHANGE, JC_KE, date(2024, 8, 1)))

    assert rejected.state is PS.REGISTERED
    assert rejected.shares == SHARES
    assert rejected.pending is None


def test_an_approved_participant_change_replaces_the_participants() -> None:
    project = registered_project()
    newcomer = Participant("KE-ORG-0012", Side.PARTNER)
    requested, _ = take(
        project,
        Step(
            PA.REQUEST_PARTICIPANT_CHANGE,
            PP_KE,
            date(2024, 7, 1),
            docs(K.POST_REGISTRATION_CHANGES_REQUEST, K.MODALITIES_OF_COMMUNICATION, tag="p"),
            Participants((*PARTICIPANTS, newcomer)),
        ),
    )

    approved, _ = take(requested, Step(PA.APPROVE_CHANGE, JC_KE, date(2024, 8, 1)))

    assert requested.participants == PARTICIPANTS
    assert approved.participants == (*PARTICIPANTS, newcomer)
    assert "KE-ORG-0012" in approved.access().participants


def test_an_approved_renewal_extends_the_crediting_period() -> None:
    pending = project_in(PS.RENEWAL_REQUESTED)

    renewed, event = take(pending, Step(PA.APPROVE_RENEWAL, JC_KE, date(2024, 9, 1)))
    rejected, _ = take(pending, Step(PA.REJECT_RENEWAL, JC_KE, date(2024, 9, 1)))

    assert renewed.crediting_period == CreditingPeriod(date(2024, 1, 1), date(2037, 12, 31))
    assert rejected.crediting_period == CREDITING
    assert renewed.state is rejected.state is PS.REGISTERED
    change = event["change"]
    assert isinstance(change, dict)
    assert change["crediting_period"] == {"start": "2024-01-01", "end": "2037-12-31"}


def test_a_registered_project_stays_registered_while_a_change_is_pending() -> None:
    assert project_in(PS.CHANGE_REQUESTED).is_registered
    assert project_in(PS.RENEWAL_REQUESTED).is_registered
    assert not project_in(PS.WITHDRAWN).is_registered


# -- refusals: each names who, what and why, and changes nothing -----------------------------


@pytest.fixture
def under_jc() -> Project:
    return project_before(PA.REGISTER)


def test_a_participant_cannot_register_a_project(under_jc: Project) -> None:
    before = copy.deepcopy(under_jc)

    error = refused(step_on(under_jc, Step(PA.REGISTER, PP_JP, date(2024, 6, 1))), "P1_WRONG_ROLE")

    assert isinstance(error, RuleViolation)
    assert "JP-ORG-0010 (project_participant, japan side)" in error.message
    assert "register project KE001 (state under_jc_consideration)" in error.message
    assert "only jc_member may do that" in error.message
    assert error.details["allowed_roles"] == ["jc_member"]
    assert under_jc == before


def test_an_organisation_outside_the_project_cannot_act_for_it() -> None:
    project = project_before(PA.SUBMIT_PDD)
    step = replace(happy_step(PA.SUBMIT_PDD), actor=PP_OUTSIDER)

    error = refused(step_on(project, step), "P1_NOT_A_PARTICIPANT")

    assert "KE-ORG-0099 is not one of its project participants" in error.message
    assert "JP-ORG-0010, KE-ORG-0011" in error.message


@pytest.mark.parametrize(
    ("tpe", "why"),
    [
        (TPE_OTHER_SCOPE, "out of scope"),
        (TPE_VERIFIER_ONLY, "verification only"),
        (TPE_OTHER_JC, "designated by another JC"),
    ],
)
def test_a_tpe_must_be_designated_for_validation_in_the_projects_scope(
    tpe: Actor, why: str
) -> None:
    project = project_before(PA.OPEN_PUBLIC_INPUT)
    before = copy.deepcopy(project)

    error = refused(
        step_on(project, Step(PA.OPEN_PUBLIC_INPUT, tpe, date(2024, 3, 5))),
        "P1_TPE_NOT_DESIGNATED",
    )

    assert (
        "the TPE is not designated by the KE Joint Committee for validation in sectoral scope 1"
        in error.message
    ), why
    assert tpe.organisation_id in error.message
    assert error.details["function"] == "validation"
    assert project == before


def test_only_the_engaged_tpe_validates() -> None:
    project = project_before(PA.START_VALIDATION)
    step = replace(happy_step(PA.START_VALIDATION), actor=TPE_B)

    error = refused(step_on(project, step), "P1_NOT_ENGAGED_TPE")

    assert "the TPE engaged on it is TPE-A" in error.message
    assert "TPE-B (tpe)" in error.message


def test_a_jc_member_of_another_partnership_cannot_register(under_jc: Project) -> None:
    error = refused(step_on(under_jc, Step(PA.REGISTER, JC_TH, date(2024, 6, 1))), "P1_WRONG_JC")

    assert "serves the TH partnership" in error.message
    assert "KE Joint Committee" in error.message


def test_a_registration_request_needs_the_allocation_form() -> None:
    project = project_before(PA.REQUEST_REGISTRATION)
    before = copy.deepcopy(project)
    step = replace(happy_step(PA.REQUEST_REGISTRATION), documents=docs(K.REGISTRATION_REQUEST))

    error = refused(step_on(project, step), "P2_MISSING_DOCUMENT")

    assert "KE-ORG-0011 (project_participant, partner side)" in error.message
    assert "state validated" in error.message
    assert "attach with this step: credit_allocation_form" in error.message
    assert error.details["missing"] == ["credit_allocation_form"]
    assert project == before


def test_a_confidential_version_alone_does_not_count_as_attached() -> None:
    project = project_before(PA.VALIDATE)
    confidential = doc(K.VALIDATION_REPORT, visibility=Visibility.CONFIDENTIAL)
    step = replace(happy_step(PA.VALIDATE), documents=(confidential,))

    error = refused(step_on(project, step), "P2_MISSING_DOCUMENT")

    assert "validation_report" in error.message
    assert "Only a confidential version of validation_report was attached" in error.message


def test_a_registration_request_needs_the_validation_report_on_file() -> None:
    validated = project_before(PA.REQUEST_REGISTRATION)
    without_report = replace(
        validated,
        documents=tuple(d for d in validated.documents if d.kind is not K.VALIDATION_REPORT),
    )

    error = refused(
        step_on(without_report, happy_step(PA.REQUEST_REGISTRATION)), "P2_MISSING_DOCUMENT"
    )

    assert "not on file: validation_report" in error.message
    assert error.details["missing_on_file"] == ["validation_report"]


def test_validation_cannot_start_while_the_public_input_window_is_open() -> None:
    project = project_before(PA.START_VALIDATION)
    before = copy.deepcopy(project)
    step = replace(happy_step(PA.START_VALIDATION), on=date(2024, 4, 3))

    error = refused(step_on(project, step), "P3_TOO_EARLY")

    assert "TPE-A (tpe) cannot start_validation project KE001 (state public_input)" in error.message
    assert "on 2024-04-03" in error.message
    assert "opened on 2024-03-05 for 30 days" in error.message
    assert "possible from 2024-04-04" in error.message
    assert error.details["closes_on"] == "2024-04-04"
    assert project == before


def test_the_public_input_window_follows_the_rule_book_version() -> None:
    short = RuleBook("KE PCP ver09.0", pdd_public_input_days=10)
    project = project_before(PA.START_VALIDATION, rules=short)

    started, _ = take(
        project, replace(happy_step(PA.START_VALIDATION), on=date(2024, 3, 15)), short
    )

    assert started.state is PS.UNDER_VALIDATION
    refused(
        lambda: take(
            project, replace(happy_step(PA.START_VALIDATION), on=date(2024, 3, 14)), short
        ),
        "P3_TOO_EARLY",
    )


def test_a_step_cannot_be_dated_before_the_previous_one(under_jc: Project) -> None:
    error = refused(
        step_on(under_jc, Step(PA.REGISTER, JC_JP, date(2024, 5, 14))), "P3_OUT_OF_ORDER"
    )

    assert "its last step is dated 2024-05-15" in error.message


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        (PS.PUBLIC_INPUT, PA.REGISTER, "under_jc_consideration"),
        (PS.PIN_SUBMITTED, PA.SUBMIT_PDD, "(new), no_objection"),
        (PS.REGISTERED, PA.VALIDATE, "under_validation"),
        (PS.WITHDRAWN, PA.REQUEST_RENEWAL, "registered"),
        (PS.CHANGE_REQUESTED, PA.REQUEST_RENEWAL, "registered"),
        (PS.REJECTED, PA.APPROVE_CHANGE, "change_requested"),
    ],
)
def test_an_action_is_refused_from_a_state_the_table_does_not_list(
    state: ProjectState, action: ProjectAction, allowed: str
) -> None:
    project = project_in(state)
    before = copy.deepcopy(project)

    error = refused(
        lambda: advance_project(project, action, JC_KE, date(2030, 1, 1), rules=RULES),
        "P4_BAD_TRANSITION",
    )

    assert f"it is in state {state.value}" in error.message
    assert f"{action.value} is allowed only from {allowed}" in error.message
    assert "KE-MOE (jc_member, partner side)" in error.message
    assert project == before


def test_without_a_rule_book_exception_a_project_starts_with_its_pin() -> None:
    error = refused(
        lambda: start_project(
            PROPOSAL,
            PP_JP,
            PIN_DAY,
            documents=docs(K.PDD, K.MODALITIES_OF_COMMUNICATION, K.MONITORING_PLAN),
            action=PA.SUBMIT_PDD,
            rules=RULES,
        ),
        "P4_PIN_REQUIRED",
    )

    assert "requires a Project Idea Note" in error.message


def test_the_pin_submitter_must_be_a_participant() -> None:
    error = refused(
        lambda: start_project(PROPOSAL, PP_OUTSIDER, PIN_DAY, documents=docs(K.PIN), rules=RULES),
        "P1_NOT_A_PARTICIPANT",
    )

    assert "cannot submit_pin project KE001 (state (new))" in error.message


def test_a_registration_request_carries_the_allocation() -> None:
    project = project_before(PA.REQUEST_REGISTRATION)

    refused(
        step_on(project, replace(happy_step(PA.REQUEST_REGISTRATION), payload=None)),
        "P8_MISSING_PAYLOAD",
    )
    refused(
        step_on(
            project, replace(happy_step(PA.REQUEST_REGISTRATION), payload=Renewal(date(2040, 1, 1)))
        ),
        "P8_MISSING_PAYLOAD",
    )
    refused(
        step_on(
            project_before(PA.REGISTER),
            Step(PA.REGISTER, JC_KE, date(2024, 6, 1), payload=Allocation(SHARES)),
        ),
        "P8_UNEXPECTED_PAYLOAD",
    )


@pytest.mark.parametrize(
    ("shares", "code", "fragment"),
    [
        ((AllocationShare("JP-GOV-0001", Decimal("90")),), "I7_BAD_ALLOCATION", "not exactly 100%"),
        (
            (
                AllocationShare("JP-GOV-0001", Decimal("50")),
                AllocationShare("TH-ENT-0001", Decimal("50")),
            ),
            "P8_BAD_SHARES",
            "TH-ENT-0001 is not a government or entity holding account of registry JP or KE",
        ),
        (
            (AllocationShare("JP-CAN-0002", Decimal("100")),),
            "P8_BAD_SHARES",
            "JP-CAN-0002",
        ),
        ((), "I7_BAD_ALLOCATION", "at least one share"),
    ],
)
def test_allocation_shares_sum_to_100_over_holding_accounts_of_both_sides(
    shares: tuple[AllocationShare, ...], code: str, fragment: str
) -> None:
    project = project_before(PA.REQUEST_REGISTRATION)
    before = copy.deepcopy(project)

    error = refused(
        step_on(project, replace(happy_step(PA.REQUEST_REGISTRATION), payload=Allocation(shares))),
        code,
    )

    assert fragment in error.message
    assert project == before


def test_a_renewal_must_extend_the_crediting_period() -> None:
    project = registered_project()

    error = refused(
        step_on(
            project,
            Step(
                PA.REQUEST_RENEWAL,
                PP_JP,
                date(2024, 7, 1),
                docs(K.CREDITING_PERIOD_RENEWAL_REQUEST),
                Renewal(date(2030, 12, 31)),
            ),
        ),
        "P8_BAD_CREDITING_PERIOD",
    )

    assert "must end after the current end 2030-12-31" in error.message


def test_a_step_is_checked_against_the_projects_own_rule_book() -> None:
    project = project_before(PA.DECIDE_NO_OBJECTION)

    error = refused(
        lambda: take(project, happy_step(PA.DECIDE_NO_OBJECTION), RuleBook("other")),
        "P8_RULE_BOOK_MISMATCH",
    )

    assert "runs under rule book 'KE PCP ver03.0', not 'other'" in error.message


@pytest.mark.parametrize(
    ("changes", "code", "fragment"),
    [
        ({"project_id": "KEN01"}, "G1_BAD_PROJECT", "three digits"),
        ({"methodology_id": "TH_AM001"}, "P8_BAD_METHODOLOGY", "KE Joint Committee"),
        ({"methodology_id": "KE_PM001"}, "P8_BAD_METHODOLOGY", "approved methodology"),
        ({"methodology_version": "v1"}, "P8_BAD_METHODOLOGY", "look like 1.0"),
        ({"sectoral_scope": 16}, "P8_BAD_SCOPE", "1-15"),
        ({"title": "  "}, "P8_BAD_TITLE", "title"),
        ({"participants": ()}, "P8_BAD_PARTICIPANTS", "at least one"),
        (
            {"participants": (PARTICIPANTS[0], PARTICIPANTS[0])},
            "P8_BAD_PARTICIPANTS",
            "more than once",
        ),
        (
            {"participants": (PARTICIPANTS[0], replace(PARTICIPANTS[1], focal_point=True))},
            "P8_BAD_PARTICIPANTS",
            "one focal point",
        ),
    ],
)
def test_a_malformed_proposal_is_refused(
    changes: dict[str, object], code: str, fragment: str
) -> None:
    proposal = replace(PROPOSAL, **changes)  # type: ignore[arg-type]

    error = refused(
        lambda: start_project(proposal, PP_JP, PIN_DAY, documents=docs(K.PIN), rules=RULES), code
    )

    assert isinstance(error, InvalidInput)
    assert fragment in error.message


def test_a_crediting_period_cannot_end_before_it_starts() -> None:
    refused(lambda: CreditingPeriod(date(2024, 1, 2), date(2024, 1, 1)), "P8_BAD_CREDITING_PERIOD")


def test_a_proposal_from_the_pdd_form_keeps_its_values() -> None:
    proposal = ProjectProposal("ke002", " Biogas ", "KE_AM002", "2.0", 13, PARTICIPANTS, CREDITING)

    project, _ = start_project(proposal, PP_JP, PIN_DAY, documents=docs(K.PIN), rules=RULES)

    assert (project.id, project.title, project.methodology_version, project.sectoral_scope) == (
        "KE002",
        "Biogas",
        "2.0",
        13,
    )
