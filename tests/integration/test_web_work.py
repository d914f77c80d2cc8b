"""The work queue pages: each role sees its own steps and takes them through the pages, from
a participant's monitoring report to both registries' issuance (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from cycle_api_support import FACTS, CycleWorld, cycle_world, filled_xlsx, start_body
from web_cycle_support import JC, PP, SEC, TPE, Browser, monitoring_xlsx, register_ke001
from web_support import ensure_organisation, site

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
    queue = pp.get("/work").text
    assert 'id="work-notice" data-kind="submit_report" data-subject="KE001-M001"' in queue
    assert 'id="work-notice"' not in pp.get("/work").text  # a notice is shown once

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
    assert ("registry_manager", "record_issuance", "KE001-M001") in kinds(rm_ke)
    issuing = rm_ke.get("/work/periods/KE001-M001/steps/record_issuance").text
    assert 'id="issuance-lines"' in issuing
    assert "KE-ENT-0004" in issuing
    assert "JP-GOV-0001" not in issuing  # Japan's share is not this registry's to issue
    step(rm_ke, "record_issuance", "2024-03-30")

    decisions = app.registry.decisions("KE001")
    assert [d.status for d in decisions] == ["issued"]
    held = {h.account: h.quantity for h in app.registry.holdings() if h.project == "KE001"}
    assert set(held) == {"JP-GOV-0001", "KE-ENT-0004", "KE-GOV-0001"}
    assert sum(held.values()) == decisions[0].amount > 0
    assert app.log.verify().ok


def report_through_api(w: CycleWorld) -> str:
    """A monitoring report for 2023 submitted with the participant's token."""
    template = w.client.get("/api/v1/methodologies/KE_AM002/sheet?format=xlsx").content
    sheet = filled_xlsx(template, [[date(2023, 1, 1), date(2023, 12, 31), 1648.3]])
    response = w.client.post(
        "/api/v1/projects/KE001/monitoring-reports",
        data={"on": "2024-01-20"},
        files={"sheet": ("m.xlsx", sheet, XLSX)},
        headers=w.as_(PP),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["monitoring_period"])


def to_the_jc(w: CycleWorld) -> str:
    """The period verified, its issuance requested and accepted: waiting on the JC."""
    period = report_through_api(w)
    for org, action, on, docs in [
        (TPE, "start-verification", date(2024, 1, 25), ()),
        (TPE, "verify", date(2024, 2, 19), ("verification_report",)),
        (PP, "request-issuance", date(2024, 2, 24), ("issuance_request",)),
        (SEC, "accept-issuance-request", date(2024, 2, 29), ()),
    ]:
        response = w.monitoring_step(org, period, action, on, *docs)
        assert response.status_code == 200, response.text
    return period


def test_each_role_sees_only_the_steps_its_own_roles_may_take(w: CycleWorld, app: App) -> None:
    period = to_the_jc(w)
    browsers = {
        org: Browser(app, org, f"{org}.user")
        for org in (PP, TPE, SEC, JC, "jc-id", "other-pp", "rm-jp")
    }

    seen = {org: kinds(b) for org, b in browsers.items()}

    assert seen[JC] == [("jc_member", "decide", period), ("jc_member", "reject", period)]
    assert all(kind not in {"decide", "reject"} for _, kind, _ in seen[TPE])
    assert seen[TPE] == []
    assert seen[SEC] == []
    assert seen["jc-id"] == []  # another partnership's Joint Committee
    assert seen["other-pp"] == []  # not a participant of KE001
    assert ("project_participant", "withdraw", period) in seen[PP]
    assert ("project_participant", "submit_report", "KE001") in seen[PP]
    assert seen["rm-jp"] == []  # nothing decided yet
    assert 'id="work-queue"' in browsers[JC].get("/work").text


def test_a_step_page_answers_403_to_a_role_the_step_does_not_admit_and_404_to_others(
    w: CycleWorld, app: App
) -> None:
    period = to_the_jc(w)
    pp = Browser(app, PP, "pp.user")
    stranger = Browser(app, "other-pp", "other.user")
    other_jc = Browser(app, "jc-id", "jc.id.user")
    ensure_organisation(app, "plain-holder")
    holder = Browser(app, "plain-holder", "holder.user")

    by_pp = pp.get(f"/work/periods/{period}/steps/decide")
    by_other_jc = other_jc.get(f"/work/periods/{period}/steps/decide")
    by_stranger = stranger.get(f"/work/periods/{period}/steps/withdraw")
    report = stranger.get("/work/projects/KE001/monitoring-report")
    no_cycle_role = holder.get("/work")
    anonymous = site(app).get("/work")

    assert by_pp.status_code == 403
    assert "K2_FORBIDDEN" in by_pp.text
    assert by_other_jc.status_code == 404
    assert "K4_NOT_VISIBLE" in by_other_jc.text
    assert by_stranger.status_code == 404
    assert "K4_NOT_VISIBLE" in by_stranger.text
    assert report.status_code == 404
    assert no_cycle_role.status_code == 403
    assert "K2_FORBIDDEN" in no_cycle_role.text
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fwork"


def test_a_step_posted_without_the_csrf_field_is_refused_and_changes_nothing(
    w: CycleWorld, app: App
) -> None:
    period = to_the_jc(w)
    jc = Browser(app, JC, "jc.user")
    path = f"/work/periods/{period}/steps/decide"

    forged = jc.post(path, {"on": "2024-03-20"}, csrf=False)
    wrong = jc.post(path, {"on": "2024-03-20", "csrf_token": "not-the-token"}, csrf=False)

    assert forged.status_code == 403
    assert "K2_CSRF" in forged.text
    assert wrong.status_code == 403
    assert "K2_CSRF" in wrong.text
    assert app.cycle.monitoring(period)["state"] == "under_jc_consideration"
    assert app.registry.decisions("KE001") == []


def test_the_same_form_posted_twice_takes_the_step_once(w: CycleWorld, app: App) -> None:
    period = to_the_jc(w)
    jc = Browser(app, JC, "jc.user")
    path = f"/work/periods/{period}/steps/decide"
    fields = {"on": "2024-03-20", "idempotency_key": jc.form_key(path)}

    first = jc.post(path, fields)
    again = jc.post(path, fields)

    assert first.status_code == again.status_code == 303
    assert len(app.registry.decisions("KE001")) == 1


def test_the_decision_page_shows_what_the_step_will_do_in_japanese(w: CycleWorld, app: App) -> None:
    period = to_the_jc(w)
    jc = Browser(app, JC, "jc.user", language="ja")

    queue = jc.get("/work")
    shown = jc.get(f"/work/periods/{period}/steps/decide")

    assert "発行を決定する" in queue.text
    assert shown.status_code == 200
    assert '<html lang="ja">' in shown.text
    assert "この手続で行われること" in shown.text
    assert 'id="allocation-shares"' in shown.text
    assert "JP-GOV-0001" in shown.text
    assert '<label for="amount">' in shown.text
    assert 'id="take-step"' in shown.text


def test_a_refused_step_is_an_error_page_with_the_domains_code(w: CycleWorld, app: App) -> None:
    period = report_through_api(w)
    tpe = Browser(app, TPE, "tpe.user")
    path = f"/work/periods/{period}/steps/start_verification"
    assert tpe.post(path, {"on": "2024-01-25"}).status_code == 303

    early = tpe.post(f"/work/periods/{period}/steps/verify", {"on": "2024-01-01"})

    assert early.status_code in (409, 422), early.text
    assert 'class="problem"' in early.text
    assert app.cycle.monitoring(period)["state"] == "under_verification"


def test_project_steps_run_through_their_pages_with_facts_and_shares_as_lines(
    app: App,
) -> None:
    w = cycle_world(app)
    started = w.client.post(
        "/api/v1/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)
    )
    assert started.status_code == 201, started.text
    jc = Browser(app, JC, "jc.user")
    pp = Browser(app, PP, "pp.user")

    assert ("jc_member", "decide_no_objection", "KE001") in kinds(jc)
    no_objection = jc.post("/work/projects/KE001/steps/decide-no-objection", {"on": "2022-07-01"})
    pdd_page = pp.get("/work/projects/KE001/steps/submit_pdd")
    files = {
        f"document-{k}": (f"{k}.pdf", f"{k} of KE001".encode(), PDF)
        for k in ("pdd", "modalities_of_communication", "monitoring_plan")
    }
    fields = {
        "on": "2022-07-31",
        "facts": "\n".join(f"{k}={str(v).lower()}" for k, v in FACTS.items()),
        "fixed": "P_PV=1000:kW\n",
    }
    pdd = pp.post("/work/projects/KE001/steps/submit_pdd", fields, files)
    w.client.close()

    assert no_objection.status_code == 303, no_objection.text
    assert '<label for="facts">' in pdd_page.text
    assert pdd.status_code == 303, pdd.text
    shown = app.cycle.project("KE001")
    assert shown["state"] == "pdd_submitted"
    assert shown["parameters"]
    assert app.log.verify().ok
