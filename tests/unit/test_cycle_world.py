"""A small JCM world for the project-cycle tests (imported by the other test_cycle_* modules),
and the tests of its actors, document references, access rule and rule book."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from jcm.domain.cycle import (
    Actor,
    Allocation,
    CreditingPeriod,
    Designation,
    DocumentAccess,
    DocumentKind,
    DocumentRef,
    Participant,
    Project,
    ProjectAction,
    ProjectProposal,
    Role,
    RuleBook,
    Side,
    TpeFunction,
    Visibility,
    advance_project,
    designations,
    may_read,
    start_project,
)
from jcm.domain.cycle.jsonvalues import Event, is_plain_json
from jcm.domain.errors import InvalidInput
from jcm.domain.registry.allocation import AllocationShare

K = DocumentKind
PA = ProjectAction
VAL = TpeFunction.VALIDATION
VER = TpeFunction.VERIFICATION
RULES = RuleBook("KE PCP ver03.0")

PP_JP = Actor("JP-ORG-0010", Role.PROJECT_PARTICIPANT, Side.JAPAN)
PP_KE = Actor("KE-ORG-0011", Role.PROJECT_PARTICIPANT, Side.PARTNER)
PP_OUTSIDER = Actor("KE-ORG-0099", Role.PROJECT_PARTICIPANT, Side.PARTNER)
TPE_A = Actor("TPE-A", Role.TPE, designations=designations("KE", [1, 2, 3], VAL, VER))
TPE_B = Actor("TPE-B", Role.TPE, designations=designations("KE", [1], VAL, VER))
TPE_VERIFIER_ONLY = Actor("TPE-C", Role.TPE, designations=designations("KE", [1], VER))
TPE_OTHER_SCOPE = Actor("TPE-D", Role.TPE, designations=designations("KE", [7, 8], VAL, VER))
TPE_OTHER_JC = Actor("TPE-E", Role.TPE, designations=designations("TH", [1], VAL, VER))
SECRETARIAT = Actor("KE-JC-SECRETARIAT", Role.SECRETARIAT, partner="KE")
JC_JP = Actor("JP-MOEJ", Role.JC_MEMBER, Side.JAPAN, partner="KE")
JC_KE = Actor("KE-MOE", Role.JC_MEMBER, Side.PARTNER, partner="KE")
JC_TH = Actor("TH-ONEP", Role.JC_MEMBER, Side.PARTNER, partner="TH")
RM_JP = Actor("JP-REGISTRY", Role.REGISTRY_MANAGER, Side.JAPAN)
RM_KE = Actor("KE-REGISTRY", Role.REGISTRY_MANAGER, Side.PARTNER, partner="KE")
RM_TH = Actor("TH-REGISTRY", Role.REGISTRY_MANAGER, Side.PARTNER, partner="TH")

PARTICIPANTS = (
    Participant(PP_JP.organisation_id, Side.JAPAN, focal_point=True),
    Participant(PP_KE.organisation_id, Side.PARTNER),
)
CREDITING = CreditingPeriod(date(2024, 1, 1), date(2030, 12, 31))
PROPOSAL = ProjectProposal(
    "KE001",
    "43 MW solar power plant in Garissa",
    "KE_AM001",
    "1.0",
    1,
    PARTICIPANTS,
    CREDITING,
)
SHARES = (
    AllocationShare("JP-GOV-0001", Decimal("50")),
    AllocationShare("KE-ENT-0004", Decimal("30")),
    AllocationShare("KE-GOV-0001", Decimal("20")),
)


def sha(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()


def doc(
    kind: DocumentKind, tag: str = "", visibility: Visibility = Visibility.PUBLIC
) -> DocumentRef:
    return DocumentRef(kind, sha(f"{kind.value}:{tag}:{visibility.value}"), visibility)


def docs(*kinds: DocumentKind, tag: str = "") -> tuple[DocumentRef, ...]:
    return tuple(doc(k, tag) for k in kinds)


@dataclass(frozen=True)
class Step:
    action: ProjectAction
    actor: Actor
    on: date
    documents: tuple[DocumentRef, ...] = ()
    payload: object = None


PIN_DAY = date(2024, 1, 10)
# The happy path of a project after its PIN, in order; the PDD window opens on 5 March
# 2024 and, open for 30 days, is closed from 4 April 2024.
HAPPY: tuple[Step, ...] = (
    Step(PA.DECIDE_NO_OBJECTION, JC_KE, date(2024, 2, 1)),
    Step(
        PA.SUBMIT_PDD,
        PP_JP,
        date(2024, 3, 1),
        docs(K.PDD, K.MODALITIES_OF_COMMUNICATION, K.MONITORING_PLAN),
    ),
    Step(PA.OPEN_PUBLIC_INPUT, TPE_A, date(2024, 3, 5)),
    Step(PA.START_VALIDATION, TPE_A, date(2024, 4, 4)),
    Step(PA.VALIDATE, TPE_A, date(2024, 5, 1), docs(K.VALIDATION_REPORT)),
    Step(
        PA.REQUEST_REGISTRATION,
        PP_KE,
        date(2024, 5, 10),
        docs(K.REGISTRATION_REQUEST, K.CREDIT_ALLOCATION_FORM),
        Allocation(SHARES),
    ),
    Step(PA.ACCEPT_REGISTRATION_REQUEST, SECRETARIAT, date(2024, 5, 15)),
    Step(PA.REGISTER, JC_JP, date(2024, 6, 1)),
)


def new_project(rules: RuleBook = RULES) -> Project:
    project, _ = start_project(PROPOSAL, PP_JP, PIN_DAY, documents=docs(K.PIN), rules=rules)
    return project


def take(project: Project, step: Step, rules: RuleBook = RULES) -> tuple[Project, Event]:
    return advance_project(
        project,
        step.action,
        step.actor,
        step.on,
        documents=step.documents,
        payload=step.payload,  # type: ignore[arg-type]
        rules=rules,
    )


def project_before(action: ProjectAction, rules: RuleBook = RULES) -> Project:
    """The project on the happy path just before ``action`` would be taken."""
    project = new_project(rules)
    for step in HAPPY:
        if step.action is action:
            return project
        project, _ = take(project, step, rules)
    raise AssertionError(f"{action} is not on the happy path")


def happy_step(action: ProjectAction) -> Step:
    return next(step for step in HAPPY if step.action is action)


def registered_project(rules: RuleBook = RULES) -> Project:
    project = new_project(rules)
    for step in HAPPY:
        project, _ = take(project, step, rules)
    return project


def assert_plain_json_event(event: Event, expected_type: str) -> None:
    """The event has the type, only plain JSON values (no floats) and survives a round trip."""
    assert event["type"] == expected_type
    assert is_plain_json(event)
    assert json.loads(json.dumps(event, allow_nan=False)) == event


def refs(values: Sequence[DocumentRef]) -> list[str]:
    return [r.kind.value for r in values]


# -- actors ----------------------------------------------------------------------------------


def test_a_tpe_is_designated_per_partnership_scope_and_function() -> None:
    assert TPE_A.is_designated("KE", 2, VER)
    assert not TPE_VERIFIER_ONLY.is_designated("KE", 1, VAL)
    assert not TPE_OTHER_JC.is_designated("KE", 1, VAL)
    assert Designation("KE", 1, VAL) in TPE_B.designations


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"organisation_id": "x/y", "role": Role.TPE}, "must be 1-64"),
        ({"organisation_id": "A", "role": Role.PROJECT_PARTICIPANT}, "needs a side"),
        ({"organisation_id": "A", "role": Role.JC_MEMBER, "side": Side.JAPAN}, "partnership"),
        ({"organisation_id": "A", "role": Role.SECRETARIAT}, "partnership"),
        (
            {"organisation_id": "A", "role": Role.REGISTRY_MANAGER, "side": Side.PARTNER},
            "partnership",
        ),
        (
            {
                "organisation_id": "A",
                "role": Role.SECRETARIAT,
                "partner": "KE",
                "designations": designations("KE", [1], VAL),
            },
            "cannot hold TPE designations",
        ),
        ({"organisation_id": "A", "role": Role.SECRETARIAT, "partner": "ke"}, "ISO 3166-1"),
    ],
)
def test_an_actor_must_be_complete_for_its_role(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Actor(**kwargs)  # type: ignore[arg-type]

    assert caught.value.code == "P8_BAD_ACTOR"
    assert fragment in caught.value.message


@pytest.mark.parametrize("scope", [0, 16, -1, True])
def test_a_designation_names_a_scope_from_1_to_15(scope: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        Designation("KE", scope, VAL)

    assert caught.value.code == "P8_BAD_SCOPE"


def test_the_japanese_registry_manager_serves_every_partnership() -> None:
    assert RM_JP.partner is None
    assert RM_JP.describe() == "JP-REGISTRY (registry_manager, japan side)"


# -- documents and access --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "ABC", "g" * 64, "A" * 64, "a" * 63, "../" + "a" * 61])
def test_a_document_reference_needs_a_lower_case_sha256(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        DocumentRef(K.PDD, bad)

    assert caught.value.code == "P8_BAD_HASH"


ACCESS = DocumentAccess(
    "KE", frozenset({PP_JP.organisation_id}), frozenset({TPE_A.organisation_id})
)


@pytest.mark.parametrize(
    ("reader", "allowed"),
    [
        (None, False),
        (PP_JP, True),
        (PP_OUTSIDER, False),
        (TPE_A, True),
        (TPE_B, False),
        (SECRETARIAT, True),
        (JC_JP, True),
        (JC_KE, True),
        (JC_TH, False),
        (RM_JP, False),
        (RM_KE, False),
    ],
    ids=lambda v: v.organisation_id if isinstance(v, Actor) else str(v),
)
def test_only_those_engaged_read_a_confidential_version(
    reader: Actor | None, allowed: bool
) -> None:
    assert may_read(reader, Visibility.CONFIDENTIAL, ACCESS) is allowed
    assert may_read(reader, Visibility.PUBLIC, ACCESS) is True


def test_a_project_grants_access_to_its_participants_and_engaged_tpes() -> None:
    project = registered_project()

    access = project.access(tpes=["TPE-B"])

    assert access == DocumentAccess(
        "KE",
        frozenset({PP_JP.organisation_id, PP_KE.organisation_id}),
        frozenset({"TPE-A", "TPE-B"}),
    )


# -- rule book -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"version": ""},
        {"version": " padded"},
        {"version": "x", "pdd_public_input_days": 0},
        {"version": "x", "methodology_public_input_days": 366},
        {"version": "x", "pdd_public_input_days": True},
    ],
)
def test_a_rule_book_has_a_version_and_sensible_windows(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as caught:
        RuleBook(**kwargs)  # type: ignore[arg-type]

    assert caught.value.code == "P8_BAD_RULE_BOOK"


def test_the_default_windows_are_30_days_for_a_pdd_and_15_for_a_methodology() -> None:
    rules = RuleBook("any")

    assert (rules.pdd_public_input_days, rules.methodology_public_input_days) == (30, 15)
    assert rules.pin_required
    assert rules.verifier_may_be_validator
