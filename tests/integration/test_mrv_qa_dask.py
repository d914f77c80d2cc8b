"""The QA/QC job on a Dask cluster (a 2-worker LocalCluster) gives byte-identical flags,
daily aggregates and reports to the in-process run, across a month boundary."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from distributed import LocalCluster
from test_mrv_qa_support import HOUR, SUNNY, device, write_partition

from jcm.adapters.mrv.qa_engine import qa_frames, reports_from_daily
from jcm.domain.mrv.devices import RegisterKind
from jcm.domain.mrv.qa import DEFAULT_QA_RULES, report_json
from jcm.service_layer.mrv.qa_ports import BatchReceipt, QaJob

START, END = date(2026, 2, 27), date(2026, 3, 2)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield str(cluster.scheduler_address)


def job(root: Path) -> QaJob:
    """Four days across February and March, three devices (one a counter, one with a
    stuck morning and a night reading), one batch per device and day."""
    first = int(datetime(2026, 2, 27, tzinfo=UTC).timestamp())
    devices = (
        device("KE-PV-001"),
        device("KE-PV-002", register=RegisterKind.CUMULATIVE),
        device("KE-PV-003", valid_until=date(2026, 2, 28)),
    )
    readings, receipts = [], []
    for day in range(4):
        for n, dev in enumerate(devices):
            seq = day + 1
            total = 10_000 * day
            batch = []
            for h in range(24):
                wh = SUNNY.get(h, 0) + n
                if n == 2 and day == 1:
                    wh = {0: 30, 8: 500, 9: 500, 10: 500, 11: 500, 12: 500, 13: 500}.get(h, wh)
                total += wh
                value = total if dev.register is RegisterKind.CUMULATIVE else wh
                batch.append((dev.id, seq, h, first + day * 86_400 + h * HOUR, value))
            readings += batch
            received = datetime.fromtimestamp(batch[-1][3] + 60, UTC)
            receipts.append((dev.id, seq, received))
    files = tuple(write_partition(root, "KE001", readings, "all"))
    return QaJob(
        "KE001",
        START,
        END,
        devices,
        tuple(BatchReceipt(d, s, at, files) for d, s, at in receipts),
        DEFAULT_QA_RULES,
    )


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def test_the_job_on_a_local_cluster_is_byte_identical_to_the_local_run(
    scheduler: str, tmp_path: Path
) -> None:
    qa_job = job(tmp_path)
    local = qa_frames(qa_job, None, tmp_path)
    remote = qa_frames(qa_job, scheduler, tmp_path)
    assert parquet(remote[0]) == parquet(local[0])
    assert parquet(remote[1]) == parquet(local[1])

    def reports(daily: pl.DataFrame) -> bytes:
        return json.dumps([report_json(r) for r in reports_from_daily(daily, START, END)]).encode()

    assert reports(remote[1]) == reports(local[1])
    # The job did find something to agree on: a stuck run, a night reading, overdue days.
    assert {"Q09_STUCK", "Q11_NIGHT_GENERATION", "Q13_CALIBRATION_OVERDUE"} <= set(
        local[0]["rule"].to_list()
    )
    assert local[1].height == 3 * 4


def test_a_counter_is_differenced_across_the_month_boundary_on_the_cluster_too(
    scheduler: str, tmp_path: Path
) -> None:
    march = replace(job(tmp_path), start=date(2026, 3, 1))
    midnight = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
    for where in (None, scheduler):
        flags = qa_frames(march, where, tmp_path)[0]
        # The counter jumps by 10,000 Wh between days: 1 March's first hour, differenced
        # against 28 February's last reading (in the other month's files), is over
        # capacity (and at night).
        first_hour = flags.filter((pl.col("device") == "KE-PV-002") & (pl.col("ts") == midnight))
        assert first_hour.select("rule", "wh").rows() == [
            ("Q10_OVER_CAPACITY", 5_277),
            ("Q11_NIGHT_GENERATION", 5_277),
        ]
