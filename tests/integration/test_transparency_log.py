"""The transparency log: one entry per change, signed checkpoints, proofs, tamper detection."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from sqlalchemy import select, text

from jcm.adapters import schema
from jcm.adapters.signing import NoteSigner
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.transactions import CancellationPurpose
from jcm.domain.transparency.merkle import leaf_hash
from jcm.domain.transparency.signed_note import Verifier
from jcm.entrypoints.demo import run_demo
from jcm.service_layer.results import to_json, to_json_object
from jcm.service_layer.transparency.proofs import check_bundle

FIXED_NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(tmp_path, database_url, checkpoint_every=5)
    application = bootstrap(settings, clock=lambda: FIXED_NOW)
    yield application
    application.close()


def populate(app: App) -> dict[str, Any]:
    r = app.registry
    r.create_registry(c.CreateRegistry("JP"))
    r.create_registry(c.CreateRegistry("KE"))
    org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    ke = r.open_account(c.OpenAccount("KE", org, AccountType.ENTITY_HOLDING, "Solar")).account
    decision = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 1, 1),
            date(2023, 12, 31),
            2023,
            1000,
            (AllocationShare("JP-GOV-0001", Decimal(50)), AllocationShare(ke, Decimal(50))),
        )
    ).decision
    r.issue(c.Issue(decision, "JP"))
    r.issue(c.Issue(decision, "KE"))
    moved = r.transfer(c.Move(ke, "KE-GOV-0001", quantity=40))
    r.cancel(c.Move("JP-GOV-0001", quantity=25, purpose=CancellationPurpose.VOLUNTARY))
    return {"ke": ke, "decision": decision, "transfer": moved.transaction}


def verifiers(app: App) -> list[Verifier]:
    return list(app.log_verifiers().values())


def execute(app: App, statement: str) -> None:
    with app.engine.begin() as conn:
        conn.execute(text(statement))


def test_every_change_is_one_canonical_entry_in_log_order(app: App) -> None:
    populate(app)
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(
                schema.events.c.log_index, schema.events.c.entry, schema.events.c.leaf_hash
            ).order_by(schema.events.c.log_index)
        ).all()
        transactions = conn.execute(select(schema.transactions.c.id)).scalars().all()
    assert [r.log_index for r in rows] == list(range(len(rows)))
    # 2 registries, 1 organisation, 1 account, 1 decision, 2 issuances, transfer, cancellation
    assert len(rows) == 9
    assert len(transactions) == 4
    for row in rows:
        entry = json.loads(row.entry)
        assert set(entry) == {"type", "schema", "timestamp", "change"}
        assert row.entry.encode() == rfc8785.dumps(entry)
        assert bytes(row.leaf_hash) == leaf_hash(row.entry.encode())


def test_checkpoints_are_signed_at_the_configured_cadence(app: App) -> None:
    populate(app)
    checkpoints = app.log.checkpoints()
    assert [cp.size for cp in checkpoints] == [5]
    note = checkpoints[0].note
    assert note.startswith("jcm-registry/log\n5\n")
    assert "\n\n— jcm-registry/log " in note


def test_an_inclusion_proof_checks_out_offline_with_only_the_public_key(app: App) -> None:
    world = populate(app)
    app.log.sign_checkpoint()
    bundle = app.log.inclusion_proof(transaction=world["transfer"])
    assert bundle.tree_size == 9
    verdict = check_bundle(json.dumps(to_json(bundle)), verifiers(app))
    assert verdict["ok"], verdict
    for_serial = app.log.inclusion_proofs_for_serial("KE-KE-JCM-KE001-2023-1-501-510")
    assert len(for_serial) == 2  # issuance and transfer
    assert check_bundle(json.dumps(to_json(for_serial)), verifiers(app))["ok"]


@pytest.mark.parametrize(
    ("tamper", "failure"),
    [
        (
            lambda b: b | {"entry": b["entry"].replace('"quantity":40', '"quantity":41')},
            "is not included",
        ),
        (lambda b: b | {"index": b["index"] - 1}, "is not included"),
        (lambda b: b | {"proof": ["0" * 64, *b["proof"][1:]]}, "is not included"),
        (lambda b: b | {"proof": [*b["proof"][:-1], "zz"]}, "is not a 32-byte hex hash"),
        (lambda b: b | {"tree_size": b["tree_size"] + 1}, "checkpoint is of 9"),
        (lambda b: b | {"checkpoint": b["checkpoint"].replace("\n9\n", "\n8\n")}, "signature"),
        (lambda b: b | {"checkpoint": b["checkpoint"].split("\n\n")[0] + "\n"}, "signature"),
        (lambda b: {k: v for k, v in b.items() if k != "entry"}, "entry is missing"),
        (lambda b: b | {"format": "other/1"}, "unknown bundle format"),
    ],
)
def test_a_tampered_or_malformed_bundle_is_rejected_naming_what_failed(
    app: App, tamper: Any, failure: str
) -> None:
    world = populate(app)
    app.log.sign_checkpoint()
    bundle = to_json_object(app.log.inclusion_proof(transaction=world["transfer"]))
    verdict = check_bundle(json.dumps(tamper(bundle)), verifiers(app))
    assert verdict["ok"] is False
    assert failure in verdict["failure"]


def test_a_bundle_checked_with_another_key_or_truncated_is_rejected(app: App) -> None:
    world = populate(app)
    app.log.sign_checkpoint()
    text_ = json.dumps(to_json(app.log.inclusion_proof(transaction=world["transfer"])))
    stranger = NoteSigner.generate("jcm-registry/log").verifier
    verdict = check_bundle(text_, [stranger])
    assert not verdict["ok"]
    assert "trusted key" in verdict["failure"]
    truncated = check_bundle(text_[: len(text_) // 2], verifiers(app))
    assert not truncated["ok"]
    assert "not JSON" in truncated["failure"]


def test_consistency_between_checkpoints_checks_out(app: App) -> None:
    populate(app)
    app.log.sign_checkpoint()
    bundle = to_json_object(app.log.consistency_proof(5, None))
    assert check_bundle(json.dumps(bundle), verifiers(app))["ok"]
    proof = bundle["proof"]
    assert isinstance(proof, list)
    forged = bundle | {"proof": list(reversed(proof))}
    verdict = check_bundle(json.dumps(forged), verifiers(app))
    assert not verdict["ok"]
    assert "does not extend" in verdict["failure"]


def test_a_clean_log_verifies_and_replays_to_the_database(app: App) -> None:
    populate(app)
    app.log.sign_checkpoint()
    result = app.log.verify(app.log_verifiers())
    assert (result.ok, result.entries, result.checkpoints, result.problem) == (True, 9, 2, None)


def problem_after(app: App, statement: str) -> dict[str, Any]:
    execute(app, statement)
    result = app.log.verify(app.log_verifiers())
    assert result.ok is False
    assert result.problem is not None
    problem: dict[str, Any] = to_json_object(result.problem)
    return problem


def test_editing_a_unit_block_row_is_detected_and_pinpointed(app: App) -> None:
    world = populate(app)
    problem = problem_after(
        app, f"UPDATE unit_blocks SET account_id = 'KE-GOV-0001' WHERE account_id = '{world['ke']}'"
    )
    assert problem["entity"].startswith("units KE-KE-JCM-KE001-2023-1-")
    assert problem["field"] == "account"
    assert (problem["expected"], problem["found"]) == (world["ke"], "KE-GOV-0001")
    assert problem["index"] is not None


def test_deleting_a_log_entry_is_detected_at_its_index(app: App) -> None:
    populate(app)
    problem = problem_after(app, "DELETE FROM events WHERE log_index = 3")
    assert (problem["entity"], problem["field"], problem["index"]) == (
        "log entry 3",
        "log index",
        3,
    )


def test_reordering_entries_is_detected(app: App) -> None:
    populate(app)
    with app.engine.begin() as conn:
        a, b = (
            conn.execute(
                text("SELECT entry FROM events WHERE log_index IN (2, 3) ORDER BY log_index")
            )
            .scalars()
            .all()
        )
        conn.execute(text("UPDATE events SET entry = :e WHERE log_index = 2"), {"e": b})
        conn.execute(text("UPDATE events SET entry = :e WHERE log_index = 3"), {"e": a})
    problem = app.log.verify(app.log_verifiers()).problem
    assert problem is not None
    assert (problem.entity, problem.field) == ("log entry 2", "leaf hash")


def test_reordering_entries_with_their_hashes_still_breaks_the_tree(app: App) -> None:
    populate(app)
    execute(app, "UPDATE events SET log_index = -1 WHERE log_index = 2")
    execute(app, "UPDATE events SET log_index = 2 WHERE log_index = 3")
    problem = problem_after(app, "UPDATE events SET log_index = 3 WHERE log_index = -1")
    assert problem["entity"] == "tree node (level 1, index 1)"
    assert problem["field"] == "hash"


def test_changing_a_checkpoint_is_detected(app: App) -> None:
    populate(app)
    problem = problem_after(app, "UPDATE checkpoints SET note = replace(note, '\n5\n', '\n4\n')")
    assert (problem["entity"], problem["field"]) == ("checkpoint of size 5", "signature")


def test_altering_a_stored_amount_is_detected(app: App) -> None:
    world = populate(app)
    problem = problem_after(
        app, f"UPDATE transactions SET quantity = 400 WHERE id = {world['transfer']}"
    )
    assert (problem["entity"], problem["field"]) == (f"transaction {world['transfer']}", "quantity")
    assert (problem["expected"], problem["found"]) == (40, 400)
    execute(app, f"UPDATE transactions SET quantity = 40 WHERE id = {world['transfer']}")
    problem = problem_after(app, "UPDATE decisions SET amount = 2000")
    assert (problem["entity"], problem["field"], problem["expected"]) == (
        f"decision {world['decision']}",
        "amount",
        1000,
    )


def test_old_checkpoints_stay_verifiable_after_a_key_rotation(app: App) -> None:
    world = populate(app)
    old_bundle = app.log.inclusion_proof(index=2)  # covered by the size-5 checkpoint
    rotated = app.log.rotate_key()
    assert rotated["old_key_id"] != rotated["new_key_id"]
    fresh = bootstrap(app.settings, clock=lambda: FIXED_NOW)  # picks up the new key
    try:
        fresh.registry.transfer(c.Move(world["ke"], "KE-GOV-0001", quantity=1))
        fresh.log.sign_checkpoint()
        keys = fresh.log_verifiers()
        assert set(keys) == {rotated["old_key_id"], rotated["new_key_id"]}
        assert fresh.log.verify(keys).ok
        assert check_bundle(json.dumps(to_json(old_bundle)), [keys[rotated["old_key_id"]]])["ok"]
        new_bundle = to_json(fresh.log.inclusion_proof(index=9))
        assert check_bundle(json.dumps(new_bundle), [keys[rotated["new_key_id"]]])["ok"]
        assert not check_bundle(json.dumps(new_bundle), [keys[rotated["old_key_id"]]])["ok"]
    finally:
        fresh.close()


def test_the_signing_key_file_is_private(app: App) -> None:
    key = app.settings.data_dir / "keys" / "log-signing.key"
    assert key.stat().st_mode & 0o777 == 0o600


# -- issue 8: what verify used to miss (the schema-generated test covers every column) -------


def where(problem: dict[str, Any]) -> tuple[str, str, str | None]:
    return problem["table"], problem["key"], problem["column"]


def test_deleting_a_serial_range_of_a_transaction_is_caught(app: App) -> None:
    world = populate(app)
    tx = world["transfer"]
    problem = problem_after(app, f"DELETE FROM transaction_ranges WHERE transaction_id = {tx}")
    assert where(problem) == ("transaction_ranges", str(tx), None)
    assert problem["entity"] == f"transaction {tx} range 1"


def test_back_dating_a_transaction_is_caught(app: App) -> None:
    world = populate(app)
    tx = world["transfer"]
    problem = problem_after(
        app, f"UPDATE transactions SET created_at = '2020-01-01 00:00:00' WHERE id = {tx}"
    )
    assert where(problem) == ("transactions", str(tx), "created_at")
    assert problem["expected"] == FIXED_NOW.isoformat()


@pytest.mark.parametrize("which", ["first", "newest"])
def test_deleting_a_checkpoint_even_the_newest_is_caught(app: App, which: str) -> None:
    populate(app)
    app.log.sign_checkpoint()
    count = len(app.log.checkpoints())  # numbered 1..count
    assert count >= 2
    number = 1 if which == "first" else count
    problem = problem_after(app, f"DELETE FROM checkpoints WHERE id = {number}")
    assert where(problem) == ("checkpoints", str(number), None)
    assert (problem["expected"], problem["found"]) == ("present", "absent")


def test_a_forged_idempotency_response_is_caught(app: App) -> None:
    world = populate(app)
    app.registry.transfer(c.Move(world["ke"], "KE-GOV-0001", quantity=1), key="k-1")
    with app.engine.begin() as conn:
        conn.execute(
            schema.idempotency_keys.update()
            .where(schema.idempotency_keys.c.key == "k-1")
            .values(response={"transaction": 1, "quantity": 999})
        )
    problem: dict[str, Any] = to_json_object(app.log.verify(app.log_verifiers()))
    assert where(problem["problem"]) == ("idempotency_keys", "k-1", "response")


def test_editing_the_state_column_of_a_cycle_aggregate_is_caught(app: App) -> None:
    run_demo(
        app.registry,
        app.cycle,
        app.documents,
        app.log,
        identity=app.identity,
        register=app.aef.register,
        progress=False,
    )
    problem = problem_after(
        app, "UPDATE cycle_aggregates SET state = 'issued' WHERE kind = 'project'"
    )
    assert where(problem)[0::2] == ("cycle_aggregates", "state")
    assert problem["key"].startswith("project/")
