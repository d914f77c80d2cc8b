"""The AEF reports over HTTP: each Party's administrator acts on its own report only, the
public sees what has been submitted, refusals are problem+json."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import rfc8785
from aef_report_support import Clock, World, adjust, build_world, make_app
from fastapi.testclient import TestClient
from sqlalchemy import update

from jcm.adapters import schema
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.credentials import allowed_scopes
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.domain.transparency.merkle import leaf_hash
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext

BASE = "/api/v1/a6/reports"
Headers = dict[str, str]


@pytest.fixture
def api(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, World, dict[str, Headers]]]:
    clock = Clock(datetime(2025, 1, 1, tzinfo=UTC))
    app = make_app(tmp_path, database_url, clock)
    world = build_world(app, clock)
    identity = app.identity
    for org, party in (("ke-admin", "KE"), ("jp-admin", "JP")):
        identity.register_organisation(RegisterOrganisation(org, org), OPERATOR)
        identity.grant_role(GrantRole(org, Role.REGISTRY_ADMIN, partner=party), OPERATOR)
    who: dict[str, Headers] = {"public": {}}
    for org, party in (("ke-admin", "KE"), ("jp-admin", "JP")):
        scopes = allowed_scopes(identity.roles_of(org))
        token = identity.create_token(OPERATOR, org, party, scopes, 365).token
        who[party] = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ApiContext(app, app.identity))) as client:
        yield client, world, who
    app.close()


def test_each_party_administrator_builds_only_its_own_report(
    api: tuple[TestClient, World, dict[str, Headers]],
) -> None:
    client, _, who = api
    assert client.post(f"{BASE}/KE/2025", headers=who["JP"]).status_code == 404
    assert client.post(f"{BASE}/KE/2025", headers=who["public"]).status_code == 401
    assert client.post(f"{BASE}/JP/2025", headers=who["KE"]).status_code == 404
    built = client.post(f"{BASE}/KE/2025", headers=who["KE"])
    assert built.status_code == 201
    assert built.json()["status"] == "draft"
    assert client.post(f"{BASE}/JP/2025", headers=who["JP"]).status_code == 201
    checks = client.get(f"{BASE}/KE/2025/checks", headers=who["KE"]).json()
    assert [f["rule"] for f in checks["failures"]] == ["AEF14"]
    assert client.get(f"{BASE}/KE/2025/checks", headers=who["JP"]).status_code == 404


def test_the_public_sees_submitted_reports_only(
    api: tuple[TestClient, World, dict[str, Headers]],
) -> None:
    client, world, who = api
    adjust(world, "KE-KE-JCM-KE001-2024-1-501-560", 2025)
    client.post(f"{BASE}/KE/2025", headers=who["KE"])
    assert client.get(BASE).json() == []
    assert [r["status"] for r in client.get(BASE, headers=who["KE"]).json()] == ["draft"]
    assert client.get(BASE, headers=who["JP"]).json() == []
    assert client.get(f"{BASE}/KE/2025").status_code == 404
    assert client.get(f"{BASE}/KE/2025/export.csv").status_code == 404
    assert client.get(f"{BASE}/KE/2025", headers=who["KE"]).json()["summary"]["status"] == "draft"
    world.clock.at(2026, 2, 1)
    submitted = client.post(f"{BASE}/KE/2025/submissions", headers=who["KE"])
    assert submitted.status_code == 201
    listed = client.get(BASE, params={"party": "KE"}).json()
    assert [(r["version"], r["status"]) for r in listed] == [("1.0", "submitted")]
    shown = client.get(f"{BASE}/KE/2025", params={"version": "1.0"}).json()
    assert shown["document"]["format"] == "jcm-aef/2"
    csv = client.get(f"{BASE}/KE/2025/export.csv")
    document = client.get(f"{BASE}/KE/2025/export.json")
    assert csv.headers["content-type"].startswith("text/csv")
    digest = hashlib.sha256(csv.content + document.content).hexdigest()
    assert digest == csv.headers["x-jcm-report-digest"] == submitted.json()["digest"]
    verdict = client.get(f"{BASE}/KE/2025/verification").json()
    assert verdict["valid"] is True
    assert world.app.log.verify().ok  # the entry is attributed to Kenya's administrator


def test_a_submission_attributed_to_another_party_is_named_by_the_log_check(
    api: tuple[TestClient, World, dict[str, Headers]],
) -> None:
    client, world, who = api
    adjust(world, "KE-KE-JCM-KE001-2024-1-501-560", 2025)
    client.post(f"{BASE}/KE/2025", headers=who["KE"])
    world.clock.at(2026, 2, 1)
    client.post(f"{BASE}/KE/2025/submissions", headers=who["KE"])
    events = schema.events
    with world.app.engine.begin() as conn:
        row = conn.execute(events.select().where(events.c.kind == "aef.report_submitted")).one()
        entry = json.loads(row.entry)
        entry["actor"]["organisation"] = "jp-admin"
        forged = rfc8785.dumps(entry).decode("utf-8")
        conn.execute(
            update(events)
            .where(events.c.seq == row.seq)
            .values(entry=forged, leaf_hash=leaf_hash(forged.encode("utf-8")))
        )
    problem = world.app.log.verify().problem
    assert problem is not None
    assert problem.field == "actor"


def test_a_refused_submission_is_a_problem_with_the_failures(
    api: tuple[TestClient, World, dict[str, Headers]],
) -> None:
    client, world, who = api
    client.post(f"{BASE}/KE/2025", headers=who["KE"])
    early = client.post(f"{BASE}/KE/2025/submissions", headers=who["KE"])
    assert (early.status_code, early.json()["code"]) == (409, "R4_YEAR_NOT_OVER")
    world.clock.at(2026, 2, 1)
    refused = client.post(f"{BASE}/KE/2025/submissions", headers=who["KE"])
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert (refused.status_code, body["code"]) == (409, "R4_CHECKS_FAILED")
    assert body["details"]["failures"][0]["rule"] == "AEF14"
    assert client.get(f"{BASE}/KE/2025/verification").json()["code"] == "R5_NOT_SUBMITTED"
