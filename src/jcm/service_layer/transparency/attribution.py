"""Replaying who took each step: an attributed entry must be one its organisation may take.

An entry made through a unit of work acting for a principal records it as ``actor``
(``organisation``, ``via`` api|operator, ``user``, ``token``; schema 2). Replay judges it
with the state the earlier entries built, before the entry is applied:

* a **registry** entry (set-up, decision, issuance, move, Article 6 step) by the one rule
  of who may take that action, :data:`jcm.domain.identity.access.REGISTRY_RULES`, with the
  organisation's roles and administered registries as the log gives them at that point,
  for a move the holder of the source account and, for an authorisation, the host Party
  of each of its units (its registry's administrator authorises, wherever they are held);
* a **cycle** step (project, monitoring period, methodology, TPE designation) must be
  taken for the organisation that the step names as its actor (``change.actor``), holding
  that role at that point of the log; the transition tables then check the role as before;
* registering an actor and defining a rule book are an administrator's acts
  (:data:`jcm.domain.identity.access.REGISTER_RULES`);
* a **cooperative-approach register** entry by its rule in
  :data:`jcm.domain.identity.aef_actions.REGISTER`: an approach is the administrator's, an
  authorisation or authorised entity the administrator's of its Party's registry
  (``change.party``);
* an **AEF report submission** (``aef.report_submitted``) by its rule in
  :data:`jcm.domain.identity.aef_actions.AEF`: the administrator of the reporting Party's
  registry (``change.party``).

An entry that names no organisation (``via: operator`` alone: the operator's own set-up)
and an unattributed entry (schema 1: written before attribution existed, or in-process
with no principal) are accepted as the operator's. Scopes belong to the credential and are
checked at the door; the log does not record them.

The roles come from the cycle replay's actors (``CycleState.actors_of``): the same register
the cycle steps are replayed with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jcm.domain.cycle.actors import Role
from jcm.domain.errors import Forbidden, NotFound
from jcm.domain.identity.access import (
    LOGGED_ACTIONS,
    REGISTER_RULES,
    REGISTRY_RULES,
    AccessRule,
    Holding,
    Resource,
    administered_registries,
    check_acts_for,
    decide,
)
from jcm.domain.identity.aef_actions import AEF, AEF_KINDS, REGISTER, REGISTER_KINDS
from jcm.domain.identity.principal import Channel, Principal
from jcm.service_layer.cycle.replay import KINDS, CycleState

# Cycle entries whose change names the actor who took the step.
_CYCLE_STEP_HEADS = frozenset(KINDS)
_CYCLE_SETUP = {"actor.registered": "register_actor", "rule_book.defined": "define_rule_book"}


class AttributionError(ValueError):
    """An entry attributed to an organisation that may not take it: ``subject`` the step,
    ``expected`` who the rules admit, ``found`` the logged actor."""

    def __init__(self, message: str, subject: str, expected: Any, found: Any) -> None:
        super().__init__(message)
        self.subject = subject
        self.expected = expected
        self.found = found


# Set-up acts the operator's console takes as the platform's administrator (the register's
# own acts, grants and users, are likewise the console's to take: see service_layer.identity).
_OPERATOR_SET_UP = frozenset(
    {
        "create_registry",
        "create_organisation",
        "open_account",
        "set_registry_active",
        "set_account_status",
        "register_actor",
        "define_rule_book",
        "register_approach",
    }
)


def _who(principal: Principal) -> str:
    return f"{principal.organisation_id} (via {principal.channel.value})"


def check_entry(
    kind: str,
    change: Mapping[str, Any],
    principal: Principal,
    accounts: Mapping[str, Mapping[str, Any]],
    cycle: CycleState,
    *,
    hosts: Callable[[Mapping[str, Any]], list[str]] | None = None,
) -> None:
    """Raise :class:`AttributionError` if ``principal`` may not have taken this entry's step.

    ``accounts`` are the registry's accounts as replayed so far (holder, registry);
    ``hosts`` gives the host Parties of a transaction entry's units (an authorisation's
    registries), from the decisions replayed so far."""
    if not principal.organisation_id:
        return  # the operator's own act, for no organisation
    head = kind.partition(".")[0]
    if kind == "actor.designated" or head in _CYCLE_STEP_HEADS:
        _check_cycle_step(kind, change, principal, cycle)
        return
    action = (
        _CYCLE_SETUP.get(kind)
        or LOGGED_ACTIONS.get(kind)
        or REGISTER_KINDS.get(kind)
        or AEF_KINDS.get(kind)
    )
    if action is None:
        return  # an entry of no organisation's action (a key rotation)
    if principal.channel is Channel.OPERATOR and action in _OPERATOR_SET_UP:
        return  # the console on the server administers the platform, for any organisation
    access = _rules_of(kind)[action]
    _check_rule(kind, access, change, principal, accounts, cycle, hosts)


def _rules_of(kind: str) -> Mapping[str, AccessRule]:
    if kind in _CYCLE_SETUP:
        return REGISTER_RULES
    if kind in AEF_KINDS:
        return AEF
    return REGISTER if kind in REGISTER_KINDS else REGISTRY_RULES


def _check_cycle_step(
    kind: str, change: Mapping[str, Any], principal: Principal, cycle: CycleState
) -> None:
    named = change["actor"]
    organisation, role = named["organisation"], named["role"]
    subject = f"{kind} taken by {organisation} as {role}"
    try:
        check_acts_for(principal, organisation)
    except Forbidden:
        raise AttributionError(
            f"{subject} is attributed to {_who(principal)}",
            subject,
            organisation,
            principal.attribution(),
        ) from None
    if Role(role) not in {a.role for a in cycle.actors_of(organisation)}:
        raise AttributionError(
            f"{subject} is attributed to {_who(principal)}, which holds no role {role} at "
            "this point of the log",
            subject,
            f"{organisation} holding {role}",
            principal.attribution(),
        )


def _check_rule(
    kind: str,
    access: AccessRule,
    change: Mapping[str, Any],
    principal: Principal,
    accounts: Mapping[str, Mapping[str, Any]],
    cycle: CycleState,
    hosts: Callable[[Mapping[str, Any]], list[str]] | None,
) -> None:
    actors = cycle.actors_of(principal.organisation_id)
    holding, registries = _resource(kind, access, change, accounts, hosts)
    named_source = holding is not None or kind == "authorisation"
    subject = kind + (f" from {change['source']}" if named_source else "")
    registry: str | None = None
    try:
        for registry in registries:
            decide(
                access,
                principal,
                {a.role for a in actors},
                holding=holding,
                admin_of=administered_registries(actors),
                registry=registry,
            )
    except Forbidden:
        needs = ", ".join(sorted(r.value for r in access.roles))
        raise AttributionError(
            f"{subject} is attributed to {_who(principal)}, which holds none of the roles it "
            f"needs at this point of the log: {needs}",
            subject,
            f"an organisation holding {needs}",
            principal.attribution(),
        ) from None
    except NotFound:
        if holding is not None:
            expected = (
                f"the holder of {change.get('source')} ({holding.organisation_id}) or an "
                f"administrator of registry {holding.registry}"
            )
        else:
            expected = f"an administrator of registry {registry}"
        raise AttributionError(
            f"{subject} is attributed to {_who(principal)}, which is not {expected}",
            subject,
            expected,
            principal.attribution(),
        ) from None


def _resource(
    kind: str,
    access: AccessRule,
    change: Mapping[str, Any],
    accounts: Mapping[str, Mapping[str, Any]],
    hosts: Callable[[Mapping[str, Any]], list[str]] | None,
) -> tuple[Holding | None, list[str | None]]:
    """What the rule looks at: the source account's holding, or the registries acted on
    (an authorisation: the host Party of each of its units)."""
    if access.resource is Resource.ACCOUNT_HOLDER:
        source = accounts[change["source"]]
        return Holding(source["organisation_id"], source["registry"]), [None]
    if access.resource is Resource.REGISTRY:
        if kind == "account_status_changed":
            return None, [str(accounts[change["account"]]["registry"])]
        if kind in REGISTER_KINDS or kind in AEF_KINDS:
            return None, [str(change["party"])]  # the authorising (reporting) Party's
        if kind == "authorisation" and hosts is not None:
            return None, list(hosts(change)) or [str(change["registry"])]
        return None, [str(change["registry"])]
    return None, [None]
