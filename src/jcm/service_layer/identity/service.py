"""The identity facade: the register of organisations and roles (users, sessions and API
tokens follow), for the CLI and the HTTP API alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from jcm.domain.cycle import codec
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role
from jcm.domain.identity import register as reg
from jcm.domain.identity.principal import Principal
from jcm.service_layer.identity import register as h
from jcm.service_layer.identity.results import (
    OrganisationRegistered,
    OrganisationSummary,
    RoleGranted,
    RoleRevoked,
)
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory
from jcm.service_layer.results import ChangeResult, JsonObject
from jcm.service_layer.runner import execute

C = TypeVar("C")
R = TypeVar("R", bound=ChangeResult)


class IdentityService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow = uow_factory

    def _run(
        self,
        name: str,
        cmd: C,
        handler: Callable[[UnitOfWork, C, Principal], R],
        by: Principal,
        key: str | None,
        result_type: type[R],
    ) -> R:
        return execute(
            self.uow, name, cmd, lambda u: handler(u, cmd, by), key, result_type=result_type
        )

    # -- the register ------------------------------------------------------------------------
    def register_organisation(
        self, cmd: reg.RegisterOrganisation, by: Principal, key: str | None = None
    ) -> OrganisationRegistered:
        """Register a new organisation (refused for an existing id: never an overwrite)."""
        return self._run(
            "register_organisation", cmd, h.register_organisation, by, key, OrganisationRegistered
        )

    def grant_role(self, cmd: reg.GrantRole, by: Principal, key: str | None = None) -> RoleGranted:
        """Grant a role the organisation does not hold (a JC member's needs ``decision``)."""
        return self._run("grant_role", cmd, h.grant_role, by, key, RoleGranted)

    def revoke_role(
        self, cmd: reg.RevokeRole, by: Principal, key: str | None = None
    ) -> RoleRevoked:
        return self._run("revoke_role", cmd, h.revoke_role, by, key, RoleRevoked)

    def register_actor(
        self, cmd: cc.RegisterActor, by: Principal, key: str | None = None
    ) -> RoleGranted:
        """Register the organisation if new and grant it the role (refused when held)."""
        return self._run("register_actor", cmd, h.register_actor, by, key, RoleGranted)

    def organisations(self, registry: str | None = None) -> list[OrganisationSummary]:
        """The register, each organisation with its roles; ``registry``: only its own."""
        home = registry.upper() if registry else None
        with self.uow(read_only=True) as uow:
            roles: dict[str, list[JsonObject]] = {}
            for actor in uow.identity.all_roles():
                roles.setdefault(actor.organisation_id, []).append(
                    cast(JsonObject, codec.actor_to_json(actor))
                )
            return [
                OrganisationSummary(o.id, o.name, o.registry, o.kind, tuple(roles.get(o.id, ())))
                for o in uow.identity.list_organisations()
                if home is None or o.registry == home
            ]

    def roles_of(self, organisation_id: str) -> frozenset[Role]:
        with self.uow(read_only=True) as uow:
            return h.roles_held(uow, organisation_id)

    def registries_administered(self, organisation_id: str) -> frozenset[str]:
        """The registries this organisation administers (its registry_admin roles)."""
        with self.uow(read_only=True) as uow:
            return frozenset(
                a.partner
                for a in uow.identity.roles(organisation_id)
                if a.role is Role.REGISTRY_ADMIN and a.partner is not None
            )
