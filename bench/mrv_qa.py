"""QA/QC + aggregation throughput: 1,000 meters × 1 year of 15-minute readings.

``python -m bench.mrv_qa [--meters 1000] [--months 12] [--repeat 3] [--no-dask]``

The data (35,040,000 readings for 1,000 meters × 12 months) is generated once with numpy
(a clear-sky-shaped day with noise, 5 kW meters at 20 sites near Nairobi, one signed batch
per meter and day) and written as one Parquet file per month in the intake layout under
``$TMPDIR/jcm-bench-mrv-qa/<meters>x<months>`` (kept between runs). Each repetition runs
the whole job (read, every rule, daily aggregation, combining the months) and reports:

* readings/s of the in-process run (Polars' own threads; this machine has 2 cores),
* the same on a 2-worker, 1-thread-each LocalCluster (ratio to local),
* the raw ceiling in the same run: Polars reading the same Parquet and summing ``wh``,
* peak RSS (this process; each Dask worker's), and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from jcm.adapters.mrv.qa_dask import PartitionTask, combine, run_tasks
from jcm.adapters.mrv.qa_polars import device_frame, reading_schema, replacement_frame
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
)
from jcm.domain.mrv.qa import DEFAULT_QA_RULES

YEAR = 2026
STEP = 900
PROJECT = "BENCH"


def devices(n: int) -> list[Device]:
    out = []
    for i in range(n):
        site = i % 20
        out.append(
            Device(
                id=f"BENCH-PV-{i:05}",
                project_id=PROJECT,
                parameter="EG_p",
                kind=DeviceKind.METER,
                register=RegisterKind.INTERVAL,
                interval_minutes=15,
                nameplate_kw=Decimal("5"),
                location=Location(
                    Decimal("-1.2") - Decimal(site) / 100,
                    Decimal("36.8") + Decimal(site) / 100,
                    "Africa/Nairobi",
                ),
                meter_serial=f"SN{i}",
                calibration=Calibration(date(2025, 1, 1), date(2027, 1, 1), Decimal("0.5")),
                public_key="A" * 43 + "=",
            )
        )
    return out


def generate(root: Path, n: int, months: int) -> list[Path]:
    """One Parquet file per month, rows in (device, ts) order = (device, seq, pos)."""
    files = []
    rng = np.random.default_rng(11)
    names = [d.id for d in devices(n)]
    for m in range(1, months + 1):
        path = root / f"project={PROJECT}/month={YEAR}-{m:02}/part-0.parquet"
        files.append(path)
        if path.exists():
            continue
        lo = int(datetime(YEAR, m, 1, tzinfo=UTC).timestamp())
        hi = int(datetime(YEAR + (m == 12), m % 12 + 1, 1, tzinfo=UTC).timestamp())
        ts = np.arange(lo, hi, STEP, dtype=np.int64)
        per = len(ts)
        # Local solar hour in Nairobi ≈ UTC + 2.45 h; a sine day from 06:00 to 18:00.
        hour = ((ts % 86_400) / 3600 + 2.45) % 24
        shape = np.clip(np.sin(np.pi * (hour - 6) / 12), 0, None)
        base = (1250 * shape).astype(np.int64)  # 5 kW × 0.25 h at the peak
        noise = rng.integers(0, 40, size=(n, per), dtype=np.int64)
        wh = np.where(base > 0, np.clip(base - noise, 0, None), 0).ravel()
        day = (ts - lo) // 86_400
        frame = pl.DataFrame(
            {
                "device": np.repeat(np.array(names), per),
                "seq": np.tile((lo // 86_400) + day, n),
                "pos": np.tile(((ts % 86_400) // STEP).astype(np.int32), n),
                "ts": np.tile(ts, n),
                "offset_min": np.full(n * per, 180, dtype=np.int16),
                "wh": wh,
            }
        ).cast(reading_schema())  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, compression="zstd", row_group_size=1 << 20)
    return files


def month_bounds(m: int) -> tuple[int, int]:
    lo = datetime(YEAR, m, 1, tzinfo=UTC)
    hi = datetime(YEAR + (m == 12), m % 12 + 1, 1, tzinfo=UTC)
    return int(lo.timestamp()), int(hi.timestamp())


def tasks(files: list[Path], n: int, months: int) -> list[PartitionTask]:
    """One task per month; receipts: one batch per meter and day, received at midnight."""
    devs = devices(n)
    frame = device_frame(devs, DEFAULT_QA_RULES)
    first, last = month_bounds(1)[0], month_bounds(months)[1]
    seqs = np.arange(first // 86_400, last // 86_400, dtype=np.int64)
    receipts = pl.DataFrame(
        {
            "device": np.repeat(np.array([d.id for d in devs]), len(seqs)),
            "seq": np.tile(seqs, n),
            "received_at": np.tile(seqs * 86_400 + 86_400 + 60, n),
        }
    )
    out = []
    for m, f in enumerate(files, start=1):
        lo, hi = month_bounds(m)
        # As the engine does with receipts' spans: each month gets its own batches.
        month = receipts.filter((pl.col("seq") >= lo // 86_400) & (pl.col("seq") < hi // 86_400))
        out.append(
            PartitionTask(
                (lo, hi), (str(f),), (), frame, replacement_frame(devs), month, DEFAULT_QA_RULES
            )
        )
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ceiling(files: list[Path]) -> float:
    t = time.perf_counter()
    pl.scan_parquet([str(f) for f in files]).select(pl.col("wh").sum()).collect()
    return time.perf_counter() - t


def run_local(all_tasks: list[PartitionTask], scheduler: str | None) -> tuple[float, int]:
    t, cpu = time.perf_counter(), time.process_time()
    _flags, daily = combine(run_tasks(all_tasks, scheduler))
    seconds = time.perf_counter() - t
    if scheduler is None:
        print(f"  local CPU {time.process_time() - cpu:.2f} s (this process, all threads)")
    return seconds, int(daily["readings"].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=1000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.gettempdir()) / "jcm-bench-mrv-qa" / f"{args.meters}x{args.months}"
    print(f"load average before: {os.getloadavg()}")
    t = time.perf_counter()
    files = generate(root, args.meters, args.months)
    print(f"data: {root} ({time.perf_counter() - t:.1f} s to generate or find)")
    all_tasks = tasks(files, args.meters, args.months)
    rows = pl.scan_parquet([str(f) for f in files]).select(pl.len()).collect().item()
    ceilings, local, counted = [], [], 0
    for _ in range(args.repeat):
        ceilings.append(ceiling(files))
        seconds, counted = run_local(all_tasks, None)
        local.append(seconds)
        print(f"  local {seconds:.2f} s, ceiling {ceilings[-1]:.2f} s")
    assert counted == rows, (counted, rows)
    report(rows, "ceiling (read + sum wh)", ceilings)
    report(rows, "QA/QC local", local)
    print(f"peak RSS of this process: {peak_rss_mb():,.0f} MB")
    if not args.no_dask:
        dask_run(all_tasks, rows, args.repeat, statistics.median(local))
    print(f"load average after: {os.getloadavg()}")


def report(rows: int, label: str, seconds: list[float]) -> None:
    med = statistics.median(seconds)
    print(
        f"{label}: median {med:.2f} s = {rows / med / 1e6:.1f} M readings/s ({len(seconds)} runs)"
    )


def dask_run(all_tasks: list[PartitionTask], rows: int, repeat: int, local: float) -> None:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        times = []
        for _ in range(repeat):
            seconds, _count = run_local(all_tasks, cluster.scheduler_address)
            times.append(seconds)
            print(f"  dask {seconds:.2f} s")
        report(rows, "QA/QC on a 2-worker LocalCluster", times)
        print(f"ratio dask/local throughput: {local / statistics.median(times):.2f}")
        rss = client.run(peak_rss_mb)
        print(f"peak RSS per worker: {', '.join(f'{v:,.0f} MB' for v in rss.values())}")


if __name__ == "__main__":
    main()
