"""Running the QA/QC job's partition tasks: in this process, or on a Dask cluster.

A task is one project × month: its receipted files (and, for cumulative registers, the
previous month's, for the reading before the window). Each task is the pure function
``qa_polars.run_partition`` over what it reads; the driver submits one task per month to
``distributed.Client(address)`` and gathers the results in month order, so combining them
(concatenate, sort) gives the same bytes as the in-process run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.qa import QaRuleSet

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class PartitionTask:
    window: tuple[int, int]  # [lo, hi) UTC seconds, whole days, within one month
    files: tuple[str, ...]  # the month's receipted Parquet files
    carry_files: tuple[str, ...]  # files that may hold the readings just before ``lo``
    devices: pl.DataFrame
    replacements: pl.DataFrame
    receipts: pl.DataFrame  # device, seq, received_at (UTC seconds)
    rules: QaRuleSet


def run_task(task: PartitionTask) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read the task's files and run the pure partition function (runs on a worker)."""
    from jcm.adapters.mrv.qa_polars import run_partition

    readings = read_files(task.files)
    carry = _carry(task) if task.devices["cumulative"].any() else None
    return run_partition(
        readings,
        task.devices,
        task.receipts,
        task.rules,
        window=task.window,
        carry=carry,
        replacements=task.replacements,
    )


def read_files(files: Sequence[str]) -> pl.DataFrame:
    import polars as pl

    from jcm.adapters.mrv.qa_polars import reading_schema

    schema = reading_schema()
    if not files:
        return pl.DataFrame(schema=schema)
    frame = pl.scan_parquet(list(files)).select(list(schema)).collect()
    return frame.cast(schema)  # type: ignore[arg-type]


def _carry(task: PartitionTask) -> pl.DataFrame | None:
    import polars as pl

    lo = task.window[0]
    since = lo - task.rules.carry_lookback_days * 86_400
    files = sorted(set(task.carry_files) | set(task.files))
    if not files:
        return None
    ts = pl.col("ts")
    return (
        pl.scan_parquet(files)
        .select("device", "ts", "wh")
        .filter((ts >= since) & (ts < lo))
        .collect()
    )


def run_tasks(
    tasks: Sequence[PartitionTask], scheduler: str | None = None
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Every task's (flags, daily), in task order; on Dask when ``scheduler`` is given."""
    if scheduler is None:
        return [run_task(t) for t in tasks]
    return _on_cluster(tasks, scheduler)


def _on_cluster(
    tasks: Sequence[PartitionTask], scheduler: str
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    from distributed import Client

    try:
        client = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidInput(
            "D9_SCHEDULER_UNREACHABLE",
            f"The Dask scheduler at {scheduler!r} could not be reached ({type(exc).__name__}).",
            scheduler=scheduler[:200],
        ) from None
    try:
        # The device table and the receipts are shared by every task: sent once to each
        # worker, not embedded in every task.
        shared: dict[int, Any] = {}

        def once(frame: pl.DataFrame) -> Any:
            if id(frame) not in shared:
                shared[id(frame)] = client.scatter(  # type: ignore[no-untyped-call]
                    frame, broadcast=True, hash=False
                )
            return shared[id(frame)]

        futures = [
            client.submit(
                _run_fields,
                t.window,
                t.files,
                t.carry_files,
                once(t.devices),
                once(t.replacements),
                once(t.receipts),
                t.rules,
                pure=False,
            )
            for t in tasks
        ]
        results: list[tuple[pl.DataFrame, pl.DataFrame]] = client.gather(futures)  # type: ignore[no-untyped-call]
        return results
    finally:
        client.close()  # type: ignore[no-untyped-call]


def _run_fields(
    window: tuple[int, int],
    files: tuple[str, ...],
    carry_files: tuple[str, ...],
    devices: pl.DataFrame,
    replacements: pl.DataFrame,
    receipts: pl.DataFrame,
    rules: QaRuleSet,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    task = PartitionTask(window, files, carry_files, devices, replacements, receipts, rules)
    return run_task(task)


def combine(
    results: Sequence[tuple[pl.DataFrame, pl.DataFrame]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All tasks' flags and daily rows, in one fixed order."""
    import polars as pl

    from jcm.adapters.mrv.qa_polars import daily_schema, flag_schema

    flags = [f for f, _ in results] or [pl.DataFrame(schema=flag_schema())]
    days = [d for _, d in results] or [pl.DataFrame(schema=daily_schema())]
    return (
        pl.concat(flags).sort("device", "ts", "rule"),
        pl.concat(days).sort("device", "day"),
    )
