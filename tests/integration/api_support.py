"""Shared set-up for HTTP API tests: the real app over httpx, a registry with units."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import httpx
from fastapi.testclient import TestClient

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.errors import Forbidden, Unauthenticated
from jcm.domain.identity.principal import ALL_SCOPES, Channel, Principal, Scope
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext


@dataclass
class StaticIdentity:
    """Bearer tokens fixed by the test (until the identity service lands)."""

    tokens: dict[str, Principal] = field(default_factory=dict)
    roles: dict[str, frozenset[Role]] = field(default_factory=dict)

    def authenticate_token(self, token: str) -> Principal:
        if token not in self.tokens:
            raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")
        return self.tokens[token]

    def authenticate_session(self, session_token: str) -> Principal:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")

    def check_csrf(self, session_token: str, csrf_token: str) -> None:
        raise Forbidden("K2_FORBIDDEN", "no sessions here")

    def roles_of(self, organisation_id: str) -> frozenset[Role]:
        return self.roles.get(organisation_id, frozenset())

    def registries_administered(self, organisation_id: str) -> frozenset[str]:
        return frozenset()

    def add(
        self, token: str, org: str, *roles: Role, scopes: frozenset[Scope] = ALL_SCOPES
    ) -> dict[str, str]:
        self.tokens[token] = Principal(org, f"user-{token}", Channel.API, scopes)
        self.roles[org] = self.roles.get(org, frozenset()) | frozenset(roles)
        return {"Authorization": f"Bearer {token}"}


@dataclass
class ApiWorld:
    client: TestClient
    identity: StaticIdentity
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
    identity = StaticIdentity()
    client = TestClient(create_app(ApiContext(app, identity)), raise_server_exceptions=False)
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
