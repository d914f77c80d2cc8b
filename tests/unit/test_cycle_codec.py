"""The plain-JSON forms of the cycle aggregates: every aggregate the domain steps produce
reads back equal, survives a JSON text round trip unchanged, and a damaged stored form is
refused with ``P8_CORRUPT_RECORD`` instead of a traceback."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cycle_world import (
    HAPPY,
    JC_JP,
    JC_KE,
    PA,
    PARTICIPANTS,
    PP_JP,
    PP_KE,
    PROPOSAL,
    RM_JP,
    RM_KE,
    RM_TH,
    RULES,
    SECRETARIAT,
    TPE_A,
    TPE_B,
    TPE_OTHER_JC,
    TPE_VERIFIER_ONLY,
    K,
    Step,
    doc,
    docs,
    new_project,
    registered_project,
    take,
)

from jcm.domain.cycle import (
    Actor,
    Allocation,
    Approval,
    CreditingPeriod,
    JcDecision,
    Methodology,
    MethodologyAction,
    MonitoringAction,
    MonitoringRequest,
    MonitoringState,
    Participant,
    Participants,
    Project,
    ProjectState,
    Renewal,
    RuleBook,
    Side,
    Verification,
    Visibility,
    advance_methodology,
    advance_monitoring,
    codec,
    is_plain_json,
    propose_methodology,
    propose_revision,
    start_project,
    submit_monitoring_report,
)
from jcm.domain.errors import JcmError
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.issuance import MonitoringPeriod

MA = MonitoringAction
XA = MethodologyAction


def assert_round_trip(
    value: Any, to_json: Callable[[Any], Any], from_json: Callable[[Any], Any]
) -> Any:
    """Equal after a round trip through the form and through its JSON text, form unchanged."""
    form = to_json(value)
    text = json.dumps(form, allow_nan=False, ensure_ascii=False)
    assert is_plain_json(form)
    assert json.loads(text) == form
    assert from_json(form) == value
    assert from_json(json.loads(text)) == value
    assert to_json(from_json(json.loads(text))) == form
    return form


# -- projects ----------------------------------------------------------------------------------


def projects_on_the_happy_path() -> list[Project]:
    project = new_project()
    found = [project]
    for step in HAPPY:
        project, _ = take(project, step)
        found.append(project)
    return found


def registered_then(*steps: Step) -> Project:
    project = registered_project()
    for step in steps:
        project, _ = take(project, step)
    return project


LATER = date(2024, 7, 1)
NEW_SHARES = Allocation(
    (
        AllocationShare("JP-ENT-0007", Decimal("33.35")),
        AllocationShare("KE-ENT-0004", Decimal("66.65")),
    )
)
NEW_PARTICIPANTS = Participants((*PARTICIPANTS, Participant("KE-ORG-0012", Side.PARTNER)))
ALLOCATION_CHANGE = Step(
    PA.REQUEST_ALLOCATION_CHANGE,
    PP_JP,
    LATER,
    docs(K.POST_REGISTRATION_CHANGES_REQUEST, K.CREDIT_ALLOCATION_FORM, tag="change"),
    NEW_SHARES,
)
PARTICIPANT_CHANGE = Step(
    PA.REQUEST_PARTICIPANT_CHANGE,
    PP_KE,
    LATER,
    docs(K.POST_REGISTRATION_CHANGES_REQUEST, K.MODALITIES_OF_COMMUNICATION, tag="change"),
    NEW_PARTICIPANTS,
)
RENEWAL = Step(
    PA.REQUEST_RENEWAL,
    PP_JP,
    LATER,
    (
        doc(K.CREDITING_PERIOD_RENEWAL_REQUEST),
        doc(K.CREDITING_PERIOD_RENEWAL_REQUEST, visibility=Visibility.CONFIDENTIAL),
    ),
    Renewal(date(2037, 12, 31)),
)


def _constant(project: Project) -> Callable[[], Project]:
    return lambda: project


PROJECTS: dict[str, Callable[[], Project]] = {
    **{
        f"happy-{index}-{p.state.value}": _constant(p)
        for index, p in enumerate(projects_on_the_happy_path())
    },
    "allocation-change-pending": lambda: registered_then(ALLOCATION_CHANGE),
    "allocation-change-approved": lambda: registered_then(
        ALLOCATION_CHANGE, Step(PA.APPROVE_CHANGE, JC_KE, LATER + timedelta(days=30))
    ),
    "participant-change-pending": lambda: registered_then(PARTICIPANT_CHANGE),
    "renewal-pending": lambda: registered_then(RENEWAL),
    "renewal-approved": lambda: registered_then(
        RENEWAL, Step(PA.APPROVE_RENEWAL, JC_JP, LATER + timedelta(days=30))
    ),
    "started-at-the-pdd": lambda: start_project(
        PROPOSAL,
        PP_KE,
        date(2024, 1, 10),
        documents=docs(K.PDD, K.MODALITIES_OF_COMMUNICATION, K.MONITORING_PLAN),
        action=PA.SUBMIT_PDD,
        rules=RuleBook("KE PCP ver01.0", pin_required=False),
    )[0],
}


@pytest.mark.parametrize("name", list(PROJECTS))
def test_every_project_the_steps_produce_reads_back_equal(name: str) -> None:
    project = PROJECTS[name]()

    form = assert_round_trip(project, codec.project_to_json, codec.project_from_json)

    assert form["state"] == project.state.value
    assert len(form["history"]) == len(project.history)


def test_a_pending_change_keeps_its_kind_and_its_details() -> None:
    allocation = PROJECTS["allocation-change-pending"]()
    participants = PROJECTS["participant-change-pending"]()
    renewal = PROJECTS["renewal-pending"]()

    assert codec.project_to_json(allocation)["pending"] == {
        "allocation": [
            {"account": "JP-ENT-0007", "share_pct": "33.35"},
            {"account": "KE-ENT-0004", "share_pct": "66.65"},
        ]
    }
    assert codec.project_from_json(codec.project_to_json(participants)).pending == NEW_PARTICIPANTS
    assert codec.project_to_json(renewal)["pending"] == {"renewal_end": "2037-12-31"}
    assert codec.project_from_json(codec.project_to_json(renewal)).pending == Renewal(
        date(2037, 12, 31)
    )
    approved = PROJECTS["renewal-approved"]()
    assert codec.project_from_json(codec.project_to_json(approved)).crediting_period == (
        CreditingPeriod(date(2024, 1, 1), date(2037, 12, 31))
    )


def test_a_registered_project_has_the_documented_form() -> None:
    form: Any = codec.project_to_json(registered_project())

    assert form["methodology"] == {"id": "KE_AM001", "version": "1.0"}
    assert form["crediting_period"] == {"start": "2024-01-01", "end": "2030-12-31"}
    assert form["shares"] == [
        {"account": "JP-GOV-0001", "share_pct": "50"},
        {"account": "KE-ENT-0004", "share_pct": "30"},
        {"account": "KE-GOV-0001", "share_pct": "20"},
    ]
    assert (form["validator"], form["public_input_opened"], form["registered_on"]) == (
        "TPE-A",
        "2024-03-05",
        "2024-06-01",
    )
    assert form["history"][0] == {
        "action": "submit_pin",
        "from": None,
        "to": "pin_submitted",
        "organisation": "JP-ORG-0010",
        "role": "project_participant",
        "side": "japan",
        "on": "2024-01-10",
        "documents": [codec.document_to_json(doc(K.PIN))],
    }


# -- monitoring periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class MStep:
    action: MonitoringAction
    actor: Actor
    on: date
    documents: tuple[Any, ...] = ()
    payload: Verification | JcDecision | None = None


PERIOD = MonitoringPeriod(date(2024, 1, 1), date(2024, 12, 31))
MONITORING_STEPS = (
    MStep(MA.START_VERIFICATION, TPE_B, date(2025, 2, 1)),
    MStep(
        MA.VERIFY,
        TPE_B,
        date(2025, 3, 1),
        (
            doc(K.VERIFICATION_REPORT),
            doc(K.VERIFICATION_REPORT, visibility=Visibility.CONFIDENTIAL),
        ),
        Verification(1000),
    ),
    MStep(MA.REQUEST_ISSUANCE, PP_JP, date(2025, 3, 10), docs(K.ISSUANCE_REQUEST)),
    MStep(MA.ACCEPT_ISSUANCE_REQUEST, SECRETARIAT, date(2025, 3, 15)),
    MStep(
        MA.DECIDE,
        JC_KE,
        date(2025, 4, 1),
        payload=JcDecision(999, 2024, remainder_to="KE-ENT-0004", reference="KE-JC-7"),
    ),
    MStep(MA.RECORD_ISSUANCE, RM_JP, date(2025, 4, 10)),
    MStep(MA.RECORD_ISSUANCE, RM_KE, date(2025, 4, 11)),
)


def monitoring_requests() -> list[MonitoringRequest]:
    project = registered_project()
    request, _ = submit_monitoring_report(
        project,
        PERIOD,
        PP_KE,
        date(2025, 1, 15),
        documents=docs(K.MONITORING_REPORT),
        rules=RULES,
    )
    found = [request]
    for step in MONITORING_STEPS:
        request, _ = advance_monitoring(
            request,
            project,
            step.action,
            step.actor,
            step.on,
            documents=step.documents,
            payload=step.payload,
            rules=RULES,
        )
        found.append(request)
    return found


REQUESTS = monitoring_requests()


@pytest.mark.parametrize("request_", REQUESTS, ids=[r.state.value for r in REQUESTS])
def test_every_monitoring_period_the_steps_produce_reads_back_equal(
    request_: MonitoringRequest,
) -> None:
    form = assert_round_trip(request_, codec.monitoring_to_json, codec.monitoring_from_json)

    assert form["id"] == "KE001-M001"
    assert form["state"] == request_.state.value


def test_a_decided_and_partly_issued_period_keeps_its_decision_lines_and_sides() -> None:
    partly = next(r for r in REQUESTS if r.state is MonitoringState.PARTIALLY_ISSUED)

    form: Any = codec.monitoring_to_json(partly)

    assert form["decision"] == {
        "amount": 999,
        "vintage": 2024,
        "remainder_to": "KE-ENT-0004",
        "reference": "KE-JC-7",
    }
    # 999 × 50 % = 499.5 → 499, × 30 % = 299.7 → 299, × 20 % = 199.8 → 199; the 2 left
    # over go to the remainder holder the JC named.
    assert [(x["account"], x["quantity"], x["receives_remainder"]) for x in form["lines"]] == [
        ("JP-GOV-0001", 499, False),
        ("KE-ENT-0004", 301, True),
        ("KE-GOV-0001", 199, False),
    ]
    assert form["issued_sides"] == ["japan"]
    assert codec.monitoring_from_json(form).issued_sides == frozenset({Side.JAPAN})
    assert {(d["kind"], d["visibility"]) for d in form["documents"]} >= {
        ("verification_report", "public"),
        ("verification_report", "confidential"),
    }


# -- methodologies -----------------------------------------------------------------------------


def methodologies() -> dict[str, Methodology]:
    def step(m: Methodology, action: XA, actor: Actor, on: date, payload: Any = None) -> Any:
        return advance_methodology(m, action, actor, on, payload=payload, rules=RULES)[0]

    proposed, _ = propose_methodology(
        "KE_PM001",
        "Installation of solar PV systems",
        1,
        TPE_A,
        date(2023, 1, 10),
        documents=docs(K.PROPOSED_METHODOLOGY, K.METHODOLOGY_SPREADSHEET),
        rules=RULES,
    )
    opened = step(proposed, XA.OPEN_PUBLIC_INPUT, SECRETARIAT, date(2023, 1, 16))
    closed = step(opened, XA.CLOSE_PUBLIC_INPUT, SECRETARIAT, date(2023, 1, 31))
    valid = step(closed, XA.APPROVE, JC_KE, date(2023, 3, 20), Approval("KE_AM001"))
    revision, _ = propose_revision(
        valid,
        PP_JP,
        date(2024, 1, 10),
        documents=docs(K.METHODOLOGY_REVISION_REQUEST, K.METHODOLOGY_SPREADSHEET),
        title="Installation of solar PV systems, with storage",
        rules=RULES,
    )
    return {
        "proposed": proposed,
        "open": opened,
        "closed": closed,
        "valid": valid,
        "rejected": step(closed, XA.REJECT, JC_JP, date(2023, 3, 20)),
        "revision": revision,
        "superseded": step(valid, XA.SUPERSEDE, JC_KE, date(2024, 3, 1)),
    }


METHODOLOGIES = methodologies()


@pytest.mark.parametrize("name", list(METHODOLOGIES))
def test_every_methodology_the_steps_produce_reads_back_equal(name: str) -> None:
    methodology = METHODOLOGIES[name]

    form = assert_round_trip(methodology, codec.methodology_to_json, codec.methodology_from_json)

    assert form["state"] == methodology.state.value


def test_a_methodology_keeps_its_proposal_id_and_revision_link() -> None:
    valid = codec.methodology_to_json(METHODOLOGIES["valid"])
    revision = codec.methodology_to_json(METHODOLOGIES["revision"])

    assert (valid["id"], valid["proposal_id"], valid["approved_on"]) == (
        "KE_AM001",
        "KE_PM001",
        "2023-03-20",
    )
    assert (revision["id"], revision["version"], revision["revises"]) == (
        "KE_AM001",
        "2.0",
        "KE_AM001 1.0",
    )
    assert codec.methodology_key(METHODOLOGIES["valid"]) == "KE_PM001@1.0"
    assert codec.methodology_key(METHODOLOGIES["revision"]) == "KE_AM001@2.0"


# -- actors and rule books ---------------------------------------------------------------------

ACTORS = [
    PP_JP,
    PP_KE,
    TPE_A,
    TPE_VERIFIER_ONLY,
    TPE_OTHER_JC,
    SECRETARIAT,
    JC_JP,
    JC_KE,
    RM_JP,
    RM_KE,
    RM_TH,
]


@pytest.mark.parametrize("actor", ACTORS, ids=[a.organisation_id for a in ACTORS])
def test_every_actor_reads_back_equal(actor: Actor) -> None:
    form = assert_round_trip(actor, codec.actor_to_json, codec.actor_from_json)

    assert form["role"] == actor.role.value
    assert len(form["designations"]) == len(actor.designations)


def test_designations_are_stored_in_order_whatever_the_set_order() -> None:
    form: Any = codec.actor_to_json(TPE_A)

    assert form["designations"] == sorted(
        form["designations"], key=lambda d: (d["partner"], d["scope"], d["function"])
    )
    assert [d["scope"] for d in form["designations"]] == [1, 1, 2, 2, 3, 3]


RULE_BOOKS = [
    RULES,
    RuleBook("default"),
    RuleBook(
        "KE PCP ver01.0",
        pdd_public_input_days=20,
        methodology_public_input_days=10,
        pin_required=False,
        verifier_may_be_validator=False,
    ),
]


@pytest.mark.parametrize("rules", RULE_BOOKS, ids=[r.version for r in RULE_BOOKS])
def test_every_rule_book_reads_back_equal(rules: RuleBook) -> None:
    assert_round_trip(rules, codec.rule_book_to_json, codec.rule_book_from_json)


def test_an_illustrative_period_and_a_lenient_rule_book_read_back_equal() -> None:
    marked = replace(REQUESTS[0], illustrative=("id", "COP_RE"))
    lenient = RuleBook("demo", allow_illustrative_methodologies=True)

    form = assert_round_trip(marked, codec.monitoring_to_json, codec.monitoring_from_json)
    assert_round_trip(lenient, codec.rule_book_to_json, codec.rule_book_from_json)

    assert form["illustrative"] == ["id", "COP_RE"]
    assert "illustrative" not in codec.monitoring_to_json(REQUESTS[0])  # forms before issue 8


def test_a_rule_book_stored_before_issue_8_allows_no_illustrative_methodology() -> None:
    stored = dict(codec.rule_book_to_json(RuleBook("old")))  # type: ignore[arg-type]
    del stored["allow_illustrative_methodologies"]

    assert codec.rule_book_from_json(stored).allow_illustrative_methodologies is False


# -- damaged stored forms ----------------------------------------------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def mutate(form: Any) -> None:
        for key in path[:-1]:
            form = form[key]
        form[path[-1]] = value

    return mutate


def _drop(key: str) -> Callable[[Any], None]:
    return lambda form: form.pop(key)


PROJECT_FORM = codec.project_to_json(PROJECTS["renewal-pending"]())
MONITORING_FORM = codec.monitoring_to_json(REQUESTS[-2])
METHODOLOGY_FORM = codec.methodology_to_json(METHODOLOGIES["revision"])


def read_actor(data: Any) -> Actor:
    return codec.decode("actor", codec.actor_from_json, data)


def read_rule_book(data: Any) -> RuleBook:
    return codec.decode("rule book", codec.rule_book_from_json, data)


DAMAGE: list[tuple[str, Callable[[Any], Any], Any, Callable[[Any], None]]] = [
    ("project", codec.project_from_json, PROJECT_FORM, _drop("state")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("shares", 0, "share_pct"), "fifty")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("sectoral_scope",), "one")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("documents", 0, "sha256"), "ab")),
    (
        "project",
        codec.project_from_json,
        PROJECT_FORM,
        _set(("crediting_period", "end"), "2000-01-01"),
    ),
    ("monitoring period", codec.monitoring_from_json, MONITORING_FORM, _set(("seq",), "1")),
    (
        "monitoring period",
        codec.monitoring_from_json,
        MONITORING_FORM,
        _set(("verified_amount",), "878"),
    ),
    ("actor", read_actor, codec.actor_to_json(TPE_A), _set(("designations", 0, "scope"), 99)),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("state",), "approved")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("registered_on",), "2024-02-30")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("registered_on",), 20240601)),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("history",), 7)),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("history", 0, "role"), "king")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("participants", 1, "side"), "ke")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("documents", 0, "kind"), "fax")),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("pending",), {"renewal": 1})),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("pending",), ["allocation"])),
    ("project", codec.project_from_json, PROJECT_FORM, _set(("methodology",), "KE_AM001")),
    ("project", codec.project_from_json, PROJECT_FORM, lambda form: form.clear()),
    ("monitoring period", codec.monitoring_from_json, MONITORING_FORM, _drop("period")),
    ("monitoring period", codec.monitoring_from_json, MONITORING_FORM, _set(("state",), "paid")),
    (
        "monitoring period",
        codec.monitoring_from_json,
        MONITORING_FORM,
        _set(("issued_sides",), ["moon"]),
    ),
    ("monitoring period", codec.monitoring_from_json, MONITORING_FORM, _set(("decision",), {})),
    (
        "monitoring period",
        codec.monitoring_from_json,
        MONITORING_FORM,
        _set(("period", "end"), "end of 2024"),
    ),
    (
        "monitoring period",
        codec.monitoring_from_json,
        MONITORING_FORM,
        lambda form: form["lines"][0].pop("quantity"),
    ),
    ("methodology", codec.methodology_from_json, METHODOLOGY_FORM, _drop("version")),
    ("methodology", codec.methodology_from_json, METHODOLOGY_FORM, _set(("state",), "draft")),
    ("methodology", codec.methodology_from_json, METHODOLOGY_FORM, _set(("history",), None)),
    ("actor", read_actor, codec.actor_to_json(TPE_A), _set(("role",), "auditor")),
    (
        "actor",
        read_actor,
        codec.actor_to_json(TPE_A),
        _set(("designations", 0, "function"), "audit"),
    ),
    ("actor", read_actor, codec.actor_to_json(JC_KE), _drop("partner")),
    ("rule book", read_rule_book, codec.rule_book_to_json(RULES), _drop("pin_required")),
]


@pytest.mark.parametrize(
    ("record", "reader", "form", "damage"),
    DAMAGE,
    ids=[f"{d[0]}-{i}" for i, d in enumerate(DAMAGE)],
)
def test_a_damaged_stored_form_is_refused_as_a_corrupt_record(
    record: str, reader: Callable[[Any], Any], form: Any, damage: Callable[[Any], None]
) -> None:
    damaged = copy.deepcopy(form)
    damage(damaged)

    with pytest.raises(JcmError) as caught:
        reader(damaged)

    assert caught.value.code == "P8_CORRUPT_RECORD"
    assert caught.value.details == {"record": record}
    assert f"The stored {record} cannot be read" in caught.value.message


@pytest.mark.parametrize("stored", [None, [], "KE001", 42])
def test_a_stored_form_that_is_not_an_object_is_a_corrupt_record(stored: Any) -> None:
    for reader in (
        codec.project_from_json,
        codec.monitoring_from_json,
        codec.methodology_from_json,
    ):
        with pytest.raises(JcmError) as caught:
            reader(stored)
        assert caught.value.code == "P8_CORRUPT_RECORD"


# -- generated values --------------------------------------------------------------------------

ACCOUNTS = ["JP-GOV-0001", "JP-ENT-0007", "KE-GOV-0001", "KE-ENT-0004", "KE-ENT-0019"]


@st.composite
def allocations(draw: st.DrawFn) -> Allocation:
    """1-5 distinct JP/KE holding accounts with percentages of 0.01 summing to 100."""
    holders = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=5, unique=True))
    cuts = sorted(
        draw(
            st.lists(
                st.integers(1, 9_999),
                min_size=len(holders) - 1,
                max_size=len(holders) - 1,
                unique=True,
            )
        )
    )
    bounds = [0, *cuts, 10_000]
    return Allocation(
        tuple(
            AllocationShare(account, Decimal(high - low).scaleb(-2))
            for account, low, high in zip(holders, bounds, bounds[1:], strict=False)
        )
    )


@settings(max_examples=40, deadline=None)
@given(
    title=st.text(min_size=1, max_size=80).filter(lambda t: t.strip() and t == t.strip()),
    allocation=allocations(),
    end=st.dates(date(2024, 12, 31), date(2045, 12, 31)),
    focal_is_partner=st.booleans(),
)
def test_generated_titles_shares_and_periods_survive_the_round_trip(
    title: str, allocation: Allocation, end: date, focal_is_partner: bool
) -> None:
    participants = (
        Participant(PP_JP.organisation_id, Side.JAPAN, focal_point=not focal_is_partner),
        Participant(PP_KE.organisation_id, Side.PARTNER, focal_point=focal_is_partner),
    )
    proposal = replace(
        PROPOSAL,
        title=title,
        participants=participants,
        crediting_period=CreditingPeriod(date(2024, 1, 1), end),
    )
    project, _ = start_project(
        proposal, PP_JP, date(2024, 1, 10), documents=docs(K.PIN), rules=RULES
    )
    for step in HAPPY:
        if step.action is PA.REQUEST_REGISTRATION:
            step = replace(step, payload=allocation)
        project, _ = take(project, step)
    assert project.state is ProjectState.REGISTERED
    assert project.shares == allocation.shares

    assert_round_trip(project, codec.project_to_json, codec.project_from_json)


@settings(max_examples=40, deadline=None)
@given(
    version=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64),
    pdd_days=st.integers(1, 365),
    methodology_days=st.integers(1, 365),
    pin_required=st.booleans(),
    verifier_may_be_validator=st.booleans(),
)
def test_generated_rule_books_survive_the_round_trip(
    version: str,
    pdd_days: int,
    methodology_days: int,
    pin_required: bool,
    verifier_may_be_validator: bool,
) -> None:
    rules = RuleBook(version, pdd_days, methodology_days, pin_required, verifier_may_be_validator)

    assert_round_trip(rules, codec.rule_book_to_json, codec.rule_book_from_json)
