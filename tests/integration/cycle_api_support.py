"""Shared set-up for the project cycle over HTTP: the README's cast, each with its token.

The actors are registered through the service as the demo registers them; each gets a
bearer token whose organisation and roles match the register (Tokens until the
identity service lands).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from api_support import Tokens
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from jcm.bootstrap import App
from jcm.domain.cycle import Role, Side
from jcm.domain.cycle import commands as cc
from jcm.domain.identity.principal import ALL_SCOPES, Scope
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.demo_cycle import DEMO_RULE_BOOK, actors, enrol

API = "/api/v1"
PP = "demo-jp-solar"  # KE001's focal point
KE_PP = "demo-ke-factory"
TPE = "demo-tpe"
SEC = "jc-sec-ke"
JC = "jc-ke"
FACTS: dict[str, Any] = {
    "host_country": "KE",
    "technology": "solar_pv",
    "connection": "captive_only",
    "grid": "national",
    "pv_modules_iec_certified": True,
}


@dataclass
class CycleWorld:
    app: App
    client: TestClient
    identity: Tokens
    headers: dict[str, dict[str, str]]  # organisation → its bearer header
    accounts: dict[str, str]

    def as_(self, org: str, key: str | None = None) -> dict[str, str]:
        headers = dict(self.headers[org])
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def upload(self, org: str, kind: str, text: str, confidential: str | None = None) -> Any:
        files = {"file": (f"{kind}.txt", text.encode(), "text/plain")}
        if confidential is not None:
            files["confidential"] = (f"{kind}-full.txt", confidential.encode(), "text/plain")
        response = self.client.post(
            f"{API}/documents", data={"kind": kind}, files=files, headers=self.as_(org)
        )
        assert response.status_code == 201, response.text
        return response.json()

    def attach(self, org: str, *kinds: str) -> list[dict[str, str]]:
        """A fresh public document of each kind, uploaded by ``org``, as step attachments."""
        return [
            {"kind": k, "sha256": self.upload(org, k, f"{k} by {org} (test)\n")["public"]["sha256"]}
            for k in kinds
        ]

    def project_step(
        self, org: str, action: str, on: date, *kinds: str, **extra: Any
    ) -> httpx.Response:
        body = {"action": action, "on": on.isoformat(), "documents": self.attach(org, *kinds)}
        response: httpx.Response = self.client.post(
            f"{API}/projects/KE001/steps", json={**body, **extra}, headers=self.as_(org)
        )
        return response

    def monitoring_step(
        self, org: str, period: str, action: str, on: date, *kinds: str, **extra: Any
    ) -> httpx.Response:
        body = {"action": action, "on": on.isoformat(), "documents": self.attach(org, *kinds)}
        response: httpx.Response = self.client.post(
            f"{API}/monitoring-periods/{period}/steps",
            json={**body, **extra},
            headers=self.as_(org),
        )
        return response


def registries(app: App) -> dict[str, str]:
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))

    def entity(registry: str, name: str) -> str:
        org = r.create_organisation(c.CreateOrganisation(registry, name)).organisation
        account = r.open_account(c.OpenAccount(registry, org, AccountType.ENTITY_HOLDING, name))
        return str(account.account)

    return {"jp_gov": "JP-GOV-0001", "ke_gov": "KE-GOV-0001", "ke_pp": entity("KE", "Factory")}


def cycle_world(app: App, scopes: dict[str, frozenset[Scope]] | None = None) -> CycleWorld:
    """Registries JP and KE, the demo's cast for KE registered through the service, a token
    per organisation, and an administrator."""
    accounts = registries(app)
    cast = [
        *actors(("KE",)),
        cc.RegisterActor(PP, Role.PROJECT_PARTICIPANT, "JP Solar KK", Side.JAPAN),
        cc.RegisterActor(KE_PP, Role.PROJECT_PARTICIPANT, "KE Factory Ltd", Side.PARTNER),
        cc.RegisterActor("other-pp", Role.PROJECT_PARTICIPANT, "Not on KE001", Side.JAPAN),
        cc.RegisterActor("jc-id", Role.JC_MEMBER, "JC Japan-Indonesia", Side.JAPAN, "ID"),
    ]
    identity = Tokens(app)
    headers = {}
    enrol(app.identity, app.cycle, cast, key_prefix=None)  # as the demo does: JCs designate TPEs
    for actor in cast:
        given = (scopes or {}).get(actor.organisation_id, ALL_SCOPES)
        headers[actor.organisation_id] = identity.add(
            f"{actor.organisation_id}-token", actor.organisation_id, actor.role, scopes=given
        )
    headers["admin"] = identity.add("admin-token", "platform", Role.ADMINISTRATOR)
    client = TestClient(create_app(ApiContext(app, app.identity)), raise_server_exceptions=False)
    response = client.post(
        f"{API}/rule-books",
        json={"version": DEMO_RULE_BOOK.version, "allow_illustrative_methodologies": True},
        headers=headers["admin"],
    )
    assert response.status_code == 201, response.text
    return CycleWorld(app, client, identity, headers, accounts)


def start_body(w: CycleWorld, on: date) -> dict[str, Any]:
    return {
        "project": "KE001",
        "title": "1 MW solar PV at a factory",
        "methodology": "KE_AM002",
        "scope": 1,
        "participants": [
            {"organisation": PP, "side": "japan", "focal_point": True},
            {"organisation": KE_PP, "side": "partner"},
        ],
        "crediting_period": {"start": "2023-01-01", "end": "2030-12-31"},
        "rule_book": DEMO_RULE_BOOK.version,
        "on": on.isoformat(),
        "documents": w.attach(PP, "pin"),
    }


def filled_xlsx(template: bytes, rows: list[list[object]]) -> bytes:
    """The blank sheet the API handed out, with one row per monitoring period."""
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
