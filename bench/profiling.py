"""``python -m bench --profile``: where the time of a transfer goes.

Loads a ledger (``--profile-size`` blocks), warms up, then runs single transfers and
batches of 1,000 under cProfile while counting every SQL statement the engine sends
(grouped by statement shape, with the time spent in the driver). Writes
``bench/results/profile-<backend>-<path>.prof`` (open with ``python -m pstats`` or
snakeviz) and a text summary next to it, and prints the summary.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from pathlib import Path

from rich.console import Console

from bench.backends import database
from bench.census import Census
from bench.loader import load, settings, settle
from bench.workloads import Traffic, batched_transfers, single_transfers
from jcm.bootstrap import bootstrap

SINGLE = 1000
BATCHES = 3
TOP = 25


def _pstats_text(profiler: cProfile.Profile, sort: str, limit: int) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    text = buffer.getvalue()
    start = text.find("   ncalls")
    return text[start:] if start >= 0 else text


def profile(
    backend: str,
    size: int,
    postgres_url: str | None,
    out_dir: Path,
    console: Console,
    transparency_log: bool = True,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with database(backend, postgres_url) as db:
        app = bootstrap(settings(db.data_dir, db.url, transparency_log))
        try:
            console.print(f"[bold]Profiling {backend} at {size:,} blocks[/bold]")
            loaded = load(app, size)
            settle(app)
            census = Census()
            census.attach(app.engine)
            traffic = Traffic(loaded.accounts, loaded.balances, seed=7)
            single_transfers(app, traffic, 300, 10.0)
            batched_transfers(app, traffic, 1000, 1, 30.0)
            for path, unit, per, run in (
                (
                    "single",
                    "transfer",
                    SINGLE,
                    lambda: single_transfers(app, traffic, SINGLE, 1e9),
                ),
                (
                    "batched",
                    "batch of 1,000",
                    BATCHES,
                    lambda: batched_transfers(app, traffic, 1000, BATCHES, 1e9, count_moved=False),
                ),
            ):
                census.reset()
                census.enabled = True
                profiler = cProfile.Profile()
                began = time.perf_counter()
                profiler.enable()
                run()
                profiler.disable()
                wall = time.perf_counter() - began
                census.enabled = False
                rate = per * (1 if path == "single" else 1000) / wall
                summary = "\n\n".join(
                    [
                        f"{backend}, {size:,} blocks, {path}: {per} {unit}s in {wall:.2f}s "
                        f"under cProfile = {rate:,.0f} transfers/s (profiling overhead "
                        "included)",
                        "SQL statements (by time in the driver):\n"
                        + census.report(per, unit, wall),
                        f"cProfile, top {TOP} by own time:\n"
                        + _pstats_text(profiler, "tottime", TOP),
                        f"cProfile, top {TOP} by cumulative time:\n"
                        + _pstats_text(profiler, "cumulative", TOP),
                    ]
                )
                suffix = "" if transparency_log else "-nolog"
                stem = out_dir / f"profile-{backend}-{path}{suffix}"
                profiler.dump_stats(stem.with_suffix(".prof"))
                stem.with_suffix(".txt").write_text(summary + "\n")
                console.print(summary, markup=False, highlight=False)
                console.print(f"[dim]written {stem}.prof and .txt[/dim]\n")
        finally:
            app.close()
