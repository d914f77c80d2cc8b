"""The Article 6.2 pages: the public sees the approaches, the submitted reports with their
files and verification, and the register; a Party's registry administrator builds, reads
the failed checks and submits its own report only; both languages render."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aef_report_support import Clock, World, adjust, build_world, make_app, register_entity
from fastapi.testclient import TestClient
from web_support import FIXED_NOW, ensure_organisation, sign_in, site

from jcm.domain.cycle.actors import Role
from jcm.domain.identity.register import GrantRole

KE_PAGE = "/article6/party/KE"
ADJUSTED = "KE-KE-JCM-KE001-2024-1-501-560"  # the 60 units first-transferred to Japan


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    clock = Clock(datetime(2025, 1, 1, tzinfo=UTC))
    app = make_app(tmp_path, database_url, clock)
    built = build_world(app, clock)
    yield built
    app.close()


def administrator(world: World, party: str, language: str = "en") -> tuple[TestClient, str]:
    """A signed-in registry administrator of ``party`` (the clock at the sign-in time the
    second factor is computed for) and the CSRF token its forms post."""
    world.clock.now = FIXED_NOW
    org = f"{party.lower()}-admin"
    ensure_organisation(world.app, org, GrantRole(org, Role.REGISTRY_ADMIN, partner=party))
    client = site(world.app, language=language)
    return client, sign_in(client, world.app, org, f"{party.lower()}-registrar")


def submitted(world: World) -> None:
    """Kenya's 2025 report, adjusted for the first transfer, built and submitted in 2026."""
    adjust(world, ADJUSTED, 2025)
    world.clock.now = FIXED_NOW
    world.app.aef.reports.build("KE", 2025)
    world.app.aef.reports.submit("KE", 2025)


def test_anyone_sees_the_approach_and_a_submitted_report_with_its_files(world: World) -> None:
    submitted(world)
    public = site(world.app)

    listing = public.get("/article6")
    csv = public.get("/article6/reports/KE/2025/export.csv?version=1.0")
    document = public.get("/article6/reports/KE/2025/export.json?version=1.0")
    workbook = public.get("/article6/reports/KE/2025/export.xlsx?version=1.0")

    assert listing.status_code == 200
    assert "CA0001" in listing.text
    assert "KEN01" in listing.text
    assert "JPN01" in listing.text
    assert 'data-report="KE-2025-1.0"' in listing.text
    assert "/article6/reports/KE/2025/export.xlsx?version=1.0" in listing.text
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"Table 1 Submission")
    assert json.loads(document.content)["party"] == "KE"
    assert workbook.content[:2] == b"PK"
    digest = hashlib.sha256(csv.content + document.content).hexdigest()
    assert digest == csv.headers["x-jcm-report-digest"]
    assert digest[:16] in listing.text


def test_a_submitted_report_page_shows_it_valid_against_the_log_with_its_tables(
    world: World,
) -> None:
    submitted(world)

    shown = site(world.app).get("/article6/reports/KE/2025?version=1.0")

    assert shown.status_code == 200
    assert 'id="verdict"><strong>VALID</strong>' in shown.text
    assert "Table 3: Actions" in shown.text
    assert "First transfer" in shown.text
    assert "KE-AUTH-1" in shown.text


def test_a_kenyan_administrator_builds_and_sees_the_failed_check_then_is_refused(
    world: World,
) -> None:
    client, csrf = administrator(world, "KE")

    built = client.post(f"{KE_PAGE}/build", data={"csrf_token": csrf, "year": "2025"})
    shown = client.get(f"{KE_PAGE}?year=2025")
    refused = client.post(f"{KE_PAGE}/submit", data={"csrf_token": csrf, "year": "2025"})

    assert (built.status_code, built.headers["location"]) == (303, f"{KE_PAGE}?year=2025")
    assert shown.status_code == 200
    assert 'id="failures"' in shown.text
    assert "<code>AEF14</code>" in shown.text
    assert refused.status_code == 409
    assert 'id="refusal-code">R4_CHECKS_FAILED<' in refused.text
    assert world.app.aef.reports.list("KE", 2025, drafts=False) == []


def test_a_kenyan_administrator_builds_a_passing_draft_and_submits_it(world: World) -> None:
    adjust(world, ADJUSTED, 2025)
    client, csrf = administrator(world, "KE")

    client.post(f"{KE_PAGE}/build", data={"csrf_token": csrf, "year": "2025"})
    draft = client.get(f"{KE_PAGE}?year=2025")
    sent = client.post(f"{KE_PAGE}/submit", data={"csrf_token": csrf, "year": "2025"})
    after = client.get(f"{KE_PAGE}?year=2025")

    assert 'id="no-failures"' in draft.text
    assert "Submit version 1.0" in draft.text
    assert sent.status_code == 303
    assert 'id="no-draft"' in after.text
    assert 'href="/article6/reports/KE/2025?version=1.0"' in after.text
    assert [r.status for r in world.app.aef.reports.list("KE", 2025)] == ["submitted"]


def test_a_submission_before_the_year_is_over_is_refused_on_the_page_in_japanese(
    world: World,
) -> None:
    adjust(world, ADJUSTED, 2025)
    client, csrf = administrator(world, "KE", language="ja")
    client.post(f"{KE_PAGE}/build", data={"csrf_token": csrf, "year": "2026"})

    shown = client.get(f"{KE_PAGE}?year=2026")
    refused = client.post(f"{KE_PAGE}/submit", data={"csrf_token": csrf, "year": "2026"})

    assert shown.status_code == 200
    assert "台帳から下書きを作成" in shown.text
    assert "表3：行動（初回移転、取得、使用、取消）" in shown.text
    assert refused.status_code == 409
    assert 'id="refusal-code">R4_YEAR_NOT_OVER<' in refused.text
    assert "2026年の下書き" in refused.text


def test_a_form_post_without_the_csrf_token_is_refused(world: World) -> None:
    client, _ = administrator(world, "KE")

    refused = client.post(f"{KE_PAGE}/build", data={"year": "2025"})

    assert refused.status_code == 403
    assert world.app.aef.reports.list("KE", 2025) == []


def test_japans_administrator_cannot_open_or_build_kenyas_draft(world: World) -> None:
    world.clock.now = FIXED_NOW
    world.app.aef.reports.build("KE", 2025)
    client, csrf = administrator(world, "JP")

    page = client.get(f"{KE_PAGE}?year=2025")
    build = client.post(f"{KE_PAGE}/build", data={"csrf_token": csrf, "year": "2025"})
    report = client.get("/article6/reports/KE/2025")
    export = client.get("/article6/reports/KE/2025/export.csv")
    own = client.get("/article6/party/JP?year=2025")

    assert page.status_code == 404
    assert build.status_code == 404
    assert report.status_code == 404
    assert export.status_code == 404
    assert export.headers["content-type"].startswith("application/problem+json")
    assert own.status_code == 200


def test_an_anonymous_reader_of_a_party_page_is_sent_to_sign_in(world: World) -> None:
    answer = site(world.app).get(f"{KE_PAGE}?year=2025")

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_the_register_lists_the_authorisation_and_the_entity(world: World) -> None:
    register_entity(world, "KE-ENT-1", date(2025, 12, 1))

    shown = site(world.app).get("/article6/register")

    assert shown.status_code == 200
    assert 'data-authorisation="KE-AUTH-1"' in shown.text
    assert "1,000" in shown.text
    assert "2024–2025" in shown.text
    assert "Energy generation" in shown.text
    assert 'data-entity="KE-ENT-1"' in shown.text
    assert "Nairobi Solar Ltd" in shown.text


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ja", ("協力的アプローチ", "提出された報告", "承認")),
        ("en", ("Cooperative approaches", "Submitted reports", "Authorizations")),
    ],
)
def test_the_article6_pages_render_in_japanese_and_english(
    world: World, language: str, words: tuple[str, str, str]
) -> None:
    submitted(world)
    reader = site(world.app, language=language)

    listing = reader.get("/article6")
    register = reader.get("/article6/register")
    report = reader.get("/article6/reports/KE/2025")

    assert listing.status_code == register.status_code == report.status_code == 200
    assert f'<html lang="{language}">' in listing.text
    assert words[0] in listing.text
    assert words[1] in listing.text
    assert words[2] in register.text
