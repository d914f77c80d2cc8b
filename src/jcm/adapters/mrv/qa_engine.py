"""The QA/QC and aggregation job (Polars, pvlib), local or on Dask: the ``QaEngine`` port.

Public interface (the verification helper re-runs QA offline with it):

* ``qa_polars.run_partition(readings, devices, receipts, rules, *, window, carry=None,
  replacements=None) -> (flags, daily)``: the pure function over one partition;
* ``qa_polars.device_frame(devices, rules)`` and ``replacement_frame(devices)``: its device
  tables from ``Device`` objects;
* :func:`qa_frames` (a whole job: months → tasks → combined, sorted frames) and
  :func:`daily_aggregates` / :func:`reports_from_daily` (frames → domain objects).

Heavy libraries are imported inside functions: ``bootstrap`` imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from jcm.domain.mrv.qa import (
    COUNTED_RULES,
    DailyAggregate,
    DeviceQaReport,
    ExclusionCount,
    reports_from_days,
)
from jcm.service_layer.mrv.qa_ports import BatchReceipt, QaJob, QaOutput

if TYPE_CHECKING:
    import polars as pl

    from jcm.adapters.mrv.qa_dask import PartitionTask

DAY_S = 86_400
_MONTH = re.compile(r"month=(\d{4}-\d{2})")


class PolarsQaEngine:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root  # <data_dir>/mrv/readings: relative receipt paths start here

    def run(self, job: QaJob, scheduler: str | None = None) -> QaOutput:
        flags, daily = qa_frames(job, scheduler, self.root)
        return QaOutput(tuple(daily_aggregates(daily)), flags.height)


def qa_frames(
    job: QaJob, scheduler: str | None = None, root: Path | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(flags, daily) of a whole job, sorted; identical bytes locally and on Dask."""
    from jcm.adapters.mrv import qa_dask

    tasks = partition_tasks(job, root)
    return qa_dask.combine(qa_dask.run_tasks(tasks, scheduler))


def partition_tasks(job: QaJob, root: Path | None = None) -> list[PartitionTask]:
    """One task per calendar month of the period, in month order."""

    from jcm.adapters.mrv.qa_dask import PartitionTask
    from jcm.adapters.mrv.qa_polars import device_frame, replacement_frame

    devices = device_frame(job.devices, job.rules)
    replacements = replacement_frame(job.devices)
    by_month: dict[str, set[str]] = {}
    for receipt in job.receipts:
        for name in receipt.files:
            found = _MONTH.search(name)
            month = found.group(1) if found else ""
            by_month.setdefault(month, set()).add(_resolve(name, root))
    receipts = receipt_frame(job.receipts)
    tasks = []
    for lo, hi in month_windows(job.start, job.end):
        month = _month_of(lo)
        previous = _month_of(lo - job.rules.carry_lookback_days * DAY_S)
        tasks.append(
            PartitionTask(
                (lo, hi),
                tuple(sorted(by_month.get(month, ()))),
                tuple(sorted(by_month.get(previous, ()))) if previous != month else (),
                devices,
                replacements,
                _overlapping(receipts, lo, hi),
                job.rules,
            )
        )
    return tasks


def receipt_frame(receipts: Sequence[BatchReceipt]) -> pl.DataFrame:
    """(device, seq, received_at, first_ts, last_ts); unknown spans cover everything."""
    import polars as pl

    big = 2**62
    rows = [
        (
            r.device,
            r.seq,
            int(r.received_at.timestamp()),
            -big if r.first_ts is None else r.first_ts,
            big if r.last_ts is None else r.last_ts,
        )
        for r in receipts
    ]
    schema = {
        "device": pl.String,
        "seq": pl.Int64,
        "received_at": pl.Int64,
        "first_ts": pl.Int64,
        "last_ts": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _overlapping(receipts: pl.DataFrame, lo: int, hi: int) -> pl.DataFrame:
    import polars as pl

    return receipts.filter((pl.col("last_ts") >= lo) & (pl.col("first_ts") < hi)).select(
        "device", "seq", "received_at"
    )


def month_windows(start: date, end: date) -> list[tuple[int, int]]:
    """[lo, hi) UTC seconds of each calendar month's part of [start, end]."""
    windows = []
    day = start
    while day <= end:
        next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(end, next_month - timedelta(days=1))
        windows.append((_ts(day), _ts(last) + DAY_S))
        day = last + timedelta(days=1)
    return windows


def _ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _month_of(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m")


def _resolve(name: str, root: Path | None) -> str:
    path = Path(name)
    return str(path if path.is_absolute() or root is None else root / path)


def daily_aggregates(daily: pl.DataFrame) -> list[DailyAggregate]:
    """The job's daily rows as domain objects (every rule that fired, in rule order)."""
    out = []
    for row in daily.iter_rows(named=True):
        exclusions = tuple(
            ExclusionCount(rule, row[f"{rule.value}_intervals"], row[f"{rule.value}_wh"])
            for rule in COUNTED_RULES
            if row[f"{rule.value}_intervals"]
        )
        out.append(
            DailyAggregate(
                device=row["device"],
                day=row["day"].isoformat(),
                rule_set=row["rule_set"],
                expected_intervals=row["expected_intervals"],
                readings=row["readings"],
                measured_wh=row["measured_wh"],
                excluded_wh=row["excluded_wh"],
                calibration_reduction_wh=row["calibration_reduction_wh"],
                credited_wh=row["credited_wh"],
                exclusions=exclusions,
            )
        )
    return out


def reports_from_daily(
    daily: pl.DataFrame | Sequence[DailyAggregate], start: date, end: date
) -> list[DeviceQaReport]:
    """One report per device from the job's daily rows (a frame, or ``QaOutput.days``),
    the exact sum of its days in [start, end], by device id."""
    import polars as pl

    days = daily_aggregates(daily) if isinstance(daily, pl.DataFrame) else daily
    return reports_from_days(days, start.isoformat(), end.isoformat())
