"""The project cycle over HTTP: the README's walk-through, each step taken with the token of
the organisation that takes it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from api_support import is_problem
from cycle_api_support import (
    API,
    FACTS,
    JC,
    PP,
    SEC,
    TPE,
    CycleWorld,
    cycle_world,
    filled_xlsx,
    start_body,
)

from jcm.bootstrap import App
from jcm.domain.identity.principal import Scope

REPORTED = date(2024, 1, 20)


@pytest.fixture
def w(app: App) -> Iterator[CycleWorld]:
    world = cycle_world(app, scopes={"rm-ke": frozenset({Scope.REGISTRY_READ})})
    yield world
    world.client.close()


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a successful response (the test indexes it freely)."""
    assert response.status_code == status, response.text
    return response.json()


def register_ke001(w: CycleWorld) -> None:
    """KE001 from PIN to registration, as in the README, each step by its organisation."""
    ok(
        w.client.post(f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)),
        201,
    )
    ok(w.project_step(JC, "decide-no-objection", date(2022, 7, 1)))
    ok(
        w.project_step(
            PP,
            "submit-pdd",
            date(2022, 7, 31),
            "pdd",
            "modalities_of_communication",
            "monitoring_plan",
            facts=FACTS,
            fixed={"P_PV": {"value": "1000", "unit": "kW"}},
        )
    )
    ok(w.project_step(TPE, "open-public-input", date(2022, 8, 5)))
    ok(w.project_step(TPE, "start-validation", date(2022, 9, 4)))
    ok(w.project_step(TPE, "validate", date(2022, 10, 4), "validation_report"))
    shares = [
        {"account": w.accounts["jp_gov"], "percent": "50"},
        {"account": w.accounts["ke_pp"], "percent": "40"},
        {"account": w.accounts["ke_gov"], "percent": "10"},
    ]
    ok(
        w.project_step(
            PP,
            "request-registration",
            date(2022, 10, 14),
            "registration_request",
            "credit_allocation_form",
            shares=shares,
        )
    )
    ok(w.project_step(SEC, "accept-registration-request", date(2022, 10, 19)))
    assert ok(w.project_step(JC, "register", date(2022, 11, 13)))["state"] == "registered"


def submit_xlsx(w: CycleWorld) -> Any:
    template = w.client.get(f"{API}/methodologies/KE_AM002/sheet?format=xlsx")
    assert template.status_code == 200, template.text
    sheet = filled_xlsx(template.content, [[date(2023, 1, 1), date(2023, 12, 31), 1648.3]])
    files = {"sheet": ("monitoring-2023.xlsx", sheet, "application/octet-stream")}
    response = w.client.post(
        f"{API}/projects/KE001/monitoring-reports",
        data={"on": REPORTED.isoformat()},
        files=files,
        headers=w.as_(PP),
    )
    return ok(response, 201)


def test_the_readme_walk_through_runs_over_http_each_step_by_its_organisation(
    w: CycleWorld,
) -> None:
    register_ke001(w)
    submitted = submit_xlsx(w)
    period = submitted["monitoring_period"]
    steps = [
        (TPE, "start-verification", date(2024, 1, 25), ()),
        (TPE, "verify", date(2024, 2, 19), ("verification_report",)),
        (PP, "request-issuance", date(2024, 2, 24), ("issuance_request",)),
        (SEC, "accept-issuance-request", date(2024, 2, 29), ()),
        (JC, "decide", date(2024, 3, 20), ()),
        ("rm-jp", "record-issuance", date(2024, 3, 30), ()),
    ]
    for org, action, on, kinds in steps:
        ok(w.monitoring_step(org, period, action, on, *kinds))
    issuer = w.identity.add("rm-ke-issuer", "rm-ke", scopes=frozenset({Scope.CYCLE_DECIDE}))
    last = w.client.post(
        f"{API}/monitoring-periods/{period}/steps",
        json={"action": "record-issuance", "on": "2024-03-30"},
        headers=issuer,
    )

    shown = ok(w.client.get(f"{API}/monitoring-periods/{period}", headers=w.as_(JC)))
    project = ok(w.client.get(f"{API}/projects/KE001"))  # public, no credentials
    assert period == "KE001-M001"
    assert ok(last)["state"] == "issued"
    assert shown["issued_sides"] == ["japan", "partner"]
    assert [(h["action"], h["on"], h["organisation"]) for h in project["history"]][:3] == [
        ("submit_pin", "2022-06-01", PP),
        ("decide_no_objection", "2022-07-01", JC),
        ("submit_pdd", "2022-07-31", PP),
    ]
    assert project["registered_on"] == "2022-11-13"
    decisions = w.client.get(f"{API}/decisions?project=KE001").json()
    assert [d["status"] for d in decisions] == ["issued"]


def test_each_step_is_refused_with_403_to_an_organisation_without_the_role_it_needs(
    w: CycleWorld,
) -> None:
    body = start_body(w, date(2022, 6, 1))

    by_tpe = w.client.post(f"{API}/projects", json=body, headers=w.as_(TPE))
    ok(w.client.post(f"{API}/projects", json=body, headers=w.as_(PP)), 201)
    pp_decides = w.project_step(PP, "decide-no-objection", date(2022, 7, 1))
    rm_decides = w.project_step("rm-jp", "decide-no-objection", date(2022, 7, 1))

    assert is_problem(by_tpe, 403, "K2_FORBIDDEN")
    assert is_problem(pp_decides, 403, "K2_FORBIDDEN")
    assert pp_decides.json()["details"]["needs"] == ["jc_member"]
    assert is_problem(rm_decides, 403, "K2_FORBIDDEN")
    assert ok(w.client.get(f"{API}/projects/KE001"))["state"] == "pin_submitted"


def test_the_domain_refuses_a_jc_member_of_another_partnership_and_a_stranger_participant(
    w: CycleWorld,
) -> None:
    ok(
        w.client.post(f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)),
        201,
    )

    other_jc = w.project_step("jc-id", "decide-no-objection", date(2022, 7, 1))
    ok(w.project_step(JC, "decide-no-objection", date(2022, 7, 1)))
    stranger = w.project_step("other-pp", "submit-pdd", date(2022, 7, 31), "pdd")

    assert is_problem(other_jc, 409, "P1_WRONG_JC"), other_jc.text
    assert is_problem(stranger, 409, "P1_NOT_A_PARTICIPANT"), stranger.text
    assert ok(w.client.get(f"{API}/projects/KE001"))["state"] == "no_objection"


def test_a_token_without_the_steps_scope_gets_403_and_anonymous_callers_401(
    w: CycleWorld,
) -> None:
    register_ke001(w)
    submit_xlsx(w)
    for org, action, kinds in [
        (TPE, "start-verification", ()),
        (TPE, "verify", ("verification_report",)),
        (PP, "request-issuance", ("issuance_request",)),
        (SEC, "accept-issuance-request", ()),
        (JC, "decide", ()),
    ]:
        ok(w.monitoring_step(org, "KE001-M001", action, date(2024, 3, 20), *kinds))

    missing = w.monitoring_step("rm-ke", "KE001-M001", "record-issuance", date(2024, 3, 30))
    anonymous = w.client.post(
        f"{API}/monitoring-periods/KE001-M001/steps", json={"action": "record-issuance"}
    )
    private = [
        w.client.get(f"{API}/{path}")
        for path in ("work-queue", "monitoring-periods", "projects/KE001/next-steps")
    ]

    assert is_problem(missing, 403, "K2_MISSING_SCOPE")
    assert missing.json()["details"]["scope"] == "cycle:decide"
    assert is_problem(anonymous, 401, "K1_UNAUTHENTICATED")
    assert all(is_problem(r, 401, "K1_UNAUTHENTICATED") for r in private)


def test_a_monitoring_report_uploaded_as_csv_is_calculated_like_the_xlsx_one(
    w: CycleWorld,
) -> None:
    register_ke001(w)
    xlsx = submit_xlsx(w)
    csv = b"period_start,period_end,EG_p [kWh]\n2024-01-01,2024-12-31,1648300\n"

    response = w.client.post(
        f"{API}/projects/KE001/monitoring-reports",
        data={"on": "2025-01-20"},
        files={"sheet": ("monitoring-2024.csv", csv, "text/csv")},
        headers=w.as_(PP),
    )

    second = ok(response, 201)
    assert second["monitoring_period"] == "KE001-M002"
    reductions = second["calculation"]["emission_reductions"]
    assert reductions == xlsx["calculation"]["emission_reductions"] > 0
    shown = ok(w.client.get(f"{API}/monitoring-periods/KE001-M002", headers=w.as_(TPE)))
    assert [d["kind"] for d in shown["documents"]] == ["monitoring_report"]


def test_a_bad_sheet_is_refused_with_its_code_and_nothing_is_stored(w: CycleWorld) -> None:
    register_ke001(w)
    bad = b"start,end\n2023-01-01,2023-12-31\n"

    response = w.client.post(
        f"{API}/projects/KE001/monitoring-reports",
        files={"sheet": ("m.csv", bad, "text/csv")},
        headers=w.as_(PP),
    )
    report = w.app.documents.verify()

    assert response.status_code == 422
    assert response.json()["code"] == "S1_BAD_SHEET"
    assert ok(w.client.get(f"{API}/projects/KE001"))["monitoring_periods"] == []
    assert report.orphans == []


def test_the_work_queue_shows_each_organisation_what_its_roles_can_do_next(
    w: CycleWorld,
) -> None:
    ok(
        w.client.post(f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)),
        201,
    )

    def queue(org: str) -> list[tuple[str, list[str]]]:
        found = ok(w.client.get(f"{API}/work-queue", headers=w.as_(org)))
        return [(i["project"], [s["action"] for s in i["steps"]]) for i in found["items"]]

    assert queue(JC) == [("KE001", ["decide_no_objection", "object"])]
    assert queue("jc-id") == []  # another partnership's JC
    assert queue(TPE) == []
    assert queue(PP) == []
    listed = w.client.get(f"{API}/projects?state=pin_submitted").json()
    assert [p["project"] for p in listed] == ["KE001"]


def test_the_work_queue_follows_the_project_to_the_tpe_and_to_the_participants(
    w: CycleWorld,
) -> None:
    register_ke001(w)

    def queue(org: str, state: str | None = None) -> list[tuple[str | None, list[str]]]:
        query = f"?state={state}" if state else ""
        found = ok(w.client.get(f"{API}/work-queue{query}", headers=w.as_(org)))
        return [(i["monitoring_period"], [s["action"] for s in i["steps"]]) for i in found["items"]]

    assert (None, ["submit_report"]) in queue(PP)
    submit_xlsx(w)
    assert queue(TPE, "report_submitted") == [("KE001-M001", ["start_verification"])]
    assert queue("other-pp") == []
    assert queue(JC, "report_submitted") == []


def test_a_jc_member_designates_a_tpe_for_its_own_partnership_only(w: CycleWorld) -> None:
    body = {"tpe": TPE, "partner": "KE", "scopes": [4], "functions": ["verification"]}

    by_pp = w.client.post(f"{API}/tpe-designations", json=body, headers=w.as_(PP))
    by_other_jc = w.client.post(f"{API}/tpe-designations", json=body, headers=w.as_("jc-id"))
    designated = w.client.post(f"{API}/tpe-designations", json=body, headers=w.as_(JC))
    rule_book = w.client.post(f"{API}/rule-books", json={"version": "KE v2"}, headers=w.as_(JC))

    assert is_problem(by_pp, 403, "K2_FORBIDDEN")
    assert is_problem(by_other_jc, 409, "P1_WRONG_JC"), by_other_jc.text
    assert designated.status_code == 201, designated.text
    assert is_problem(rule_book, 403, "K2_FORBIDDEN")


def test_next_steps_say_who_may_take_each_step(w: CycleWorld) -> None:
    ok(
        w.client.post(f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)),
        201,
    )

    found = ok(w.client.get(f"{API}/projects/KE001/next-steps", headers=w.as_(TPE)))

    roles = {s["action"]: s["roles"] for s in found["steps"]}
    assert roles["decide_no_objection"] == ["jc_member"]


def test_the_same_idempotency_key_replays_a_step_and_another_body_is_refused(
    w: CycleWorld,
) -> None:
    body = start_body(w, date(2022, 6, 1))

    first = w.client.post(f"{API}/projects", json=body, headers=w.as_(PP, "start-1"))
    again = w.client.post(f"{API}/projects", json=body, headers=w.as_(PP, "start-1"))
    other = w.client.post(
        f"{API}/projects", json={**body, "title": "another"}, headers=w.as_(PP, "start-1")
    )

    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 409
    assert ok(w.client.get(f"{API}/projects/KE001"))["title"] == body["title"]


def test_unknown_fields_in_a_step_body_are_refused(w: CycleWorld) -> None:
    body = {**start_body(w, date(2022, 6, 1)), "by": "jc-ke"}

    response = w.client.post(f"{API}/projects", json=body, headers=w.as_(PP))

    assert is_problem(response, 422, "H2_BAD_REQUEST")
