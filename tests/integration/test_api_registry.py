"""The registry over HTTP: the real app, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import ApiWorld, api_world, is_problem

from jcm.bootstrap import App


@pytest.fixture
def w(app: App) -> Iterator[ApiWorld]:
    world = api_world(app)
    yield world
    world.client.close()


def test_a_holder_transfers_units_and_the_receiver_holds_them(w: ApiWorld) -> None:
    body = {"source": w.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 10}

    response = w.client.post("/api/v1/transfers", json=body, headers=w.holder)

    assert response.status_code == 201, response.text
    assert response.json()["quantity"] == 10
    holdings = w.client.get(f"/api/v1/accounts/{w.accounts['ke']}/holdings", headers=w.holder)
    assert sum(h["quantity"] for h in holdings.json()) == 490


def test_another_organisation_cannot_move_or_even_see_an_account(w: ApiWorld) -> None:
    body = {"source": w.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 10}

    moved = w.client.post("/api/v1/transfers", json=body, headers=w.other)
    seen = w.client.get(f"/api/v1/accounts/{w.accounts['ke']}", headers=w.other)
    absent = w.client.get("/api/v1/accounts/KE-ENT-9999", headers=w.other)

    assert is_problem(moved, 404, "K4_NOT_VISIBLE")
    assert is_problem(seen, 404, "K4_NOT_VISIBLE")
    assert seen.json()["detail"] == absent.json()["detail"]
    assert seen.json()["details"] == absent.json()["details"]


def test_an_anonymous_caller_gets_401_on_a_private_route_and_reads_public_ones(
    w: ApiWorld,
) -> None:
    private = w.client.get("/api/v1/accounts")
    public = w.client.get("/api/v1/registries")

    assert is_problem(private, 401, "K1_UNAUTHENTICATED")
    assert private.headers["www-authenticate"].startswith("Bearer")
    assert public.status_code == 200
    assert [r["registry"] for r in public.json()] == ["JP", "KE"]


def test_an_unknown_token_is_refused_even_on_a_public_route(w: ApiWorld) -> None:
    response = w.client.get("/api/v1/registries", headers={"Authorization": "Bearer nope"})

    assert is_problem(response, 401, "K1_UNAUTHENTICATED")


def test_an_unknown_query_parameter_or_body_field_is_refused(w: ApiWorld) -> None:
    query = w.client.get("/api/v1/public/transactions?kinnd=issuance")
    body = {"source": w.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 1, "x": 1}
    field = w.client.post("/api/v1/transfers", json=body, headers=w.holder)

    assert is_problem(query, 422, "H2_UNKNOWN_PARAMETER")
    assert query.json()["details"]["unknown"] == ["kinnd"]
    assert is_problem(field, 422, "H2_BAD_REQUEST")


def test_the_same_idempotency_key_and_body_replay_the_first_response(w: ApiWorld) -> None:
    body = {"source": w.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 5}
    headers = {**w.holder, "Idempotency-Key": "k-1"}

    first = w.client.post("/api/v1/transfers", json=body, headers=headers)
    again = w.client.post("/api/v1/transfers", json=body, headers=headers)
    other = w.client.post("/api/v1/transfers", json={**body, "quantity": 6}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["transaction"] == first.json()["transaction"]
    assert is_problem(other, 409, "G2_IDEMPOTENCY_KEY_REUSED")
    holdings = w.client.get(f"/api/v1/accounts/{w.accounts['ke']}/holdings", headers=w.holder)
    assert sum(h["quantity"] for h in holdings.json()) == 495


def test_a_dry_run_batch_reports_the_moves_and_changes_nothing(w: ApiWorld) -> None:
    move = {"kind": "transfer", "source": w.accounts["ke"], "destination": "KE-GOV-0001"}
    body = {"moves": [{**move, "quantity": 3}, {**move, "quantity": 4}]}

    dry = w.client.post("/api/v1/batches?dry_run=true", json=body, headers=w.holder)
    holdings = w.client.get(f"/api/v1/accounts/{w.accounts['ke']}/holdings", headers=w.holder)

    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert (dry.json()["result"]["count"], dry.json()["result"]["quantity"]) == (2, 7)
    assert sum(h["quantity"] for h in holdings.json()) == 500


def test_a_refused_move_is_a_problem_with_the_domain_code_and_values(w: ApiWorld) -> None:
    body = {"source": w.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 501}

    response = w.client.post("/api/v1/transfers", json=body, headers=w.holder)

    assert response.status_code in (409, 422)
    assert is_problem(response, response.status_code)
    assert response.json()["code"][0] in "UA"
    assert "Traceback" not in response.text


def test_the_public_lists_issuances_but_not_transfers(w: ApiWorld) -> None:
    issuances = w.client.get("/api/v1/public/transactions?kind=issuance")
    transfers = w.client.get("/api/v1/public/transactions?kind=transfer")

    assert [t["kind"] for t in issuances.json()["items"]] == ["issuance", "issuance"]
    assert is_problem(transfers, 422, "H2_NOT_PUBLIC")


def test_a_body_above_the_limit_is_refused_with_413(w: ApiWorld) -> None:
    huge = b'{"source": "' + b"x" * (2 << 20) + b'"}'

    response = w.client.post(
        "/api/v1/transfers",
        content=huge,
        headers={**w.holder, "content-type": "application/json"},
    )

    assert is_problem(response, 413, "H3_BODY_TOO_LARGE")


def test_a_csv_batch_runs_like_the_cli_file_and_a_bad_row_is_named(w: ApiWorld) -> None:
    src = w.accounts["ke"]
    good = f"kind,from,to,quantity\ntransfer,{src},KE-GOV-0001,2\nretire,{src},,3\n"
    bad = f"kind,from,to,quantity\ntransfer,{src},KE-GOV-0001,2\nexplode,{src},,3\n"
    csv_headers = {**w.holder, "content-type": "text/csv"}

    ran = w.client.post("/api/v1/batches/csv", content=good, headers=csv_headers)
    refused = w.client.post("/api/v1/batches/csv", content=bad, headers=csv_headers)
    holdings = w.client.get(f"/api/v1/accounts/{src}/holdings", headers=w.holder)

    assert ran.status_code == 201, ran.text
    assert (ran.json()["count"], ran.json()["quantity"]) == (2, 5)
    assert is_problem(refused, 422, "G1_BAD_BATCH")
    assert refused.json()["details"]["row"] == 2
    assert sum(h["quantity"] for h in holdings.json()) == 495
