"""Who may do what: one access rule per action, decided here for every door.

An entry point names the action a request performs (the HTTP API attaches one to every
route, and a test fails for a route without one); :func:`decide` then says yes, or refuses
with 401 (no valid credentials), 403 (known caller, wrong role, scope or organisation) or
404 (the caller may not even learn that the resource exists). Rules that depend on the
state of a project or a monitoring period (designations, partnerships, sides) stay in the
cycle's transition tables; the rule here only admits the roles those tables name.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from jcm.domain.cycle.actors import Role
from jcm.domain.errors import Forbidden, NotFound, Unauthenticated
from jcm.domain.identity.principal import Principal, Scope


class Resource(StrEnum):
    """What, beyond a role, ties the caller to the thing acted on."""

    NONE = "none"
    ACCOUNT_HOLDER = "account_holder"  # the account's holder organisation (or its registry's admin)
    OWN_ORGANISATION = "own_organisation"  # the caller's own organisation (or an administrator)


@dataclass(frozen=True, slots=True)
class AccessRule:
    """``public``: anyone, even anonymous. Otherwise an authenticated caller whose token
    holds ``scope`` and whose organisation holds one of ``roles`` (any role when empty)."""

    public: bool = False
    scope: Scope | None = None
    roles: frozenset[Role] = frozenset()
    resource: Resource = Resource.NONE

    def describe(self) -> str:
        if self.public:
            return "public"
        parts = [f"scope {self.scope.value}" if self.scope else "any scope"]
        parts.append(
            "roles " + ", ".join(sorted(r.value for r in self.roles)) if self.roles else "any role"
        )
        if self.resource is not Resource.NONE:
            parts.append(self.resource.value)
        return "; ".join(parts)


PUBLIC = AccessRule(public=True)


def rule(scope: Scope | None, *roles: Role, resource: Resource = Resource.NONE) -> AccessRule:
    return AccessRule(False, scope, frozenset(roles), resource)


@dataclass(frozen=True, slots=True)
class Holding:
    """The resource an ``ACCOUNT_HOLDER`` rule looks at: who holds it, in which registry."""

    organisation_id: str
    registry: str


def decide(
    access: AccessRule,
    principal: Principal | None,
    roles: Collection[Role] = (),
    *,
    holding: Holding | None = None,
    organisation: str | None = None,
    admin_of: Collection[str] = (),
) -> None:
    """Allow, or raise. ``roles`` are the caller's organisation's roles from the register;
    ``admin_of`` the registries it administers. A resource the caller may not see is
    ``NotFound`` (the same answer as an absent one), never ``Forbidden``."""
    if access.public:
        return
    if principal is None:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")
    if access.scope is not None and not principal.has_scope(access.scope):
        raise Forbidden(
            "K2_MISSING_SCOPE",
            f"The credentials used do not carry the scope {access.scope.value}.",
            scope=access.scope.value,
        )
    held = set(roles)
    if access.roles and not held & access.roles and Role.ADMINISTRATOR not in held:
        raise Forbidden(
            "K2_FORBIDDEN",
            f"Organisation {principal.organisation_id} holds none of the roles this needs: "
            + ", ".join(sorted(r.value for r in access.roles))
            + ".",
            organisation=principal.organisation_id,
            needs=sorted(r.value for r in access.roles),
        )
    _check_resource(access.resource, principal, held, holding, organisation, admin_of)


def _check_resource(
    resource: Resource,
    principal: Principal,
    roles: set[Role],
    holding: Holding | None,
    organisation: str | None,
    admin_of: Collection[str],
) -> None:
    if resource is Resource.ACCOUNT_HOLDER:
        if holding is None or not sees_holding(principal, roles, holding, admin_of):
            raise NotFound("K4_NOT_VISIBLE", "No such resource is visible to this caller.")
    elif resource is Resource.OWN_ORGANISATION and (
        organisation != principal.organisation_id and Role.ADMINISTRATOR not in roles
    ):
        raise NotFound("K4_NOT_VISIBLE", "No such resource is visible to this caller.")


def sees_holding(
    principal: Principal | None,
    roles: Collection[Role],
    holding: Holding,
    admin_of: Collection[str] = (),
) -> bool:
    """Whether a caller may see an account (and its holdings and transactions): its holder,
    its registry's administrator, or the platform administrator."""
    if principal is None:
        return False
    return (
        holding.organisation_id == principal.organisation_id
        or holding.registry in admin_of
        or Role.ADMINISTRATOR in roles
    )
