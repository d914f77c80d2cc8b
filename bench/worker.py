"""One configuration (backend × ledger size) in its own process.

``python -m bench.worker - RESULT_PATH``, the configuration's JSON on standard input (it
holds the database URL, password included, so it is kept off the command line): for each
round, build a database, bulk-load the ledger (in a child process), settle it, warm up, then
measure single
transfers, batched transfers and issuance, in that order; write the results as JSON.
Every round starts from the same freshly loaded ledger and runs the same seeded
operations, so rounds are true repeats (transfers fragment the holdings as they go, which
would otherwise make later rounds slower). Running each configuration in a fresh process
makes ``ru_maxrss`` a per-configuration peak.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.backends import database
from bench.census import Census
from bench.loader import LoadedLedger, count_blocks, load_fresh, settings
from bench.workloads import Issuer, Traffic, batched_transfers, single_transfers
from jcm.bootstrap import App, bootstrap


@dataclass(frozen=True)
class WorkerConfig:
    backend: str
    size: int
    postgres_url: str | None
    rounds: int
    single_count: int
    single_seconds: float
    batch_size: int
    batches: int
    batch_seconds: float
    decisions: int
    audit: bool
    transparency_log: bool = True
    seed: int = 20261122


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _log(message: str) -> None:
    print(f"    {message}", flush=True)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _audit(app: App, when: str) -> dict[str, Any]:
    began = time.perf_counter()
    report = app.registry.audit()
    _log(
        f"audit {when}: ok={report.ok} issued={report.issued} held={report.held} "
        f"({time.perf_counter() - began:.1f}s)"
    )
    if not report.ok:
        raise RuntimeError(f"audit {when} failed: {report.problems[:5]}")
    return {"when": when, "ok": report.ok, "issued": report.issued, "held": report.held}


def count_statements(app: App, traffic: Traffic, batch_size: int) -> dict[str, float]:
    """SQL statements per single transfer and per batch (after the timed rounds: the
    counting wrappers on the driver cost a little time)."""
    census = Census()
    census.attach(app.engine)
    census.enabled = True
    single = single_transfers(app, traffic, 200, 30.0)
    per_single = census.total() / single.count
    census.reset()
    batched_transfers(app, traffic, batch_size, 1, 60.0, count_moved=False)
    per_batch = float(census.total())
    census.enabled = False
    return {"single": per_single, "batch": per_batch}


def _load_in_child(config: WorkerConfig, url: str, data_dir: str) -> LoadedLedger:
    """Load in a spawned process (killed if this one is interrupted)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # __exit__ terminates it
        loaded: LoadedLedger = pool.apply(
            load_fresh, (url, data_dir, config.size, config.transparency_log)
        )
    return loaded


def _round(config: WorkerConfig, number: int) -> dict[str, Any]:
    """One round on a freshly loaded database, so that every round starts from the same
    ledger and runs the same seeded operations: rounds differ only by machine noise."""
    with database(config.backend, config.postgres_url) as db:
        loaded = _load_in_child(config, db.url, str(db.data_dir))
        _log(
            f"round {number}: loaded {loaded.blocks:,} blocks in {loaded.seconds:.1f}s, "
            f"settled in {loaded.settle_seconds:.1f}s"
        )
        app = bootstrap(settings(db.data_dir, db.url, config.transparency_log))
        audit = config.audit and number == 1
        try:
            audits = [_audit(app, "after load")] if audit else []
            traffic = Traffic(loaded.accounts, loaded.balances, config.seed)
            issuer = Issuer(traffic)
            # Warm-up: connection pool, statement caches, OS page cache.
            single_transfers(app, traffic, 200, 5.0)
            batched_transfers(app, traffic, min(config.batch_size, 200), 1, 5.0)
            single = single_transfers(app, traffic, config.single_count, config.single_seconds)
            batched = batched_transfers(
                app, traffic, config.batch_size, config.batches, config.batch_seconds
            )
            issued = issuer.issue(app, config.decisions)
            statements = count_statements(app, traffic, config.batch_size) if number == 1 else {}
            if audit:
                audits.append(_audit(app, "after workload"))
            blocks_after = count_blocks(app)
        finally:
            app.close()
    latencies_ms = [x * 1000 for x in single.latencies]
    result: dict[str, Any] = {
        "round": number,
        "single_per_s": single.per_second,
        "single_count": single.count,
        "p50_ms": percentile(latencies_ms, 50),
        "p99_ms": percentile(latencies_ms, 99),
        "single_ranges_per_tx": single.ranges / single.count if single.count else 0,
        "batched_per_s": batched.per_second,
        "batched_count": batched.transfers,
        "batched_ranges_per_tx": batched.ranges / batched.transfers if batched.transfers else 0,
        "decisions_per_s": issued.per_second,
        "decisions": issued.decisions,
        "load_seconds": loaded.seconds,
        "settle_seconds": loaded.settle_seconds,
        "blocks_after": blocks_after,
        "server_version": db.server_version,
        "audits": audits,
        "statements": statements,
    }
    _log(
        f"round {number}: single {single.per_second:,.0f}/s "
        f"(p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
        f"n={single.count}, {result['single_ranges_per_tx']:.2f} blocks/tx), "
        f"batched {batched.per_second:,.0f}/s (n={batched.transfers}, "
        f"{result['batched_ranges_per_tx']:.2f} blocks/tx), "
        f"issuance {issued.per_second:,.0f} decisions/s"
    )
    if statements:
        _log(
            f"statements: {statements['single']:.2f} per single transfer, "
            f"{statements['batch']:.1f} per batch of {config.batch_size:,}"
        )
    return result


MEDIAN_KEYS = (
    "single_per_s",
    "p50_ms",
    "p99_ms",
    "batched_per_s",
    "decisions_per_s",
    "single_ranges_per_tx",
    "batched_ranges_per_tx",
    "load_seconds",
    "blocks_after",
)


def run(config: WorkerConfig) -> dict[str, Any]:
    load_average = os.getloadavg()[0]  # how busy the shared machine was at the start
    rounds = [_round(config, number) for number in range(1, config.rounds + 1)]
    first = rounds[0]
    return {
        "config": asdict(config) | {"postgres_url": None},
        "backend": config.backend,
        "size": config.size,
        "server_version": first["server_version"],
        "load_seconds": statistics.median(r["load_seconds"] for r in rounds),
        "blocks_after": int(statistics.median(r["blocks_after"] for r in rounds)),
        "rounds": rounds,
        "median": {key: statistics.median(r[key] for r in rounds) for key in MEDIAN_KEYS},
        "load_average": load_average,
        "statements": first["statements"],
        "audits": first["audits"],
        "peak_rss_mib": max_rss_mib(),
    }


def main(argv: list[str]) -> int:
    """``CONFIG_JSON RESULT_PATH``; ``-`` as CONFIG_JSON reads it from standard input (how
    the bench passes it: it holds the database URL, password included)."""
    config = WorkerConfig(**json.loads(sys.stdin.read() if argv[0] == "-" else argv[0]))
    result = run(config)
    Path(argv[1]).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
