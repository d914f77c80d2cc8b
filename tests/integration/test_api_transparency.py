"""The transparency log and the registry's statistics over HTTP, for anyone, on SQLite and
PostgreSQL; proof bundles downloaded from the API check out offline with `jcm log
verify-proof` and nothing but the public keys the API serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import ApiWorld, api_world, is_problem
from jcm_process import jcm_process
from typer.testing import CliRunner

from jcm.bootstrap import App
from jcm.entrypoints.cli import cli

runner = CliRunner()
SERIAL = "KE-KE-JCM-KE001-2023-1-501-520"


@pytest.fixture
def w(app: App) -> Iterator[ApiWorld]:
    world = api_world(app)
    body = {"source": world.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 10}
    moved = world.client.post("/api/v1/transfers", json=body, headers=world.holder)
    assert moved.status_code == 201, moved.text
    app.log.sign_checkpoint()
    yield world
    world.client.close()


def verify_offline(tmp_path: Path, bundle: str, keys: str) -> dict[str, object]:
    """`jcm log verify-proof` on the files, with no database or data directory given."""
    (tmp_path / "bundle.json").write_text(bundle, encoding="utf-8")
    (tmp_path / "keys.txt").write_text(keys, encoding="utf-8")
    args = ["log", "verify-proof", str(tmp_path / "bundle.json"), "--json"]
    result = runner.invoke(cli, [*args, "--public-key", str(tmp_path / "keys.txt")])
    verdict: dict[str, object] = json.loads(result.stdout)
    assert (result.exit_code == 0) == verdict["ok"], result.output
    return verdict


def test_anyone_reads_the_public_keys_as_json_and_as_the_text_verify_proof_takes(
    w: ApiWorld,
) -> None:
    as_json = w.client.get("/api/v1/log/public-keys")
    as_text = w.client.get("/api/v1/log/public-keys.txt")

    assert as_json.status_code == as_text.status_code == 200
    assert as_text.headers["content-type"].startswith("text/plain")
    assert as_text.text == "".join(k["verifier"] + "\n" for k in as_json.json())
    assert as_json.json()[-1]["retired"] is False


def test_the_latest_checkpoint_is_served_as_json_and_as_its_signed_note(
    w: ApiWorld, app: App
) -> None:
    latest = w.client.get("/api/v1/log/checkpoints/latest")
    note = w.client.get("/api/v1/log/checkpoints/latest/note")
    listed = w.client.get("/api/v1/log/checkpoints")

    assert latest.status_code == note.status_code == listed.status_code == 200
    assert note.headers["content-type"].startswith("text/plain")
    assert note.text == latest.json()["note"] == app.log.latest_checkpoint().note
    assert latest.json()["size"] == app.log.latest_checkpoint().size
    assert listed.json()[-1] == latest.json()


def test_before_any_checkpoint_the_latest_is_a_404_problem(app: App) -> None:
    world = api_world(app)  # changes, but no signed checkpoint yet (checkpoint_every=1000)

    response = world.client.get("/api/v1/log/checkpoints/latest/note")
    proof = world.client.get("/api/v1/log/entries/0/inclusion-proof")

    assert is_problem(response, 404, "L1_NO_CHECKPOINT")
    assert is_problem(proof, 404, "L1_NO_CHECKPOINT")


def test_an_inclusion_proof_for_a_transaction_downloaded_from_the_api_verifies_offline(
    w: ApiWorld, tmp_path: Path
) -> None:
    txs = w.client.get(f"/api/v1/accounts/{w.accounts['ke']}/transactions", headers=w.holder)
    transfer = txs.json()["items"][0]["id"]
    keys = w.client.get("/api/v1/log/public-keys.txt").text

    bundle = w.client.get(f"/api/v1/log/transactions/{transfer}/inclusion-proof")

    assert bundle.status_code == 200, bundle.text
    assert bundle.json()["format"] == "jcm-inclusion-proof/1"
    assert '"transfer"' in bundle.json()["entry"]
    verdict = verify_offline(tmp_path, bundle.text, keys)
    assert verdict["ok"] is True, verdict


def test_a_fresh_jcm_process_with_no_database_accepts_a_bundle_from_the_api(
    w: ApiWorld, tmp_path: Path
) -> None:
    (tmp_path / "bundle.json").write_bytes(
        w.client.get("/api/v1/log/entries/0/inclusion-proof").content
    )
    (tmp_path / "keys.txt").write_bytes(w.client.get("/api/v1/log/public-keys.txt").content)

    done = jcm_process(
        "log", "verify-proof", "bundle.json", "--public-key", "keys.txt", cwd=tmp_path
    )

    assert done.code == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout


def test_the_proofs_for_a_serial_and_a_consistency_proof_verify_offline(
    w: ApiWorld, app: App, tmp_path: Path
) -> None:
    old = app.log.latest_checkpoint().size
    body = {"source": w.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 5}
    assert w.client.post("/api/v1/transfers", json=body, headers=w.holder).status_code == 201
    app.log.sign_checkpoint()
    keys = w.client.get("/api/v1/log/public-keys.txt").text

    for_serial = w.client.get(f"/api/v1/log/serials/{SERIAL}/inclusion-proofs")
    grown = w.client.get(f"/api/v1/log/consistency-proof?from={old}")

    assert len(for_serial.json()) == 3  # its issuance and the two transfers
    assert verify_offline(tmp_path, for_serial.text, keys)["ok"] is True
    assert grown.json()["format"] == "jcm-consistency-proof/1"
    assert verify_offline(tmp_path, grown.text, keys)["ok"] is True


def test_an_altered_bundle_from_the_api_fails_offline(w: ApiWorld, tmp_path: Path) -> None:
    bundle = w.client.get("/api/v1/log/entries/1/inclusion-proof").json()
    keys = w.client.get("/api/v1/log/public-keys.txt").text
    bundle["entry"] = bundle["entry"].replace("{", '{"x":1,', 1)

    verdict = verify_offline(tmp_path, json.dumps(bundle), keys)

    assert verdict["ok"] is False
    assert "is not included" in str(verdict["failure"])


def test_proof_requests_out_of_range_are_problems_not_faults(w: ApiWorld) -> None:
    absent = w.client.get("/api/v1/log/entries/999999/inclusion-proof")
    huge = w.client.get(f"/api/v1/log/entries/{1 << 64}/inclusion-proof")
    no_tx = w.client.get("/api/v1/log/transactions/999999/inclusion-proof")
    backwards = w.client.get("/api/v1/log/consistency-proof?from=5&to=2")
    bad_serial = w.client.get("/api/v1/log/serials/not-a-serial/inclusion-proofs")

    assert is_problem(absent, 404, "L2_UNKNOWN_ENTRY")
    assert is_problem(huge, 422, "H2_BAD_REQUEST")
    assert is_problem(no_tx, 404, "L2_UNKNOWN_ENTRY")
    assert is_problem(backwards, 404, "L1_NO_CHECKPOINT")  # no checkpoint of size 5 or 2
    assert bad_serial.status_code in (404, 409, 422)
    assert is_problem(bad_serial, bad_serial.status_code)


# -- statistics --------------------------------------------------------------------------------


def test_anyone_reads_a_registrys_amounts_per_account_type_without_login(w: ApiWorld) -> None:
    body = {"source": w.accounts["ke"], "quantity": 7}
    retired = w.client.post("/api/v1/retirements", json=body, headers=w.holder)
    assert retired.status_code == 201, retired.text

    stats = w.client.get("/api/v1/registries/KE/statistics")

    assert stats.status_code == 200, stats.text
    data = stats.json()
    by_type = {a["type"]: a for a in data["accounts"]}
    assert (data["registry"], data["unit"], data["recorded"]) == ("KE", "tCO2e", 500)
    assert by_type["entity_holding"]["quantity"] == 500 - 10 - 7
    assert by_type["government_holding"]["quantity"] == 10
    assert by_type["retirement"]["quantity"] == 7
    assert by_type["cancellation"] == {
        "type": "cancellation",
        "accounts": 1,
        "quantity": 0,
        "by_partner": [],
    }
    assert by_type["entity_holding"]["by_partner"] == [{"partner": "KE", "quantity": 483}]


def test_the_annual_summary_counts_issued_transferred_and_retired_units_per_year(
    w: ApiWorld,
) -> None:
    body = {"source": w.accounts["ke"], "quantity": 7}
    assert w.client.post("/api/v1/retirements", json=body, headers=w.holder).status_code == 201

    annual = w.client.get("/api/v1/registries/KE/statistics").json()["annual"]

    assert annual == [
        {
            "year": 2026,  # the tests' fixed clock
            "issued": 500,
            "transferred": 10,
            "transferred_externally": 0,
            "acquired_externally": 0,
            "cancelled": 0,
            "retired": 7,
        }
    ]


def test_units_sent_to_the_other_registry_count_out_there_and_in_here(w: ApiWorld) -> None:
    body = {"source": w.accounts["ke"], "destination": w.accounts["jp"], "quantity": 20}
    sent = w.client.post("/api/v1/external-transfers", json=body, headers=w.holder)
    assert sent.status_code == 201, sent.text

    ke = w.client.get("/api/v1/registries/KE/statistics").json()
    jp = w.client.get("/api/v1/registries/jp/statistics").json()

    assert ke["annual"][0]["transferred_externally"] == 20
    assert jp["annual"][0]["acquired_externally"] == 20
    assert (ke["recorded"], jp["recorded"]) == (480, 520)


def test_statistics_of_an_absent_registry_are_a_404_problem(w: ApiWorld) -> None:
    absent = w.client.get("/api/v1/registries/ZZ/statistics")
    malformed = w.client.get("/api/v1/registries/ZZZ/statistics")

    assert is_problem(absent, 404, "G4_UNKNOWN_REGISTRY")
    assert is_problem(malformed, 422, "H2_BAD_REQUEST")
