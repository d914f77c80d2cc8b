"""The work queue pages: each role sees its own steps and takes them through the pages, from
a participant's monitoring report to both registries' issuance (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cycle_api_support import CycleWorld, cycle_world
from web_cycle_support import JC, PP, SEC, TPE, Browser, monitoring_xlsx, register_ke001

from jcm.bootstrap import App

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


@pytest.fixture
def w(app: App) -> Iterator[CycleWorld]:
    world = cycle_world(app)
    register_ke001(world)
    yield world
    world.client.close()


def kinds(browser: Browser) -> list[tuple[str, str, str]]:
    """(role, step, subject) of each entry of the queue page, in order."""
    import re

    page = browser.get("/work")
    assert page.status_code == 200, page.text
    found = re.findall(
        r'<li class="queue-item" data-kind="([^"]+)" data-project="([^"]+)" '
        r'data-period="([^"]*)" data-role="([^"]+)"',
        page.text,
    )
    return [(role, kind, period or project) for kind, project, period, role in found]


def test_the_whole_flow_from_report_to_issuance_runs_through_the_pages(
    w: CycleWorld, app: App
) -> None:
    pp = Browser(app, PP, "pp.user")
    tpe = Browser(app, TPE, "tpe.user")
    sec = Browser(app, SEC, "sec.user")
    jc = Browser(app, JC, "jc.user")
    rm_jp = Browser(app, "rm-jp", "rm.jp.user")
    rm_ke = Browser(app, "rm-ke", "rm.ke.user")

    assert ("project_participant", "submit_report", "KE001") in kinds(pp)
    sheet = monitoring_xlsx(pp)
    report = "/work/projects/KE001/monitoring-report"
    uploaded = pp.post(
        report,
        {"idempotency_key": pp.form_key(report), "on": "2024-01-20"},
        {"sheet": ("monitoring-2023.xlsx", sheet, XLSX)},
    )
    assert uploaded.status_code == 303, uploaded.text
    assert uploaded.headers["location"] == "/work"
    assert "KE001-M001" in pp.get("/work").text

    def step(b: Browser, action: str, on: str, *docs: str, **fields: str) -> None:
        path = f"/work/periods/KE001-M001/steps/{action}"
        assert b.get(path).status_code == 200
        files = {f"document-{d}": (f"{d}.pdf", f"{d} by {b.org}".encode(), PDF) for d in docs}
        done = b.post(path, {"on": on, **fields}, files or None)
        assert done.status_code == 303, done.text

    step(tpe, "start_verification", "2024-01-25")
    step(tpe, "verify", "2024-02-19", "verification_report")
    step(pp, "request_issuance", "2024-02-24", "issuance_request")
    step(sec, "accept_issuance_request", "2024-02-29")
    assert ("jc_member", "decide", "KE001-M001") in kinds(jc)
    step(jc, "decide", "2024-03-20", reference="JC decision 2024-03")
    assert ("registry_manager", "record_issuance", "KE001-M001") in kinds(rm_jp)
    step(rm_jp, "record_issuance", "2024-03-30")
    assert ("registry_manager", "record_issuance", "KE001-M001") not in kinds(rm_jp)
    step(rm_ke, "record_issuance", "2024-03-30")

    decisions = app.registry.decisions("KE001")
    assert [d.status for d in decisions] == ["issued"]
    assert app.log.verify().ok
