"""Who may take each project-cycle step through a door, and in which role.

The cycle's transition tables (``PROJECT_TRANSITIONS``, ``MONITORING_TRANSITIONS``,
``METHODOLOGY_TRANSITIONS``) say which roles may take each step; this module reads them, so
the rule is written once. A door (the HTTP API) names the step and the authenticated caller;
:func:`acting_role` answers the role the caller's organisation acts in, or refuses:

* 403 ``K2_FORBIDDEN``: the organisation holds none of the roles the step admits;
* 403 ``K2_MISSING_SCOPE``: it does, but the credentials lack that role's scope
  (participants submit, ``cycle:submit``; TPEs validate and verify, ``cycle:verify``; the
  secretariat, the JC and the registry managers decide and issue, ``cycle:decide``).

The designation, partnership, participant and side checks stay in the transition tables'
own checks (``jcm.domain.cycle.machine.check_actor``): they need the project in hand.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum
from typing import Any

from jcm.domain.cycle.actors import Actor, Role, Side
from jcm.domain.cycle.machine import Transition
from jcm.domain.cycle.methodology_approval import METHODOLOGY_TRANSITIONS
from jcm.domain.cycle.monitoring_transitions import MONITORING_TRANSITIONS
from jcm.domain.cycle.project_transitions import PROJECT_TRANSITIONS
from jcm.domain.errors import Forbidden, InvalidInput, Unauthenticated
from jcm.domain.identity.access import PUBLIC, AccessRule, rule
from jcm.domain.identity.principal import Principal, Scope


class Machine(StrEnum):
    PROJECT = "project"
    MONITORING = "monitoring"
    METHODOLOGY = "methodology"


# The scope a token needs to act in each cycle role.
SCOPE_OF_ROLE: dict[Role, Scope] = {
    Role.PROJECT_PARTICIPANT: Scope.CYCLE_SUBMIT,
    Role.TPE: Scope.CYCLE_VERIFY,
    Role.SECRETARIAT: Scope.CYCLE_DECIDE,
    Role.JC_MEMBER: Scope.CYCLE_DECIDE,
    Role.REGISTRY_MANAGER: Scope.CYCLE_DECIDE,
}
CYCLE_ROLES = frozenset(SCOPE_OF_ROLE)

_TABLES: dict[Machine, tuple[Transition[Any, Any], ...]] = {
    Machine.PROJECT: PROJECT_TRANSITIONS,
    Machine.MONITORING: MONITORING_TRANSITIONS,
    Machine.METHODOLOGY: METHODOLOGY_TRANSITIONS,
}


def step_name(text: str) -> str:
    """``submit-pdd`` and ``submit_pdd`` name the same step."""
    return text.strip().lower().replace("-", "_")


def actions(machine: Machine) -> tuple[str, ...]:
    """The step names of one machine, in table order."""
    return tuple(dict.fromkeys(row.action.value for row in _TABLES[machine]))


def roles_for(machine: Machine, action: str) -> frozenset[Role]:
    """The roles any row of ``machine``'s table admits for ``action``; an unknown step is
    refused (``P8_BAD_ACTION``) with the list of steps."""
    name = step_name(action)
    roles = [row.roles for row in _TABLES[machine] if row.action.value == name]
    if not roles:
        raise InvalidInput(
            "P8_BAD_ACTION",
            f"{action!r} is not a {machine.value} step; the steps are: "
            f"{', '.join(a.replace('_', '-') for a in actions(machine))}.",
            action=action,
        )
    return frozenset().union(*roles)


def scopes_for(roles: Iterable[Role]) -> frozenset[Scope]:
    return frozenset(SCOPE_OF_ROLE[r] for r in roles if r in SCOPE_OF_ROLE)


def acting_role(
    machine: Machine,
    action: str,
    principal: Principal | None,
    held: Collection[Role],
    chosen: Role | None = None,
) -> Role:
    """The role the caller's organisation takes ``action`` in: one the step admits, that the
    organisation holds and whose scope the credentials carry. ``chosen`` narrows it when
    several fit (an organisation both participant and TPE proposing a methodology)."""
    if principal is None:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")
    admitted = roles_for(machine, action)
    candidates = admitted & frozenset(held)
    if chosen is not None:
        candidates &= {chosen}
    if not candidates:
        needs = sorted(r.value for r in admitted)
        raise Forbidden(
            "K2_FORBIDDEN",
            f"Organisation {principal.organisation_id} holds none of the roles the "
            f"{machine.value} step {step_name(action)} needs"
            + (f" (it asked to act as {chosen.value})" if chosen else "")
            + f": {', '.join(needs)}.",
            organisation=principal.organisation_id,
            action=step_name(action),
            needs=needs,
        )
    usable = sorted(r for r in candidates if principal.has_scope(SCOPE_OF_ROLE[r]))
    if not usable:
        scopes = sorted(s.value for s in scopes_for(candidates))
        raise Forbidden(
            "K2_MISSING_SCOPE",
            f"The credentials used do not carry the scope {' or '.join(scopes)} the "
            f"{machine.value} step {step_name(action)} needs.",
            scope=scopes[0],
            scopes=scopes,
        )
    if len(usable) > 1:
        raise InvalidInput(
            "P1_AMBIGUOUS_ACTOR",
            f"Organisation {principal.organisation_id} may take {step_name(action)} as "
            f"{' or '.join(r.value for r in usable)}; say which role it acts in.",
            organisation=principal.organisation_id,
            roles=[r.value for r in usable],
        )
    return usable[0]


def check_cycle_scope(principal: Principal | None, held: Collection[Role]) -> None:
    """For acts open to every cycle role (uploading a document): the credentials carry the
    scope of at least one cycle role the organisation holds."""
    if principal is None:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")
    scopes = scopes_for(held)
    if not any(principal.has_scope(s) for s in scopes):
        needed = sorted(s.value for s in scopes) or sorted(s.value for s in SCOPE_OF_ROLE.values())
        raise Forbidden(
            "K2_MISSING_SCOPE",
            f"The credentials used carry none of the scopes {', '.join(sorted(set(needed)))}.",
            scope=needed[0],
            scopes=sorted(set(needed)),
        )


def concerns(
    actor: Actor,
    partner: str,
    participants: Collection[str],
    scope: int,
    engaged_tpe: str | None = None,
) -> bool:
    """Whether a project (of ``partner``, in sectoral ``scope``) belongs in ``actor``'s work
    queue: its own projects for a participant; for a TPE, those it is engaged on or
    designated for; its partnership's for the secretariat, a JC member and a partner-side
    registry manager; every project for Japan's registry manager."""
    match actor.role:
        case Role.PROJECT_PARTICIPANT:
            return actor.organisation_id in participants
        case Role.TPE:
            return engaged_tpe == actor.organisation_id or any(
                d.partner == partner and d.scope == scope for d in actor.designations
            )
        case Role.SECRETARIAT | Role.JC_MEMBER:
            return actor.partner == partner
        case Role.REGISTRY_MANAGER:
            return actor.side is Side.JAPAN or actor.partner == partner
        case _:
            return False


# -- the routes' rules ------------------------------------------------------------------------
# A route serving several steps admits every cycle role at the door; the step's own rule
# (:func:`acting_role`) then picks the role and the scope inside.
ANY_CYCLE_ROLE = rule(None, *CYCLE_ROLES)

CYCLE: dict[str, AccessRule] = {
    # What the public registry publishes: projects with their cycle status.
    "list_projects": PUBLIC,
    "show_project": PUBLIC,
    # The cycle's working views: any organisation holding a cycle role.
    "project_next_steps": ANY_CYCLE_ROLE,
    "work_queue": ANY_CYCLE_ROLE,
    "list_monitoring_periods": ANY_CYCLE_ROLE,
    "show_monitoring_period": ANY_CYCLE_ROLE,
    "list_rule_books": ANY_CYCLE_ROLE,
    # Steps: participants start projects and submit reports; the step routes admit every
    # cycle role and check the step's own role and scope inside.
    "start_project": rule(Scope.CYCLE_SUBMIT, Role.PROJECT_PARTICIPANT),
    "project_step": ANY_CYCLE_ROLE,
    "submit_report": rule(Scope.CYCLE_SUBMIT, Role.PROJECT_PARTICIPANT),
    "monitoring_step": ANY_CYCLE_ROLE,
    # JC decisions outside one project: designating a TPE.
    "designate_tpe": rule(Scope.CYCLE_DECIDE, Role.JC_MEMBER),
    # Rule books: the platform administrator.
    "define_rule_book": rule(Scope.ADMIN, Role.ADMINISTRATOR),
}

DOCUMENTS: dict[str, AccessRule] = {
    # Public versions to everyone; a confidential one only to those the rule book permits
    # (anyone else, like a caller asking for an absent one, gets 404).
    "read_document": PUBLIC,
    "upload_document": ANY_CYCLE_ROLE,
}

METHODOLOGIES: dict[str, AccessRule] = {
    "list_methodologies": PUBLIC,
    "show_methodology": PUBLIC,
    "methodology_sheet": PUBLIC,
    "list_methodology_proposals": PUBLIC,
    "show_methodology_proposal": PUBLIC,
    # Calculations run on the server: any authenticated caller.
    "eligibility": rule(None),
    "calculate": rule(None),
    "calculate_sheet": rule(None),
    # The approval process: the step's own rule picks role and scope inside.
    "propose_methodology": rule(None, *roles_for(Machine.METHODOLOGY, "propose")),
    "revise_methodology": rule(None, *roles_for(Machine.METHODOLOGY, "propose_revision")),
    "methodology_step": ANY_CYCLE_ROLE,
}
