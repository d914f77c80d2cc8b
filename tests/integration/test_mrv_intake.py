"""Signed batches are accepted exactly once; everything else is refused, recorded and counted."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from mrv_intake_support import PROJECT, START, batch, csv_file, envelope, payload, register
from sqlalchemy import select
from typer.testing import CliRunner

from jcm.adapters import schema
from jcm.adapters.mrv.signatures import new_device_key
from jcm.bootstrap import App
from jcm.domain.mrv.batches import (
    BATCHES_RECEIVED,
    BATCHES_REFUSED,
    MAX_ENVELOPE_BYTES,
    Outcome,
    format_timestamp,
)
from jcm.entrypoints.cli import cli

DEV = "KE001-PV-001"


def _rows(app: App) -> pl.DataFrame:
    files = app.mrv.intake.files(PROJECT, 0, 2**40)
    if not files:
        return pl.DataFrame()
    return pl.concat([pl.read_parquet(f) for f in files]).sort("device", "seq", "pos")


def test_a_signed_batch_is_accepted_once_and_its_readings_are_stored_in_its_partition(
    app: App,
) -> None:
    key = register(app)

    [result] = app.mrv.intake.accept([payload(key, batch(DEV, 1))], "mqtt")

    assert (result.outcome, result.device, result.seq, result.readings) == (
        Outcome.ACCEPTED,
        DEV,
        1,
        4,
    )
    rows = _rows(app)
    assert rows.columns == ["device", "seq", "pos", "ts", "offset_min", "wh"]
    assert rows["ts"].to_list() == [START + 900 * i for i in range(4)]
    assert rows["offset_min"].to_list() == [180] * 4
    assert rows["wh"].to_list() == [1000, 1001, 1002, 1003]
    [receipt] = app.mrv.intake.receipts(PROJECT, START, START + 3600)
    assert receipt.files[0].startswith(f"project={PROJECT}/month=2026-06/")
    assert (receipt.first_ts, receipt.last_ts, receipt.channel) == (START, START + 2700, "mqtt")
    assert not list((app.settings.data_dir / "mrv/readings/incoming").rglob("*.parquet"))


def test_a_redelivered_batch_is_a_duplicate_and_stores_nothing_more(app: App) -> None:
    key = register(app)
    sent = payload(key, batch(DEV, 1))
    app.mrv.intake.accept([sent], "mqtt")

    again = app.mrv.intake.accept([sent, sent], "mqtt")

    assert [r.outcome for r in again] == [Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert len(_rows(app)) == 4
    counts = app.mrv.intake.counts(PROJECT)
    assert (counts.batches, counts.readings, counts.duplicates) == (1, 4, 2)


def test_a_replayed_seq_with_other_content_is_refused_d3_and_counted(app: App) -> None:
    key = register(app)
    app.mrv.intake.accept([payload(key, batch(DEV, 1))], "mqtt")

    [result] = app.mrv.intake.accept([payload(key, batch(DEV, 1, wh=5))], "http")

    assert (result.outcome, result.code, result.seq) == (Outcome.REFUSED, "D3_REPLAYED", 1)
    assert _rows(app)["wh"].to_list() == [1000, 1001, 1002, 1003]
    [refusal] = app.mrv.intake.refusals(DEV)
    assert (refusal.code, refusal.seq, refusal.channel) == ("D3_REPLAYED", 1, "http")
    assert refusal.digest is not None
    assert app.mrv.intake.counts(PROJECT).refusals == {"D3_REPLAYED": 1}


def test_one_seq_twice_in_one_call_is_stored_once(app: App) -> None:
    key = register(app)
    first, same, other = batch(DEV, 3), batch(DEV, 3), batch(DEV, 3, wh=7)

    results = app.mrv.intake.accept(
        [payload(key, first), payload(key, same), payload(key, other)], "mqtt"
    )

    assert [(r.outcome, r.code) for r in results] == [
        (Outcome.ACCEPTED, None),
        (Outcome.DUPLICATE, None),
        (Outcome.REFUSED, "D3_REPLAYED"),
    ]
    assert len(_rows(app)) == 4


def test_out_of_order_sequence_numbers_are_accepted(app: App) -> None:
    key = register(app)

    results = app.mrv.intake.accept(
        [payload(key, batch(DEV, s, start=START + s * 3600)) for s in (5, 2, 9)], "mqtt"
    )

    assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    assert [r.seq for r in app.mrv.intake.receipts(PROJECT, 0, 2**40)] == [2, 5, 9]


def test_bad_batches_are_refused_each_naming_device_seq_and_rule(app: App) -> None:
    key = register(app)
    register(app, "KE001-PV-002")
    forger, _ = new_device_key()
    unsigned = json.dumps({"batch": batch(DEV, 4)}).encode()
    bad_reading = batch(DEV, 5)
    bad_reading["readings"] = [["2026-06-01T10:15:00Z", 1]]
    huge = b"{" + b" " * MAX_ENVELOPE_BYTES + b"}"
    payloads = [
        payload(forger, batch(DEV, 1)),
        unsigned,
        payload(key, batch("KE999-PV-001", 2)),
        payload(key, batch("KE001-PV-002", 3)),  # on KE001-PV-001's topic
        json.dumps(envelope(key, bad_reading)).encode(),
        b"not json",
        huge,
        b"[" * 100_000 + b"]" * 100_000,  # nested deeper than any parser's stack
    ]
    topics: list[str | None] = [DEV] * len(payloads)

    results = app.mrv.intake.accept(payloads, "mqtt", topic_devices=topics)

    assert [(r.code, r.device, r.seq) for r in results] == [
        ("D2_BAD_SIGNATURE", DEV, 1),
        ("D2_UNSIGNED", DEV, 4),
        ("D1_UNKNOWN_DEVICE", "KE999-PV-001", 2),
        ("D6_WRONG_DEVICE", "KE001-PV-002", 3),
        ("D4_MALFORMED", DEV, 5),
        ("D4_MALFORMED", None, None),
        ("D5_TOO_LARGE", None, None),
        ("D4_MALFORMED", None, None),
    ]
    assert {r.outcome for r in results} == {Outcome.REFUSED}
    recorded = app.mrv.intake.refusals(limit=100)
    assert sorted(r.code for r in recorded) == sorted(r.code or "" for r in results)
    assert all(len(r.message) <= 500 for r in recorded)
    counts = app.mrv.intake.counts()
    assert counts.batches == 0
    assert sum(counts.refusals.values()) == 8
    assert counts.refusals["D4_MALFORMED"] == 3


def test_a_batch_across_a_month_boundary_is_split_into_both_months(app: App) -> None:
    key = register(app)
    end_of_may = START - 1800  # 2026-05-31T23:30Z: two readings in May, two in June

    [result] = app.mrv.intake.accept([payload(key, batch(DEV, 1, start=end_of_may))], "file")

    assert result.outcome is Outcome.ACCEPTED
    [receipt] = app.mrv.intake.receipts(PROJECT, 0, 2**40)
    months = sorted(name.split("/")[1] for name in receipt.files)
    assert months == ["month=2026-05", "month=2026-06"]
    by_file = {
        f: pl.read_parquet(f)["pos"].to_list() for f in app.mrv.intake.files(PROJECT, 0, 2**40)
    }
    assert sorted(by_file.values()) == [[0, 1], [2, 3]]
    assert app.mrv.intake.receipts(PROJECT, START + 3600, START + 7200) == []


def test_receipts_of_a_period_come_by_device_and_seq_with_their_signatures(app: App) -> None:
    keys = {d: register(app, d) for d in ("KE001-PV-002", DEV)}
    sent = [envelope(keys[d], batch(d, s, start=START + s * 3600)) for d in keys for s in (2, 1)]

    app.mrv.intake.accept([json.dumps(e).encode() for e in sent], "mqtt")

    receipts = app.mrv.intake.receipts(PROJECT, START, START + 3 * 3600)
    assert [(r.device, r.seq) for r in receipts] == [
        (DEV, 1),
        (DEV, 2),
        ("KE001-PV-002", 1),
        ("KE001-PV-002", 2),
    ]
    signatures = {(e["batch"]["device"], e["batch"]["seq"]): e["signature"] for e in sent}  # type: ignore[index]
    assert all(r.signature == signatures[(r.device, r.seq)] for r in receipts)
    assert len({r.digest for r in receipts}) == 4


def test_a_timestamp_is_stored_so_the_signed_text_can_be_rebuilt(app: App) -> None:
    key = register(app)
    sent = batch(DEV, 1)

    app.mrv.intake.accept([payload(key, sent)], "mqtt")

    rows = _rows(app)
    rebuilt = [
        [format_timestamp(ts, off), wh]
        for ts, off, wh in zip(rows["ts"], rows["offset_min"], rows["wh"], strict=True)
    ]
    assert rebuilt == sent["readings"]


def test_no_staged_file_is_left_when_nothing_is_accepted(app: App, tmp_path: Path) -> None:
    register(app)

    app.mrv.intake.accept([b"[]"], "mqtt")

    assert not list((tmp_path / "mrv").rglob("*.parquet"))


def test_the_cli_imports_a_file_and_shows_counts_and_refusals(
    app: App, database_url: str, tmp_path: Path
) -> None:
    key = register(app)
    forged = envelope(key, batch(DEV, 2))
    forged["signature"] = envelope(key, batch(DEV, 9))["signature"]
    upload = tmp_path / "readings.csv"
    upload.write_bytes(csv_file([envelope(key, batch(DEV, 1)), forged]))
    base = ["--data-dir", str(tmp_path), "--database-url", database_url, "mrv"]

    imported = CliRunner().invoke(cli, [*base, "import", str(upload)])
    counted = CliRunner().invoke(cli, [*base, "intake", "--project", PROJECT, "--json"])
    listed = CliRunner().invoke(cli, [*base, "refusals", "--device", DEV, "--json"])

    assert imported.exit_code == 0, imported.output
    assert "1 batch(es) accepted (4 readings)" in imported.stdout
    assert "refused batch 2 of KE001-PV-001: error[D2_BAD_SIGNATURE]" in imported.stdout
    assert "hint: check the device's registered key" in imported.stdout
    assert json.loads(counted.stdout) == {
        "batches": 1,
        "readings": 4,
        "duplicates": 0,
        "refusals": {"D2_BAD_SIGNATURE": 1},
    }
    [refusal] = json.loads(listed.stdout)
    assert (refusal["device"], refusal["seq"], refusal["code"]) == (DEV, 2, "D2_BAD_SIGNATURE")


def test_one_call_logs_its_receipts_duplicates_and_refusals_in_one_entry_each(app: App) -> None:
    key = register(app)
    sent = payload(key, batch(DEV, 1))
    calls = [[sent, payload(key, batch(DEV, 2))], [sent, sent, payload(key, batch(DEV, 1, wh=5))]]

    for call in calls:
        app.mrv.intake.accept(call, "mqtt")

    with app.engine.connect() as conn:
        rows = conn.execute(
            select(schema.events.c.kind, schema.events.c.entry)
            .where(schema.events.c.kind.like("mrv_batches_%"))
            .order_by(schema.events.c.log_index)
        ).all()
        [refusal_id] = conn.execute(select(schema.mrv_refusals.c.id)).scalars().all()
    entries = [(kind, json.loads(entry)["change"]) for kind, entry in rows]
    assert [kind for kind, _ in entries] == [
        BATCHES_RECEIVED,
        BATCHES_RECEIVED,
        BATCHES_REFUSED,
    ]
    assert [(b["device"], b["seq"]) for b in entries[0][1]["batches"]] == [(DEV, 1), (DEV, 2)]
    assert entries[1][1] == {"channel": "mqtt", "batches": [], "duplicates": [[DEV, 1], [DEV, 1]]}
    [refused] = entries[2][1]["refusals"]
    assert (refused["id"], refused["code"], refused["seq"]) == (refusal_id, "D3_REPLAYED", 1)
