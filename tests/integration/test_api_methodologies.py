"""Methodologies over HTTP: the catalogue in public, calculations for signed-in callers, and
the approval process step by step with each organisation's token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import is_problem
from cycle_api_support import API, JC, PP, SEC, TPE, CycleWorld, cycle_world

from jcm.bootstrap import App

ID_FACTS = {
    "host_country": "ID",
    "technology": "solar_pv",
    "connection": "grid",
    "grid": "jamali",
    "pv_modules_iec_certified": True,
}


@pytest.fixture
def w(app: App) -> Iterator[CycleWorld]:
    world = cycle_world(app)
    yield world
    world.client.close()


def test_the_catalogue_is_public(w: CycleWorld) -> None:
    listed = w.client.get(f"{API}/methodologies?country=KE")
    shown = w.client.get(f"{API}/methodologies/KE_AM002")
    sheet = w.client.get(f"{API}/methodologies/KE_AM002/sheet?format=csv")

    assert listed.status_code == 200
    assert "KE_AM002" in {m["id"] for m in listed.json()}
    assert shown.json()["id"] == "KE_AM002"
    assert sheet.headers["content-type"].startswith("text/csv")
    assert sheet.content.startswith(b"period_start,period_end,EG_p")


def test_eligibility_and_calculation_answer_signed_in_callers(w: CycleWorld) -> None:
    body = {
        "facts": ID_FACTS,
        "fixed": {"P_PV": {"value": "500", "unit": "kW"}},
        "monitored": {"EG_p": {"value": "61234", "unit": "kWh"}},
        "start": "2025-01-01",
        "end": "2025-01-31",
    }

    anonymous = w.client.post(f"{API}/methodologies/ID_AM901/calculation", json=body)
    calculated = w.client.post(
        f"{API}/methodologies/ID_AM901/calculation", json=body, headers=w.as_(PP)
    )
    eligible = w.client.post(
        f"{API}/methodologies/ID_AM901/eligibility", json={"facts": ID_FACTS}, headers=w.as_(PP)
    )

    assert is_problem(anonymous, 401, "K1_UNAUTHENTICATED")
    assert calculated.status_code == 200, calculated.text
    assert calculated.json()["emission_reductions"] == 37
    assert eligible.json()["eligible"] is True


def test_a_sheet_is_calculated_period_by_period(w: CycleWorld) -> None:
    csv = b"period_start,period_end,EG_p [MWh]\n2025-01-01,2025-01-31,61.234\n"
    form = {
        "facts": [f"{k}={str(v).lower()}" for k, v in ID_FACTS.items()],
        "fixed": ["P_PV=500:kW"],
    }

    response = w.client.post(
        f"{API}/methodologies/ID_AM901/sheet-calculation",
        data=form,
        files={"sheet": ("m.csv", csv, "text/csv")},
        headers=w.as_(TPE),
    )

    assert response.status_code == 200, response.text
    assert [p["emission_reductions"] for p in response.json()["periods"]] == [37]


def test_a_methodology_is_proposed_and_opened_by_the_roles_its_table_names(
    w: CycleWorld,
) -> None:
    documents = w.attach(TPE, "proposed_methodology", "methodology_spreadsheet")
    body = {"proposal_id": "KE_PM001", "title": "Solar PV", "scope": 1, "documents": documents}

    proposed = w.client.post(f"{API}/methodology-proposals", json=body, headers=w.as_(TPE))
    by_jc = w.client.post(
        f"{API}/methodology-proposals/KE_PM001/1.0/steps",
        json={"action": "open-public-input"},
        headers=w.as_(JC),
    )
    opened = w.client.post(
        f"{API}/methodology-proposals/KE_PM001/1.0/steps",
        json={"action": "open-public-input"},
        headers=w.as_(SEC),
    )
    listed = w.client.get(f"{API}/methodology-proposals")

    assert proposed.status_code == 201, proposed.text
    assert is_problem(by_jc, 403, "K2_FORBIDDEN")
    assert opened.json()["state"] == "open_for_public_input"
    assert [(m["proposal_id"], m["state"]) for m in listed.json()] == [
        ("KE_PM001", "open_for_public_input")
    ]


def test_an_unknown_step_is_refused_with_the_list_of_steps(w: CycleWorld) -> None:
    response = w.client.post(
        f"{API}/methodology-proposals/KE_PM001/1.0/steps",
        json={"action": "aprove"},
        headers=w.as_(JC),
    )

    assert is_problem(response, 422, "P8_BAD_ACTION")
    assert "approve" in response.json()["detail"]
