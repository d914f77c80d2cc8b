"""The demo's people: one user per role of the demo's organisations, with generated
one-time passwords (changed at first login; a second factor where the rule book asks)."""

from __future__ import annotations

from dataclasses import dataclass

from jcm.domain.cycle.actors import Role
from jcm.domain.errors import RuleViolation
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.service_layer.identity.accounts import CreateUser
from jcm.service_layer.identity.service import IdentityService

DEMO_REGISTRY_ADMIN = "demo-ke-registry-admin"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    organisation: str
    login: str
    password: str  # one-time: shown once, changed at the first login


def demo_users(identity: IdentityService) -> list[DemoLogin]:
    """A user per role, on the first organisation holding it; a rerun gives each existing
    demo user a new one-time password (the old one is never stored, so never shown)."""
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
        try:
            made = identity.create_user(
                CreateUser(organisation, login, f"Demo {role_name}"), OPERATOR
            )
            password = made.password
        except RuleViolation as taken:
            if taken.code != "K5_LOGIN_TAKEN":
                raise
            password = identity.reset_password(login, OPERATOR).password
        logins.append(DemoLogin(role_name, organisation, login, password))
    return logins
