"""Shared set-up for HTTP API tests: the real app over httpx, a registry with units."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from fastapi.testclient import TestClient

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role, Side
from jcm.domain.identity.credentials import allowed_scopes
from jcm.domain.identity.principal import ALL_SCOPES, OPERATOR, Scope
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext

# What a role needs besides its name when the tests grant it (sides, partnerships, the JC
# decision appointing a JC member): Kenya's partnership, as the tests' worlds are built.
_GRANTS: dict[Role, dict[str, Any]] = {
    Role.PROJECT_PARTICIPANT: {"side": Side.PARTNER},
    Role.SECRETARIAT: {"partner": "KE"},
    Role.JC_MEMBER: {"side": Side.JAPAN, "partner": "KE", "decision": "JC-KE-TEST"},
    Role.REGISTRY_MANAGER: {"side": Side.JAPAN},
    Role.REGISTRY_ADMIN: {"partner": "KE"},
}


@dataclass
class Tokens:
    """Real API tokens from the identity service: the organisation is registered and its
    roles granted (by the operator) when the register does not have them yet."""

    app: App
    made: dict[str, str] = field(default_factory=dict)

    def add(
        self, name: str, org: str, *roles: Role, scopes: frozenset[Scope] = ALL_SCOPES
    ) -> dict[str, str]:
        identity = self.app.identity
        if org not in {o.organisation for o in identity.organisations()}:
            identity.register_organisation(RegisterOrganisation(org, org), OPERATOR)
        held = identity.roles_of(org)
        for role in roles:
            if role not in held:
                identity.grant_role(GrantRole(org, role, **_GRANTS.get(role, {})), OPERATOR)
        allowed = scopes & allowed_scopes(identity.roles_of(org))
        token = identity.create_token(OPERATOR, org, name, allowed, 30).token
        self.made[name] = token
        return {"Authorization": f"Bearer {token}"}


@dataclass
class ApiWorld:
    client: TestClient
    identity: Tokens
    holder: dict[str, str]  # the KE entity account holder's headers
    other: dict[str, str]  # a JP entity account holder's headers
    accounts: dict[str, str]
    decision: int


def api_world(app: App) -> ApiWorld:
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    jp_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    ke_org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    jp = r.open_account(c.OpenAccount("JP", jp_org, AccountType.ENTITY_HOLDING, "Buyer")).account
    ke = r.open_account(c.OpenAccount("KE", ke_org, AccountType.ENTITY_HOLDING, "Solar")).account
    shares = (
        AllocationShare("JP-GOV-0001", Decimal(50)),
        AllocationShare(ke, Decimal(50)),
    )
    decision = r.record_decision(
        c.RecordDecision("KE001", date(2023, 1, 1), date(2023, 12, 31), 2023, 1000, shares)
    ).decision
    r.issue(c.Issue(decision, "JP"))
    r.issue(c.Issue(decision, "KE"))
    identity = Tokens(app)
    client = TestClient(create_app(ApiContext(app, app.identity)), raise_server_exceptions=False)
    return ApiWorld(
        client,
        identity,
        identity.add("ke-token", ke_org, Role.PROJECT_PARTICIPANT),
        identity.add("jp-token", jp_org, Role.PROJECT_PARTICIPANT),
        {"jp": jp, "ke": ke, "ke_can": "KE-CAN-0002"},
        int(decision),
    )


def is_problem(response: httpx.Response, status: int, code: str | None = None) -> bool:
    body = response.json()
    return (
        response.status_code == status
        and response.headers["content-type"].startswith("application/problem+json")
        and body["status"] == status
        and (code is None or body["code"] == code)
        and body["type"] == f"urn:jcm:problem:{body['code']}"
    )
