"""Registering organisations and granting and revoking their roles: an administrator's act.

Each is one unit of work and one log entry: ``organisation_created`` (the registry's own
entry type for its organisations, so one replay rebuilds the whole register),
``role.granted`` and ``role.revoked``. The caller is the authenticated principal; it must
hold the administrator role, except the operator's console on the server
(``Channel.OPERATOR``), which acts as the platform's administrator.
"""

from __future__ import annotations

from typing import cast

from jcm.domain.cycle import codec
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role
from jcm.domain.errors import NotFound, RuleViolation
from jcm.domain.identity import register as reg
from jcm.domain.identity.access import decide, rule
from jcm.domain.identity.principal import Channel, Principal, Scope
from jcm.domain.registry.transactions import SetupEvent
from jcm.service_layer.identity.results import (
    OrganisationRegistered,
    RoleGranted,
    RoleRevoked,
)
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry import lookups as registry_lookups
from jcm.service_layer.results import JsonObject, to_json_object

ADMINISTER = rule(Scope.ADMIN, Role.ADMINISTRATOR)


def roles_held(uow: UnitOfWork, organisation_id: str) -> frozenset[Role]:
    return frozenset(actor.role for actor in uow.identity.roles(organisation_id))


def check_administrator(uow: UnitOfWork, by: Principal) -> None:
    """Only an administrator (or the operator's console on the server) may proceed."""
    if by.channel is Channel.OPERATOR:
        return
    decide(ADMINISTER, by, roles_held(uow, by.organisation_id))


def organisation_or_404(uow: UnitOfWork, organisation_id: str) -> reg.OrganisationEntry:
    found = uow.identity.find_organisation(organisation_id)
    if found is None or found.id != organisation_id:
        raise NotFound(
            "K5_UNKNOWN_ORGANISATION",
            f"There is no organisation {organisation_id!r} in the register.",
            organisation=organisation_id,
        )
    return found


def _by(principal: Principal) -> JsonObject:
    return cast(JsonObject, principal.attribution())


def register_organisation(
    uow: UnitOfWork, cmd: reg.RegisterOrganisation, by: Principal
) -> OrganisationRegistered:
    check_administrator(uow, by)
    oid = reg.check_organisation_id(cmd.organisation_id)
    existing = uow.identity.find_organisation(oid)
    if existing is not None:
        raise RuleViolation(
            "K5_ORGANISATION_EXISTS",
            f"Organisation {existing.id} is already registered; an organisation is never "
            "registered again (its roles change only by grants and revocations).",
            organisation=existing.id,
        )
    reg.refuse_registry_numbered(oid)
    name = reg.check_name(cmd.name, oid)
    if cmd.registry is not None:
        registry_lookups.active_registry(uow.ledger, cmd.registry)
    entry = reg.OrganisationEntry(oid, name, cmd.registry, cmd.kind)
    uow.identity.add_organisation(entry, uow.now)
    result = OrganisationRegistered(oid, cmd.registry, name, cmd.kind, _by(by))
    uow.ledger.add_event(SetupEvent.ORGANISATION_CREATED, None, to_json_object(result), uow.now)
    return result


def grant_role(uow: UnitOfWork, cmd: reg.GrantRole, by: Principal) -> RoleGranted:
    check_administrator(uow, by)
    organisation_or_404(uow, cmd.organisation_id)
    actor = reg.role_to_grant(cmd, roles_held(uow, cmd.organisation_id))
    if actor.role is Role.REGISTRY_ADMIN and actor.partner is not None:
        registry_lookups.find_registry(uow.ledger, actor.partner)  # it must exist
    uow.identity.add_role(actor, uow.now)
    decision = (cmd.decision or "").strip() or None
    result = RoleGranted(
        actor.organisation_id,
        actor.role.value,
        cast(JsonObject, codec.actor_to_json(actor)),
        decision,
        _by(by),
    )
    uow.ledger.add_event("role.granted", None, to_json_object(result), uow.now)
    return result


def revoke_role(uow: UnitOfWork, cmd: reg.RevokeRole, by: Principal) -> RoleRevoked:
    check_administrator(uow, by)
    organisation_or_404(uow, cmd.organisation_id)
    if not uow.identity.remove_role(cmd.organisation_id, cmd.role):
        raise NotFound(
            "K5_ROLE_NOT_HELD",
            f"Organisation {cmd.organisation_id} does not hold the role {cmd.role.value}.",
            organisation=cmd.organisation_id,
            role=cmd.role.value,
        )
    reason = (cmd.reason or "").strip() or None
    result = RoleRevoked(cmd.organisation_id, cmd.role.value, reason, _by(by))
    uow.ledger.add_event("role.revoked", None, to_json_object(result), uow.now)
    return result


def register_actor(uow: UnitOfWork, cmd: cc.RegisterActor, by: Principal) -> RoleGranted:
    """An actor's registration: the organisation registered if new, then the role granted
    (refused when already held). Two log entries, one unit of work."""
    check_administrator(uow, by)
    reg.refuse_designations_by_grant(cmd.organisation_id, len(cmd.designations))
    if uow.identity.find_organisation(cmd.organisation_id) is None:
        register_organisation(uow, reg.RegisterOrganisation(cmd.organisation_id, cmd.name), by)
    return grant_role(
        uow,
        reg.GrantRole(cmd.organisation_id, cmd.role, cmd.side, cmd.partner, cmd.decision),
        by,
    )
