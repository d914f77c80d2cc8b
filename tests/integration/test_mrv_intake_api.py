"""HTTP intake: a participant's mrv:submit token uploads signed batches and files."""

from __future__ import annotations

from datetime import date

import pytest
from cycle_api_support import API, KE_PP, PP, CycleWorld, cycle_world, start_body
from mrv_intake_support import PROJECT, batch, csv_file, envelope, parquet_file, register

from jcm.bootstrap import App
from jcm.domain.identity.principal import Scope, operator_for
from jcm.domain.mrv.batches import Outcome

DEV = "KE001-PV-001"


@pytest.fixture
def world(app: App) -> CycleWorld:
    """The demo's cast, KE001 started by demo-jp-solar with demo-ke-factory, and a gateway
    token of demo-ke-factory that may only submit readings."""
    w = cycle_world(app, scopes={KE_PP: frozenset({Scope.MRV_SUBMIT})})
    started = w.client.post(
        f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)
    )
    assert started.status_code == 201, started.text
    return w


def test_a_participants_gateway_uploads_batches_and_gets_one_result_each(
    world: CycleWorld,
) -> None:
    key = register(world.app)
    first = envelope(key, batch(DEV, 1))
    body = {"batches": [first, first, envelope(key, batch(DEV, 2)), {"batch": batch(DEV, 3)}]}

    response = world.client.post(f"{API}/mrv/batches", json=body, headers=world.as_(KE_PP))

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["accepted"], answer["duplicates"], answer["refused"]) == (2, 1, 1)
    assert answer["readings"] == 8
    assert [r["outcome"] for r in answer["results"]] == [
        "accepted",
        "duplicate",
        "accepted",
        "refused",
    ]
    assert answer["results"][3] == {
        "device": DEV,
        "seq": 3,
        "outcome": "refused",
        "code": "D2_UNSIGNED",
        "rule": "D2_UNSIGNED",
        "message": "Batch 3 of KE001-PV-001 carries no signature.",
        "readings": 0,
    }
    single = world.client.post(f"{API}/mrv/batches", json=first, headers=world.as_(PP))
    assert single.json()["results"][0]["outcome"] == "duplicate"


def test_an_upload_is_refused_without_the_scope_or_for_another_projects_device(
    world: CycleWorld,
) -> None:
    key = register(world.app)
    body = envelope(key, batch(DEV, 1))

    anonymous = world.client.post(f"{API}/mrv/batches", json=body)
    not_participant_role = world.client.post(
        f"{API}/mrv/batches", json=body, headers=world.as_("demo-tpe")
    )
    other = world.client.post(f"{API}/mrv/batches", json=body, headers=world.as_("other-pp"))

    assert anonymous.status_code == 401
    assert not_participant_role.status_code == 403
    assert other.status_code == 200
    assert other.json()["results"][0]["code"] == "D6_WRONG_DEVICE"
    assert world.app.mrv.intake.counts(PROJECT).batches == 0


def test_a_body_that_is_not_an_upload_is_refused_h2(world: CycleWorld) -> None:
    headers = {**world.as_(KE_PP), "Content-Type": "application/json"}

    garbage = world.client.post(f"{API}/mrv/batches", content=b"{not json", headers=headers)
    too_many = world.client.post(
        f"{API}/mrv/batches", json={"batches": [{}] * 1001}, headers=world.as_(KE_PP)
    )
    not_a_list = world.client.post(
        f"{API}/mrv/batches", json={"batches": "all"}, headers=world.as_(KE_PP)
    )

    for response in (garbage, too_many, not_a_list):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "H2_BAD_REQUEST"


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_file_of_signed_readings_is_imported_batch_by_batch(world: CycleWorld, kind: str) -> None:
    key = register(world.app)
    sent = [envelope(key, batch(DEV, s, start=1780300800 + 3600 * s)) for s in (1, 2)]
    forged = envelope(key, batch(DEV, 3))
    forged["signature"] = sent[0]["signature"]
    data = (csv_file if kind == "csv" else parquet_file)([*sent, forged])

    response = world.client.post(
        f"{API}/mrv/imports",
        files={"file": (f"readings.{kind}", data, "application/octet-stream")},
        headers=world.as_(KE_PP),
    )

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["seq"], r["outcome"], r["code"]) for r in results] == [
        (1, "accepted", None),
        (2, "accepted", None),
        (3, "refused", "D2_BAD_SIGNATURE"),
    ]
    [refusal] = world.app.mrv.intake.refusals(DEV)
    assert refusal.channel == "file"
    again = world.app.mrv.intake.import_file(data, by=operator_for(PP))
    assert [r.outcome for r in again[:2]] == [Outcome.DUPLICATE, Outcome.DUPLICATE]


def test_a_file_without_the_columns_is_refused_d4(world: CycleWorld) -> None:
    response = world.client.post(
        f"{API}/mrv/imports",
        files={"file": ("readings.csv", b"device,seq\nx,1\n", "text/csv")},
        headers=world.as_(KE_PP),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "D4_MALFORMED"
    assert "timestamp, wh, signature missing" in response.json()["detail"]


def test_intake_counts_are_read_by_the_projects_roles(world: CycleWorld) -> None:
    key = register(world.app)
    sent = envelope(key, batch(DEV, 1))
    world.client.post(f"{API}/mrv/batches", json={"batches": [sent, sent]}, headers=world.as_(PP))

    response = world.client.get(
        f"{API}/mrv/intake?project={PROJECT}", headers=world.as_("demo-tpe")
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"batches": 1, "readings": 4, "duplicates": 1, "refusals": {}}
