"""The demo's people: one user per role of the demo's organisations, with generated
one-time passwords (changed at first login; a second factor where the rule book asks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jcm.domain.cycle.actors import Role
from jcm.domain.errors import RuleViolation
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.service_layer.identity.accounts import CreateUser
from jcm.service_layer.identity.service import IdentityService
from jcm.service_layer.registry.service import RegistryService

DEMO_REGISTRY_ADMIN = "demo-ke-registry-admin"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    organisation: str
    login: str
    password: str  # one-time: shown once, changed at the first login


def demo_users(
    identity: IdentityService, holders_of_accounts: Mapping[str, str] | None = None
) -> list[DemoLogin]:
    """A user per role, on the first organisation holding it, and one per account-holding
    organisation of ``holders_of_accounts`` (login → organisation: the people who move
    credits); a rerun gives each existing demo user a new one-time password (the old one is
    never stored, so never shown)."""
    logins = []
    holders: dict[str, str] = {}
    for org in identity.organisations():
        for role in org.roles:
            holders.setdefault(str(role["role"]), org.organisation)
    if Role.REGISTRY_ADMIN.value not in holders:  # the cycle's cast has none: Kenya's
        identity.register_organisation(
            RegisterOrganisation(DEMO_REGISTRY_ADMIN, "Kenya's JCM registry administration"),
            OPERATOR,
        )
        identity.grant_role(
            GrantRole(DEMO_REGISTRY_ADMIN, Role.REGISTRY_ADMIN, partner="KE"), OPERATOR
        )
        holders[Role.REGISTRY_ADMIN.value] = DEMO_REGISTRY_ADMIN
    if Role.ADMINISTRATOR.value not in holders:
        created = identity.create_administrator(
            "demo-administrator", "Demo administrator", OPERATOR
        )
        logins.append(
            DemoLogin("administrator", created.organisation, created.login, created.password)
        )
    for role_name, organisation in sorted(holders.items()):
        login = f"demo-{role_name.replace('_', '-')}"
        password = _user(identity, organisation, login, f"Demo {role_name}")
        logins.append(DemoLogin(role_name, organisation, login, password))
    for login, organisation in sorted((holders_of_accounts or {}).items()):
        password = _user(identity, organisation, login, f"Demo {login}")
        logins.append(DemoLogin("account_holder", organisation, login, password))
    return logins


def _user(identity: IdentityService, organisation: str, login: str, name: str) -> str:
    """A new user's one-time password, or a fresh one for an existing user."""
    try:
        return identity.create_user(CreateUser(organisation, login, name), OPERATOR).password
    except RuleViolation as taken:
        if taken.code != "K5_LOGIN_TAKEN":
            raise
        return identity.reset_password(login, OPERATOR).password


# The demo's account holders who sign in to move credits: login → (registry, account name).
DEMO_HOLDERS = {
    "demo-ke-holder": ("KE", "Demo Factory Solar Ltd (KE001 participant)"),
    "demo-jp-holder": ("JP", "Demo Trading KK"),
}


def demo_account_holders(registry: RegistryService) -> dict[str, str]:
    """login → the organisation holding the demo's named entity account (those present)."""
    by_name = {(a.registry, a.name): a.organisation for a in registry.accounts()}
    return {login: by_name[where] for login, where in DEMO_HOLDERS.items() if where in by_name}
