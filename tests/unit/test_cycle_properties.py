"""Random sequences of steps, by any actor with any documents on any date, never reach an
invalid state, and every refused step leaves the aggregate as it was."""

from __future__ import annotations

import copy
import functools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import event as statistic
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cycle_world import (
    JC_JP,
    JC_KE,
    JC_TH,
    PARTICIPANTS,
    PIN_DAY,
    PP_JP,
    PP_KE,
    PP_OUTSIDER,
    PROPOSAL,
    RM_JP,
    RM_KE,
    RM_TH,
    RULES,
    SECRETARIAT,
    SHARES,
    TPE_A,
    TPE_B,
    TPE_OTHER_JC,
    TPE_OTHER_SCOPE,
    TPE_VERIFIER_ONLY,
    VAL,
    VER,
    K,
    doc,
    registered_project,
)

from jcm.domain.cycle import (
    MONITORING_TRANSITIONS,
    PROJECT_TRANSITIONS,
    REGISTERED_STATES,
    Actor,
    Allocation,
    DocumentKind,
    DocumentRef,
    JcDecision,
    MonitoringAction,
    MonitoringRequest,
    MonitoringState,
    Participant,
    Participants,
    Project,
    ProjectAction,
    ProjectState,
    Renewal,
    Role,
    RuleBook,
    Side,
    Transition,
    Verification,
    Visibility,
    advance_monitoring,
    advance_project,
    is_plain_json,
    start_project,
    submit_monitoring_report,
)
from jcm.domain.cycle.monitoring import CLOSED_WITHOUT_DECISION
from jcm.domain.errors import JcmError
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.issuance import MonitoringPeriod

ACTORS = [
    PP_JP,
    PP_KE,
    PP_OUTSIDER,
    TPE_A,
    TPE_B,
    TPE_VERIFIER_ONLY,
    TPE_OTHER_SCOPE,
    TPE_OTHER_JC,
    SECRETARIAT,
    JC_JP,
    JC_KE,
    JC_TH,
    RM_JP,
    RM_KE,
    RM_TH,
]
PARTICIPANT_IDS = {p.organisation_id for p in PARTICIPANTS}
BY_ORGANISATION = {a.organisation_id: a for a in ACTORS}
RULE_BOOKS = [
    RULES,
    RuleBook("KE short", pdd_public_input_days=7),
    RuleBook("KE no PIN", pin_required=False),
    RuleBook("KE strict", verifier_may_be_validator=False),
]
PAYLOADS: dict[type | None, list[object]] = {
    Allocation: [
        Allocation(SHARES),
        Allocation((AllocationShare("JP-ENT-0002", Decimal(100)),)),
        Allocation((AllocationShare("JP-ENT-0002", Decimal(90)),)),  # refused: I7
        Allocation((AllocationShare("TH-ENT-0002", Decimal(100)),)),  # refused: P8
    ],
    Participants: [
        Participants((*PARTICIPANTS, Participant("KE-ORG-0012", Side.PARTNER))),
        Participants((PARTICIPANTS[0], PARTICIPANTS[0])),  # refused: duplicate
    ],
    Renewal: [Renewal(date(2040, 12, 31)), Renewal(date(2025, 1, 1))],
    None: [None],
}
REGISTERED = registered_project()
ALL_PAYLOADS = [p for ps in PAYLOADS.values() for p in ps]
DEAD_ENDS = {
    ProjectState.PIN_OBJECTED,
    ProjectState.REJECTED,
    ProjectState.REGISTRATION_WITHDRAWN,
    ProjectState.WITHDRAWN,
}
PROJECT_ROWS = {(r.source, r.action): r for r in PROJECT_TRANSITIONS}
MONITORING_ROWS = {(r.source, r.action): r for r in MONITORING_TRANSITIONS}


@functools.cache
def sampled(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """One strategy object per tuple of choices (building strategies per draw is slow)."""
    return st.sampled_from(values)


@functools.cache
def integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


EXTRA_KINDS = st.sets(st.sampled_from(list(DocumentKind)), max_size=3)


def draw_documents(
    data: st.DataObject, wanted: frozenset[DocumentKind], tag: str
) -> tuple[DocumentRef, ...]:
    kinds = set(wanted) if data.draw(integers(0, 5), label="complete documents") > 0 else set()
    kinds |= set(data.draw(EXTRA_KINDS))
    dropped = set()
    if kinds and data.draw(integers(0, 7)) == 0:
        dropped.add(data.draw(sampled(tuple(sorted(kinds)))))
    refs = []
    for kind in sorted(kinds - dropped):
        refs.append(doc(kind, tag))
        if data.draw(integers(0, 4)) == 0:
            refs.append(doc(kind, tag, Visibility.CONFIDENTIAL))
    for kind in sorted(dropped):  # the confidential version alone never counts
        refs.append(doc(kind, tag, Visibility.CONFIDENTIAL))
    return tuple(refs)


def capable(actor: Actor, row: Transition[Any, Any], engaged: str | None) -> bool:
    """Whether ``actor`` passes the row's who-checks on project KE001 (scope 1)."""
    if actor.role not in row.roles:
        return False
    match actor.role:
        case Role.PROJECT_PARTICIPANT:
            return actor.organisation_id in PARTICIPANT_IDS
        case Role.TPE:
            designated = row.tpe_function is None or actor.is_designated("KE", 1, row.tpe_function)
            return designated and not (
                row.engaged_tpe and engaged is not None and actor.organisation_id != engaged
            )
        case Role.REGISTRY_MANAGER:
            return actor.side is Side.JAPAN or actor.partner == "KE"
        case _:
            return actor.partner == "KE"


def draw_actor(data: st.DataObject, row: Transition[Any, Any], engaged: str | None) -> Actor:
    """Mostly an actor the row admits, sometimes anyone (then the step is usually refused)."""
    able = tuple(a for a in ACTORS if capable(a, row, engaged))
    if able and data.draw(integers(0, 7)) > 0:
        return data.draw(sampled(able), label="actor")  # type: ignore[no-any-return]
    return data.draw(sampled(tuple(ACTORS)), label="actor")  # type: ignore[no-any-return]


def public(project_docs: tuple[DocumentRef, ...], kind: DocumentKind) -> bool:
    return any(d.kind is kind and d.visibility is Visibility.PUBLIC for d in project_docs)


def assert_valid_project(project: Project, rules: RuleBook) -> None:
    history = project.history
    assert history[-1].target == project.state.value
    for previous, entry in zip((None, *history), history, strict=False):
        row = PROJECT_ROWS[
            (ProjectState(entry.source) if entry.source else None, ProjectAction(entry.action))
        ]
        assert entry.role in row.roles
        if previous is not None:
            assert entry.source == previous.target
            assert entry.on >= previous.on
    if project.state in (
        ProjectState.UNDER_VALIDATION,
        ProjectState.VALIDATED,
        ProjectState.REGISTRATION_REQUESTED,
        ProjectState.UNDER_JC_CONSIDERATION,
    ):
        assert project.validator is not None
        assert project.public_input_opened is not None
    assert (project.pending is not None) == (
        project.state in (ProjectState.CHANGE_REQUESTED, ProjectState.RENEWAL_REQUESTED)
    )
    registrations = [i for i, h in enumerate(history) if h.action == "register"]
    if project.state in REGISTERED_STATES or project.state is ProjectState.WITHDRAWN:
        assert len(registrations) == 1
    if not registrations:
        assert project.registered_on is None
        return
    # Registered: validated by a designated TPE after a closed public-input window, with the
    # validation report, the registration request and the allocation form on file.
    before = history[: registrations[0]]
    opened = [h for h in before if h.action == "open_public_input"][-1].on
    closes = opened + timedelta(days=rules.pdd_public_input_days)
    start = [h for h in before if h.action == "start_validation"][-1]
    validation = [h for h in before if h.action == "validate"][-1]
    assert start.on >= closes
    assert validation.on >= closes
    assert history[registrations[0]].on >= closes
    validator = BY_ORGANISATION[validation.organisation_id]
    assert validator.is_designated("KE", project.sectoral_scope, VAL)
    assert validation.organisation_id == start.organisation_id
    assert any(d.kind is K.VALIDATION_REPORT and d.is_public for d in validation.documents)
    for kind in (
        K.PDD,
        K.VALIDATION_REPORT,
        K.REGISTRATION_REQUEST,
        K.CREDIT_ALLOCATION_FORM,
        K.MODALITIES_OF_COMMUNICATION,
    ):
        assert public(project.documents, kind), kind
    assert sum(s.share_pct for s in project.shares) == 100
    assert project.registered_on == history[registrations[0]].on


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_project_steps_never_reach_an_invalid_state(data: st.DataObject) -> None:
    rules = data.draw(sampled(tuple(RULE_BOOKS)), label="rule book")
    creation = data.draw(sampled((ProjectAction.SUBMIT_PIN, ProjectAction.SUBMIT_PDD)))
    row = PROJECT_ROWS[(None, creation)]
    try:
        project, _ = start_project(
            PROPOSAL,
            draw_actor(data, row, None),
            PIN_DAY,
            documents=draw_documents(data, row.documents, "start"),
            action=creation,
            rules=rules,
        )
    except JcmError:
        project, _ = start_project(PROPOSAL, PP_JP, PIN_DAY, documents=(doc(K.PIN),), rules=RULES)
        rules = RULES
    assert_valid_project(project, rules)
    reached = {project.state}

    for n in range(data.draw(integers(1, 60), label="steps")):
        follow_table = data.draw(integers(0, 7)) > 0
        rows = [r for r in PROJECT_TRANSITIONS if r.source is project.state]
        onward = [r for r in rows if r.target not in DEAD_ENDS]
        if onward and data.draw(integers(0, 3)) > 0:
            rows = onward  # mostly keep the project alive, sometimes end it
        if follow_table and rows:
            row = data.draw(sampled(tuple(rows)), label="row")
            action = row.action
            payload = data.draw(sampled(tuple(PAYLOADS[row.payload])), label="payload")
        else:
            action = data.draw(sampled(tuple(ProjectAction)), label="action")
            row = PROJECT_ROWS.get((project.state, action), row)
            payload = data.draw(sampled(tuple(ALL_PAYLOADS)), label="payload")
        actor = draw_actor(data, row, project.validator)
        documents = draw_documents(data, row.documents | row.on_file, str(n))
        last = project.last_on
        assert last is not None
        on = last + timedelta(days=data.draw(integers(-2, 45), label="days"))
        snapshot = copy.deepcopy(project)
        try:
            new, event = advance_project(
                project,
                action,
                actor,
                on,
                documents=documents,
                payload=payload,  # type: ignore[arg-type,unused-ignore]
                rules=rules,
            )
        except JcmError as error:
            refusal: str | None = error.code
        else:
            refusal = None
        if refusal is not None:
            assert project == snapshot
            assert refusal[:2] in {"P1", "P2", "P3", "P4", "P8", "I7"}, refusal
            continue
        project = new
        reached.add(project.state)
        assert is_plain_json(event)
        assert_valid_project(project, rules)
    statistic("reached registration" if reached & REGISTERED_STATES else "never registered")


def assert_valid_requests(requests: list[MonitoringRequest], submitted: dict[str, date]) -> None:
    live = [r for r in requests if r.holds_period]
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            assert not a.period.overlaps(b.period), (a.id, b.id)
    for r in requests:
        assert r.period.end < submitted[r.id]
        assert r.history[-1].target == r.state.value
        for previous, entry in zip((None, *r.history), r.history, strict=False):
            key = (MonitoringState(entry.source) if entry.source else None, entry.action)
            row = MONITORING_ROWS[(key[0], MonitoringAction(key[1]))]
            assert entry.role in row.roles
            if previous is not None:
                assert entry.on >= previous.on
        if r.state in (
            MonitoringState.DECIDED,
            MonitoringState.PARTIALLY_ISSUED,
            MonitoringState.ISSUED,
        ):
            assert r.decision is not None
            assert r.verified_amount is not None
            assert r.decision.amount <= r.verified_amount
            assert sum(line.quantity for line in r.lines) == r.decision.amount
            assert any(d.kind is K.VERIFICATION_REPORT and d.is_public for d in r.documents)
            verifier = BY_ORGANISATION[r.verifier or ""]
            assert verifier.is_designated("KE", 1, VER)
        assert r.issued_sides <= r.sides_with_share()
        if r.state is MonitoringState.ISSUED:
            assert r.issued_sides == r.sides_with_share()


def draw_monitoring_payload(
    data: st.DataObject, row: Transition[Any, Any], request: MonitoringRequest
) -> object:
    """Mostly the details the row takes, with amounts at or above the verified amount."""
    if data.draw(integers(0, 7)) == 0:
        return data.draw(
            sampled((None, Verification(5), JcDecision(5, 2024), Verification(-1))),
            label="odd payload",
        )
    if row.payload is Verification:
        return Verification(data.draw(integers(0, 1200), label="verified"))
    if row.payload is JcDecision:
        ceiling = (request.verified_amount or 0) + 2
        amount = data.draw(integers(0, ceiling), label="decided")
        vintage = data.draw(
            sampled((request.period.start.year, request.period.end.year, 2023)), label="vintage"
        )
        return JcDecision(amount, vintage)
    return None


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_random_monitoring_steps_never_overlap_or_issue_without_verification(
    data: st.DataObject,
) -> None:
    project = REGISTERED
    requests: list[MonitoringRequest] = []
    submitted: dict[str, date] = {}
    today = date(2024, 7, 1)
    for n in range(data.draw(integers(1, 60), label="steps")):
        today += timedelta(days=data.draw(integers(0, 60), label="days"))
        if not requests or data.draw(integers(0, 3)) == 0:
            start = date(2023, 12, 1) + timedelta(days=data.draw(integers(0, 900)))
            period = MonitoringPeriod(start, start + timedelta(days=data.draw(integers(0, 200))))
            row = MONITORING_ROWS[(None, MonitoringAction.SUBMIT_REPORT)]
            try:
                request, event = submit_monitoring_report(
                    project,
                    period,
                    draw_actor(data, row, None),
                    today,
                    documents=draw_documents(data, row.documents, str(n)),
                    others=requests,
                    rules=RULES,
                )
            except JcmError as error:
                refusal: str | None = error.code
            else:
                refusal = None
            if refusal is not None:
                assert refusal[:2] in {"P1", "P2", "P3", "P5", "P6"}, refusal
                continue
            requests.append(request)
            submitted[request.id] = today
        else:
            index = data.draw(integers(0, len(requests) - 1), label="request")
            request = requests[index]
            rows = [r for r in MONITORING_TRANSITIONS if r.source is request.state]
            onward = [r for r in rows if r.target not in CLOSED_WITHOUT_DECISION]
            if onward and data.draw(integers(0, 3)) > 0:
                rows = onward  # mostly keep the request alive, sometimes end it
            if rows and data.draw(integers(0, 7)) > 0:
                row = data.draw(sampled(tuple(rows)), label="row")
                action = row.action
            else:
                action = data.draw(sampled(tuple(MonitoringAction)), label="action")
                row = MONITORING_ROWS.get(
                    (request.state, action),
                    next(r for r in MONITORING_TRANSITIONS if r.action is action),
                )
            payload = draw_monitoring_payload(data, row, request)
            snapshot = copy.deepcopy(request)
            try:
                request, event = advance_monitoring(
                    request,
                    project,
                    action,
                    draw_actor(data, row, request.verifier),
                    max(today, request.last_on or today),
                    documents=draw_documents(data, row.documents | row.on_file, str(n)),
                    payload=payload,  # type: ignore[arg-type]
                    rules=RULES,
                )
            except JcmError:
                assert requests[index] == snapshot
                continue
            requests[index] = request
        assert is_plain_json(event)
        assert_valid_requests(requests, submitted)
    states = {r.state for r in requests}
    statistic("issued" if MonitoringState.ISSUED in states else "not issued")
