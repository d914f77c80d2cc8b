"""A crash at any point of intake neither loses an accepted batch nor stores one twice.

A real ``jcm mrv import`` process is ended (``JCM_CRASH_AT``, exit 86) at each point between
writing the Parquet files and publishing them; recovery then either publishes the files
(the receipts committed: a redelivery is a duplicate) or deletes them (they did not: the
batch was never acknowledged, and sending it again stores it). Two callers racing to store
the same batches store each once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
from jcm_process import CRASHED, jcm_process
from mrv_intake_support import PROJECT, START, batch, csv_file, envelope, payload, register

from jcm.adapters.mrv.receipt_store import SqlReceiptStore
from jcm.bootstrap import App
from jcm.domain.mrv.batches import Batch, Outcome
from jcm.service_layer.mrv.intake_ports import Receipt

DEV = "KE001-PV-001"
# point → (receipts committed, files recovery publishes, files it removes)
POINTS = {
    "mrv-intake:written": (False, 0, 1),  # one of the two files written
    "mrv-intake:staged": (False, 0, 2),
    "mrv-intake:committed": (True, 2, 0),
    "mrv-intake:moved": (True, 1, 0),  # the first file already moved
}


def _parquet(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


@pytest.mark.parametrize("point", list(POINTS))
def test_a_crash_at_each_point_of_intake_loses_nothing_and_stores_nothing_twice(
    app: App, database_url: str, tmp_path: Path, point: str
) -> None:
    key = register(app)
    # Two readings in May and two in June: two files, one per partition.
    sent = envelope(key, batch(DEV, 1, start=START - 1800))
    upload = tmp_path / "readings.csv"
    upload.write_bytes(csv_file([sent]))
    command = ["--data-dir", str(tmp_path), "--database-url", database_url, "mrv", "import"]

    died = jcm_process(*command, str(upload), cwd=tmp_path, env={"JCM_CRASH_AT": point})

    assert died.code == CRASHED, died.stderr
    readings = tmp_path / "mrv" / "readings"
    assert _parquet(readings / "incoming")  # the crash left staged files behind
    recovery = app.mrv.intake.recover(grace_seconds=0)
    assert not _parquet(readings / "incoming")
    stored, published, removed = POINTS[point]
    assert app.mrv.intake.counts().batches == (1 if stored else 0)
    assert (recovery.published, recovery.removed) == (published, removed)
    assert len(_parquet(readings)) == (2 if stored else 0)

    [again] = app.mrv.intake.accept([json.dumps(sent).encode()], "mqtt")

    assert again.outcome is (Outcome.DUPLICATE if stored else Outcome.ACCEPTED)
    files = app.mrv.intake.files(PROJECT, 0, 2**40)
    assert len(files) == len(_parquet(readings)) == 2
    rows = pl.concat([pl.read_parquet(f) for f in files])
    assert sorted(rows["pos"].to_list()) == [0, 1, 2, 3]


def test_a_staged_file_of_a_call_still_running_is_kept_within_the_grace_period(
    app: App, tmp_path: Path
) -> None:
    orphan = tmp_path / "mrv/readings/incoming/project=KE001/month=2026-06/x.parquet"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"PAR1")

    kept = app.mrv.intake.recover(grace_seconds=600)
    swept = app.mrv.intake.recover(grace_seconds=0)

    assert (kept.kept, kept.removed, swept.removed) == (1, 0, 1)
    assert not orphan.exists()


def test_two_callers_racing_with_the_same_batches_store_each_once(app: App) -> None:
    key = register(app)
    payloads = [payload(key, batch(DEV, s, start=START + 3600 * s)) for s in (1, 2, 3)]
    app.mrv.intake.recover()
    readings = app.mrv_adapters.readings
    both_classified = threading.Barrier(2, timeout=30)
    original = readings.stage

    def stage_together(batches: Sequence[tuple[str, Batch]]) -> list[tuple[str, ...]]:
        both_classified.wait()  # each has seen no receipt: both try to store everything
        return original(batches)

    readings.stage = stage_together  # type: ignore[method-assign]
    outcomes: list[list[Outcome]] = []

    def call() -> None:
        outcomes.append([r.outcome for r in app.mrv.intake.accept(payloads, "mqtt")])

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(outcomes) == [[Outcome.ACCEPTED] * 3, [Outcome.DUPLICATE] * 3]
    counts = app.mrv.intake.counts()
    assert (counts.batches, counts.readings, counts.duplicates) == (3, 12, 3)
    root = app.settings.data_dir / "mrv" / "readings"
    assert not _parquet(root / "incoming")
    assert len(_parquet(root)) == 1


def test_a_failed_receipts_transaction_leaves_no_file_and_a_retry_stores_the_batch(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = register(app)
    sent = [payload(key, batch(DEV, 1, start=START - 1800))]

    def broken(self: SqlReceiptStore, receipts: Sequence[Receipt]) -> None:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(SqlReceiptStore, "add", broken)
        with pytest.raises(RuntimeError):
            app.mrv.intake.accept(sent, "mqtt")

    assert not _parquet(app.settings.data_dir / "mrv")
    assert app.mrv.intake.counts().batches == 0
    [retried] = app.mrv.intake.accept(sent, "mqtt")
    assert retried.outcome is Outcome.ACCEPTED
    assert len(_parquet(app.settings.data_dir / "mrv" / "readings")) == 2
