"""Methodology approval: proposal, public input, JC decision, revisions as new versions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from test_cycle_world import (
    JC_JP,
    JC_KE,
    JC_TH,
    PP_JP,
    RULES,
    SECRETARIAT,
    TPE_A,
    K,
    assert_plain_json_event,
    docs,
    registered_project,
)

from jcm.domain.cycle import (
    METHODOLOGY_TRANSITIONS,
    Actor,
    Approval,
    Methodology,
    MethodologyAction,
    MethodologyState,
    Role,
    Transition,
    advance_methodology,
    check_methodology_applicable,
    propose_methodology,
    propose_revision,
)
from jcm.domain.cycle.jsonvalues import Event
from jcm.domain.errors import JcmError

MA = MethodologyAction
MS = MethodologyState
PROPOSAL_DOCS = docs(K.PROPOSED_METHODOLOGY, K.METHODOLOGY_SPREADSHEET)


def refused(call: Callable[[], object], code: str) -> JcmError:
    with pytest.raises(JcmError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


def proposed(actor: Actor = PP_JP) -> Methodology:
    m, _ = propose_methodology(
        "KE_PM001",
        "Installation of solar PV systems",
        1,
        actor,
        date(2023, 1, 10),
        documents=PROPOSAL_DOCS,
        rules=RULES,
    )
    return m


def step(
    m: Methodology,
    action: MethodologyAction,
    actor: Actor,
    on: date,
    payload: Approval | None = None,
) -> tuple[Methodology, Event]:
    return advance_methodology(m, action, actor, on, payload=payload, rules=RULES)


def opened() -> Methodology:
    return step(proposed(), MA.OPEN_PUBLIC_INPUT, SECRETARIAT, date(2023, 1, 16))[0]


def closed() -> Methodology:
    return step(opened(), MA.CLOSE_PUBLIC_INPUT, SECRETARIAT, date(2023, 1, 31))[0]


def valid() -> Methodology:
    return step(closed(), MA.APPROVE, JC_KE, date(2023, 3, 20), Approval("KE_AM001"))[0]


def test_a_proposal_is_open_for_public_input_for_15_days_then_approved() -> None:
    m, proposed_event = propose_methodology(
        "KE_PM001", "Solar PV", 1, TPE_A, date(2023, 1, 10), documents=PROPOSAL_DOCS, rules=RULES
    )
    m, _ = step(m, MA.OPEN_PUBLIC_INPUT, SECRETARIAT, date(2023, 1, 16))
    m, _ = step(m, MA.CLOSE_PUBLIC_INPUT, SECRETARIAT, date(2023, 1, 31))
    m, approved_event = step(m, MA.APPROVE, JC_JP, date(2023, 3, 20), Approval("KE_AM001"))

    assert (m.id, m.version, m.state) == ("KE_AM001", "1.0", MS.VALID)
    assert (m.proposal_id, m.proponent, m.approved_on) == ("KE_PM001", "TPE-A", date(2023, 3, 20))
    assert_plain_json_event(proposed_event, "methodology.propose")
    assert_plain_json_event(approved_event, "methodology.approve")
    change = approved_event["change"]
    assert isinstance(change, dict)
    assert (change["methodology"], change["proposal_id"], change["to"]) == (
        "KE_AM001",
        "KE_PM001",
        "valid",
    )


def test_a_revision_is_a_new_version_of_the_same_id_and_supersedes_the_old() -> None:
    current = valid()

    revision, event = propose_revision(
        current,
        PP_JP,
        date(2024, 1, 10),
        documents=docs(K.METHODOLOGY_REVISION_REQUEST, K.METHODOLOGY_SPREADSHEET),
        rules=RULES,
    )
    revision, _ = step(revision, MA.OPEN_PUBLIC_INPUT, SECRETARIAT, date(2024, 1, 11))
    revision, _ = step(revision, MA.CLOSE_PUBLIC_INPUT, SECRETARIAT, date(2024, 1, 26))
    revision, _ = step(revision, MA.APPROVE, JC_KE, date(2024, 3, 1), Approval())
    old, _ = step(current, MA.SUPERSEDE, JC_KE, date(2024, 3, 1))

    assert (revision.id, revision.version, revision.state) == ("KE_AM001", "2.0", MS.VALID)
    assert revision.revises == "KE_AM001 1.0"
    assert old.state is MS.SUPERSEDED
    assert_plain_json_event(event, "methodology.propose_revision")


def test_the_jc_may_reject_a_proposal() -> None:
    m, _ = step(closed(), MA.REJECT, JC_KE, date(2023, 3, 20))

    assert m.state is MS.REJECTED
    assert m.id == "KE_PM001"


ROWS = [row for row in METHODOLOGY_TRANSITIONS if row.source is not None]
BY_STATE: dict[MethodologyState, Callable[[], Methodology]] = {
    MS.PROPOSED: proposed,
    MS.OPEN_FOR_PUBLIC_INPUT: opened,
    MS.PUBLIC_INPUT_CLOSED: closed,
    MS.VALID: valid,
}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.source}-{r.action}" for r in ROWS])
def test_every_transition_of_the_table_leads_to_its_target(
    row: Transition[MethodologyState, MethodologyAction],
) -> None:
    assert row.source is not None
    m = BY_STATE[row.source]()
    actor = SECRETARIAT if Role.SECRETARIAT in row.roles else JC_KE
    last = m.last_on
    assert last is not None
    payload = Approval("KE_AM009") if row.payload is Approval else None

    new, event = step(m, row.action, actor, last + timedelta(days=30), payload)

    assert new.state is row.target
    assert_plain_json_event(event, f"methodology.{row.action.value}")


# -- refusals --------------------------------------------------------------------------------


def test_public_input_cannot_close_before_15_days() -> None:
    m = opened()
    before = copy.deepcopy(m)

    error = refused(
        lambda: step(m, MA.CLOSE_PUBLIC_INPUT, SECRETARIAT, date(2023, 1, 30)), "P3_TOO_EARLY"
    )

    assert "KE-JC-SECRETARIAT (secretariat) cannot close_public_input methodology KE_PM001" in (
        error.message
    )
    assert "opened on 2023-01-16 for 15 days and closes on 2023-01-31" in error.message
    assert m == before


def test_a_participant_cannot_open_public_input() -> None:
    error = refused(
        lambda: step(proposed(), MA.OPEN_PUBLIC_INPUT, PP_JP, date(2023, 1, 16)), "P1_WRONG_ROLE"
    )

    assert "only secretariat may do that" in error.message


def test_a_jc_member_of_another_partnership_cannot_approve() -> None:
    refused(
        lambda: step(closed(), MA.APPROVE, JC_TH, date(2023, 3, 1), Approval("KE_AM001")),
        "P1_WRONG_JC",
    )


def test_a_proposal_needs_its_spreadsheet() -> None:
    error = refused(
        lambda: propose_methodology(
            "KE_PM001",
            "Solar",
            1,
            PP_JP,
            date(2023, 1, 1),
            documents=docs(K.PROPOSED_METHODOLOGY),
            rules=RULES,
        ),
        "P2_MISSING_DOCUMENT",
    )

    assert "methodology_spreadsheet" in error.message


def test_a_methodology_cannot_be_approved_during_public_input() -> None:
    error = refused(
        lambda: step(opened(), MA.APPROVE, JC_KE, date(2023, 3, 1), Approval("KE_AM001")),
        "P4_BAD_TRANSITION",
    )

    assert "approve is allowed only from public_input_closed" in error.message


def test_only_a_valid_methodology_can_be_revised() -> None:
    error = refused(
        lambda: propose_revision(closed(), PP_JP, date(2024, 1, 1), rules=RULES),
        "P4_BAD_TRANSITION",
    )

    assert "only a valid methodology can be revised" in error.message


@pytest.mark.parametrize("approved_id", [None, "TH_AM001", "KE_PM002", "KE_AM01"])
def test_a_first_approval_assigns_an_approved_id_of_the_same_partner(
    approved_id: str | None,
) -> None:
    refused(
        lambda: step(closed(), MA.APPROVE, JC_KE, date(2023, 3, 1), Approval(approved_id)),
        "P8_BAD_METHODOLOGY",
    )


def test_a_revision_keeps_its_id() -> None:
    revision, _ = propose_revision(
        valid(),
        PP_JP,
        date(2024, 1, 10),
        documents=docs(K.METHODOLOGY_REVISION_REQUEST, K.METHODOLOGY_SPREADSHEET),
        rules=RULES,
    )
    revision = replace(
        revision, state=MS.PUBLIC_INPUT_CLOSED, public_input_opened=date(2024, 1, 11)
    )

    error = refused(
        lambda: step(revision, MA.APPROVE, JC_KE, date(2024, 3, 1), Approval("KE_AM002")),
        "P8_BAD_METHODOLOGY",
    )

    assert "keeps id KE_AM001" in error.message


@pytest.mark.parametrize("bad", ["KE_AM001", "KE-PM001", "ke_pm001", ""])
def test_a_proposal_has_a_pm_id(bad: str) -> None:
    refused(
        lambda: propose_methodology(bad, "x", 1, PP_JP, date(2023, 1, 1), rules=RULES),
        "P8_BAD_METHODOLOGY",
    )


def test_a_project_applies_a_valid_version_of_its_methodology() -> None:
    project = registered_project()
    current = valid()
    superseded = step(current, MA.SUPERSEDE, JC_KE, date(2024, 3, 1))[0]

    check_methodology_applicable(project, current)
    error = refused(
        lambda: check_methodology_applicable(project, superseded), "P4_METHODOLOGY_NOT_VALID"
    )
    refused(
        lambda: check_methodology_applicable(project, replace(current, version="2.0")),
        "P8_BAD_METHODOLOGY",
    )

    assert "KE_AM001 v1.0, which is superseded" in error.message
