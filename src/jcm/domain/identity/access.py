"""Who may do what: one access rule per action, decided here for every door.

An entry point names the action a request performs (the HTTP API attaches one to every
route, and a test fails for a route without one); :func:`decide` then says yes, or refuses
with 401 (no valid credentials), 403 (known caller, wrong role, scope or organisation) or
404 (the caller may not even learn that the resource exists). Rules that depend on the
state of a project or a monitoring period (designations, partnerships, sides) stay in the
cycle's transition tables; the rule here only admits the roles those tables name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.errors import Forbidden, NotFound, Unauthenticated
from jcm.domain.identity.principal import Principal, Scope


class Resource(StrEnum):
    """What, beyond a role, ties the caller to the thing acted on."""

    NONE = "none"
    ACCOUNT_HOLDER = "account_holder"  # the account's holder organisation (or its registry's admin)
    OWN_ORGANISATION = "own_organisation"  # the caller's own organisation (or an administrator)
    REGISTRY = "registry"  # the registry acted on: its administrator (or an administrator)
    # The people of an organisation: its own administrators (users so marked), or the
    # platform's administrator.
    ORGANISATION_PEOPLE = "organisation_people"


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
    registry: str | None = None,
) -> None:
    """Allow, or raise. ``roles`` are the caller's organisation's roles from the register;
    ``admin_of`` the registries it administers; ``registry`` the registry a ``REGISTRY``
    rule acts on. A resource the caller may not see is ``NotFound`` (the same answer as an
    absent one), never ``Forbidden``."""
    if access.public:
        return
    if principal is None:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")
    held = set(roles)
    # No role stands in for another: the platform administrator takes only the acts whose
    # rules name it (it never takes a JC decision or a participant's step).
    if access.roles and not held & access.roles:
        raise Forbidden(
            "K2_FORBIDDEN",
            f"Organisation {principal.organisation_id} holds none of the roles this needs: "
            + ", ".join(sorted(r.value for r in access.roles))
            + ".",
            organisation=principal.organisation_id,
            needs=sorted(r.value for r in access.roles),
        )
    if access.scope is not None and not principal.has_scope(access.scope):
        raise Forbidden(
            "K2_MISSING_SCOPE",
            f"The credentials used do not carry the scope {access.scope.value}.",
            scope=access.scope.value,
        )
    _check_resource(access.resource, principal, held, holding, organisation, admin_of, registry)


def check_acts_for(principal: Principal | None, organisation: str) -> None:
    """A step names the organisation that takes it; a principal takes steps only as its own
    organisation (the operator's console: on that organisation's behalf). No principal, or
    the operator acting for no organisation, is the server's own code: not judged here."""
    if principal is None or not principal.organisation_id:
        return
    if principal.organisation_id != organisation:
        raise Forbidden(
            "K2_OTHER_ORGANISATION",
            f"Organisation {principal.organisation_id} cannot take a step as {organisation}.",
            organisation=principal.organisation_id,
            step_by=organisation,
        )


def _check_resource(
    resource: Resource,
    principal: Principal,
    roles: set[Role],
    holding: Holding | None,
    organisation: str | None,
    admin_of: Collection[str],
    registry: str | None,
) -> None:
    if resource is Resource.REGISTRY:
        if registry is None or not (registry in admin_of or Role.ADMINISTRATOR in roles):
            raise NotFound("K4_NOT_VISIBLE", "No such resource is visible to this caller.")
    elif resource is Resource.ACCOUNT_HOLDER:
        if holding is None or not sees_holding(principal, roles, holding, admin_of):
            raise NotFound("K4_NOT_VISIBLE", "No such resource is visible to this caller.")
    elif resource is Resource.OWN_ORGANISATION and (
        organisation != principal.organisation_id and Role.ADMINISTRATOR not in roles
    ):
        raise NotFound("K4_NOT_VISIBLE", "No such resource is visible to this caller.")
    elif resource is Resource.ORGANISATION_PEOPLE and Role.ADMINISTRATOR not in roles:
        _check_organisation_admin(principal, organisation)


def _check_organisation_admin(principal: Principal, organisation: str | None) -> None:
    if organisation != principal.organisation_id:
        raise NotFound("K4_NOT_VISIBLE", "No such resource is visible to this caller.")
    if not principal.organisation_admin:
        raise Forbidden(
            "K2_NOT_ORGANISATION_ADMIN",
            f"Only an administrator of organisation {organisation} manages its people.",
            organisation=organisation,
        )


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


# -- the registry's actions -------------------------------------------------------------------
# Who may take which registry action, by the action's name (the service's command name: a
# move's is its transaction kind). The HTTP API attaches these to its routes and `jcm log
# verify` judges every attributed log entry by them (``LOGGED_ACTIONS``), so the rule is
# written once. Designations, partnerships and sides stay in the cycle's transition tables.
_MOVE = rule(Scope.REGISTRY_MOVE, resource=Resource.ACCOUNT_HOLDER)  # the source's holder
_SET_UP = rule(Scope.ADMIN, Role.REGISTRY_ADMIN, Role.ADMINISTRATOR, resource=Resource.REGISTRY)
REGISTRY_RULES: dict[str, AccessRule] = {
    "create_registry": rule(Scope.ADMIN, Role.ADMINISTRATOR),
    "create_organisation": _SET_UP,
    "open_account": _SET_UP,
    "set_registry_active": _SET_UP,
    "set_account_status": _SET_UP,
    "record_decision": rule(Scope.CYCLE_DECIDE, Role.JC_MEMBER),
    "issue": rule(Scope.REGISTRY_ISSUE, Role.REGISTRY_MANAGER),
    "transfer": _MOVE,
    "external_transfer": _MOVE,
    "cancellation": _MOVE,
    "retirement": _MOVE,
    # Article 6: acts of the units' host Party (its registry administrator), wherever the
    # units are held (an authorisation: the host's registry or Japan's).
    "authorise": rule(Scope.REGISTRY_ISSUE, Role.REGISTRY_ADMIN, resource=Resource.REGISTRY),
    "corresponding_adjustment": rule(
        Scope.REGISTRY_ISSUE, Role.REGISTRY_ADMIN, resource=Resource.REGISTRY
    ),
}

# The register's set-up acts (platform administrator). The register of organisations and
# roles adds its grants and revocations here.
REGISTER_RULES: dict[str, AccessRule] = {
    "register_actor": rule(Scope.ADMIN, Role.ADMINISTRATOR),
    "define_rule_book": rule(Scope.ADMIN, Role.ADMINISTRATOR),
}

# The action a registry log entry records, by the entry's type.
LOGGED_ACTIONS: dict[str, str] = {
    "registry_created": "create_registry",
    "organisation_created": "create_organisation",
    "account_created": "open_account",
    "registry_status_changed": "set_registry_active",
    "account_status_changed": "set_account_status",
    "decision_recorded": "record_decision",
    "issuance": "issue",
    "transfer": "transfer",
    "external_transfer": "external_transfer",
    "cancellation": "cancellation",
    "retirement": "retirement",
    "authorisation": "authorise",
    "corresponding_adjustment": "corresponding_adjustment",
}


def administered_registries(actors: Iterable[Actor]) -> frozenset[str]:
    """The registries an organisation administers: those its registry-admin roles name."""
    return frozenset(
        a.partner for a in actors if a.role is Role.REGISTRY_ADMIN and a.partner is not None
    )
