"""Who may take each cycle step through a door: the transition tables' roles, each role's
scope, and the work queue's notion of which projects concern an actor."""

from __future__ import annotations

from typing import Any

import pytest

from jcm.domain.cycle.actors import Actor, Role, Side, TpeFunction, designations
from jcm.domain.cycle.machine import Transition
from jcm.domain.cycle.methodology_approval import METHODOLOGY_TRANSITIONS
from jcm.domain.cycle.monitoring_transitions import MONITORING_TRANSITIONS
from jcm.domain.cycle.project_transitions import PROJECT_TRANSITIONS
from jcm.domain.errors import Forbidden, InvalidInput, JcmError, Unauthenticated
from jcm.domain.identity.cycle_actions import (
    CYCLE_ROLES,
    SCOPE_OF_ROLE,
    Machine,
    acting_role,
    actions,
    check_cycle_scope,
    concerns,
    roles_for,
)
from jcm.domain.identity.principal import ALL_SCOPES, Channel, Principal, Scope

TABLES: dict[Machine, tuple[Transition[Any, Any], ...]] = {
    Machine.PROJECT: PROJECT_TRANSITIONS,
    Machine.MONITORING: MONITORING_TRANSITIONS,
    Machine.METHODOLOGY: METHODOLOGY_TRANSITIONS,
}
EVERY_STEP = [(m, a) for m in Machine for a in actions(m)]


def caller(*scopes: Scope) -> Principal:
    return Principal("org-1", "user-1", Channel.API, frozenset(scopes) if scopes else ALL_SCOPES)


def refusal(role: Role, machine: Machine, action: str, principal: Principal) -> JcmError | None:
    try:
        acting_role(machine, action, principal, {role})
    except JcmError as error:
        return error
    return None


@pytest.mark.parametrize(("machine", "action"), EVERY_STEP)
def test_every_step_admits_exactly_the_roles_its_table_rows_name(
    machine: Machine, action: str
) -> None:
    named = frozenset().union(*(r.roles for r in TABLES[machine] if r.action.value == action))

    outcomes = {role: refusal(role, machine, action, caller()) for role in CYCLE_ROLES}

    assert roles_for(machine, action) == named
    assert {r for r, error in outcomes.items() if error is None} == named
    assert all(
        isinstance(e, Forbidden) and e.code == "K2_FORBIDDEN"
        for r, e in outcomes.items()
        if r not in named
    )


@pytest.mark.parametrize(("machine", "action"), EVERY_STEP)
def test_a_token_acts_in_a_role_only_with_that_roles_scope(machine: Machine, action: str) -> None:
    for role in roles_for(machine, action):
        others = [s for s in Scope if s is not SCOPE_OF_ROLE[role]]

        allowed = refusal(role, machine, action, caller(SCOPE_OF_ROLE[role]))
        refused = refusal(role, machine, action, caller(*others))

        assert allowed is None
        assert isinstance(refused, Forbidden)
        assert refused.code == "K2_MISSING_SCOPE"
        assert refused.details["scope"] == SCOPE_OF_ROLE[role].value


def test_participants_submit_tpes_verify_and_the_others_decide() -> None:
    assert SCOPE_OF_ROLE == {
        Role.PROJECT_PARTICIPANT: Scope.CYCLE_SUBMIT,
        Role.TPE: Scope.CYCLE_VERIFY,
        Role.SECRETARIAT: Scope.CYCLE_DECIDE,
        Role.JC_MEMBER: Scope.CYCLE_DECIDE,
        Role.REGISTRY_MANAGER: Scope.CYCLE_DECIDE,
    }


def test_an_organisation_holding_two_fitting_roles_must_say_which() -> None:
    both = {Role.PROJECT_PARTICIPANT, Role.TPE}

    with pytest.raises(InvalidInput) as ambiguous:
        acting_role(Machine.METHODOLOGY, "propose", caller(), both)
    chosen = acting_role(Machine.METHODOLOGY, "propose", caller(), both, Role.TPE)
    by_scope = acting_role(Machine.METHODOLOGY, "propose", caller(Scope.CYCLE_SUBMIT), both)

    assert ambiguous.value.code == "P1_AMBIGUOUS_ACTOR"
    assert chosen is Role.TPE
    assert by_scope is Role.PROJECT_PARTICIPANT


def test_a_role_the_organisation_does_not_hold_cannot_be_chosen() -> None:
    with pytest.raises(Forbidden) as refused:
        acting_role(
            Machine.PROJECT, "register", caller(), {Role.PROJECT_PARTICIPANT}, Role.JC_MEMBER
        )

    assert refused.value.code == "K2_FORBIDDEN"


def test_an_unknown_step_is_refused_with_the_steps_listed() -> None:
    with pytest.raises(InvalidInput) as refused:
        roles_for(Machine.MONITORING, "verfy")

    assert refused.value.code == "P8_BAD_ACTION"
    assert "verify" in refused.value.message


def test_steps_are_named_with_dashes_or_underscores() -> None:
    assert roles_for(Machine.PROJECT, "submit-pdd") == roles_for(Machine.PROJECT, "submit_pdd")


def test_anonymous_callers_act_in_no_role() -> None:
    with pytest.raises(Unauthenticated):
        acting_role(Machine.PROJECT, "submit_pin", None, {Role.PROJECT_PARTICIPANT})
    with pytest.raises(Unauthenticated):
        check_cycle_scope(None, {Role.TPE})


def test_uploading_needs_the_scope_of_a_cycle_role_held() -> None:
    check_cycle_scope(caller(Scope.CYCLE_VERIFY), {Role.TPE})

    with pytest.raises(Forbidden) as refused:
        check_cycle_scope(caller(Scope.CYCLE_SUBMIT), {Role.TPE})

    assert refused.value.code == "K2_MISSING_SCOPE"


def test_a_project_concerns_its_participants_its_partnership_and_designated_tpes() -> None:
    pp = Actor("pp", Role.PROJECT_PARTICIPANT, Side.JAPAN)
    tpe = Actor("tpe", Role.TPE, designations=designations("KE", (1,), TpeFunction.VALIDATION))
    jc = Actor("jc", Role.JC_MEMBER, Side.JAPAN, "KE")
    rm_jp = Actor("rm-jp", Role.REGISTRY_MANAGER, Side.JAPAN)
    rm_id = Actor("rm-id", Role.REGISTRY_MANAGER, Side.PARTNER, "ID")

    def sees(actor: Actor) -> bool:
        return concerns(actor, "KE", {"pp"}, 1)

    assert [sees(a) for a in (pp, tpe, jc, rm_jp, rm_id)] == [True, True, True, True, False]
    assert not concerns(pp, "KE", {"other"}, 1)
    assert not concerns(tpe, "KE", {"pp"}, 3)
    assert concerns(tpe, "KE", {"pp"}, 3, engaged_tpe="tpe")
    assert not concerns(jc, "ID", {"pp"}, 1)
