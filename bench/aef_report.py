"""Building and checking a Party's AEF for a reported year with 10^5 Article 6 actions over
10^4 ITMO blocks.

``python -m bench.aef_report [--blocks 10000] [--actions 100000] [--repeat 5]``

The ledger facts come from :mod:`bench.aef_facts` (Japan–Kenya, everything in 2026).
Each repetition times, for Japan and Kenya: ``build_report`` alone and ``check_report`` on
it (one Party's build and local checks; the report is built again, untimed, so that
``check_reports`` below reads cells not yet made), then ``check_reports`` on both
reports; and in the same run the raw ceiling, one plain Python pass over the facts
summing the quantities of every range. Medians of the repetitions; wall and CPU seconds
(the machine is shared: CPU seconds are what the code costs). Peak memory: tracemalloc's
peak during one build of both reports (the facts themselves excluded), and the process's
``ru_maxrss``. Then the same transactions are bulk-inserted into a SQLite file with
SQLAlchemy Core (the benchmark only: the registry never writes like this) and
``SqlFactsReader.facts()`` is timed reading them back.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

from bench.aef_facts import YEAR, Synthesis
from jcm.adapters.aef.facts_reader import SqlFactsReader
from jcm.adapters.schema import accounts, decisions, metadata, transaction_ranges, transactions
from jcm.domain.aef.checks import check_report, check_reports
from jcm.domain.aef.derive import build_report, build_reports
from jcm.domain.aef.facts import LedgerFacts
from jcm.domain.aef.tables import PartyReport

PARTIES = ("JP", "KE")


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def ceiling(facts: LedgerFacts) -> int:
    """One plain pass over the facts: the sum of every range's quantity."""
    total = 0
    for tx in facts.transactions:
        for r in tx.ranges:
            total += r.end - r.start + 1
    return total


def build_both(facts: LedgerFacts) -> list[PartyReport]:
    return build_reports(facts, PARTIES, YEAR)


def peak_traced_mb(facts: LedgerFacts) -> float:
    tracemalloc.start()
    build_both(facts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def populate(path: Path, facts: LedgerFacts) -> None:
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    now = datetime(YEAR - 1, 1, 1, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(
            insert(accounts),
            [
                {**vars_of(a), "name": a.id, "status": "open", "created_at": now}
                for a in facts.accounts.values()
            ],
        )
        c.execute(
            insert(decisions),
            [
                {
                    "id": d.id,
                    "project_id": d.project_id,
                    "period_start": date(d.vintage, 1, 1),
                    "period_end": date(d.vintage, 12, 31),
                    "vintage": d.vintage,
                    "period_seq": d.period_seq,
                    "amount": d.amount,
                    "status": "issued",
                    "reference": None,
                    "created_at": now,
                }
                for d in facts.decisions.values()
            ],
        )
        c.execute(insert(transactions), [tx_row(t) for t in facts.transactions])
        c.execute(
            insert(transaction_ranges),
            [
                {
                    "transaction_id": t.id,
                    "decision_id": r.decision_id,
                    "serial_start": r.start,
                    "serial_end": r.end,
                }
                for t in facts.transactions
                for r in t.ranges
            ],
        )
    engine.dispose()


def vars_of(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "registry": a.registry,
        "type": a.type,
        "organisation_id": a.organisation_id,
    }


def tx_row(t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "kind": t.kind,
        "registry": t.registry,
        "source": t.source,
        "destination": t.destination,
        "quantity": sum(r.end - r.start + 1 for r in t.ranges),
        "detail": dict(t.detail),
        "created_at": t.at,
    }


def sql_read(facts: LedgerFacts, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "aef.sqlite3"
        seconds, _, _ = timed(lambda: populate(path, facts))
        print(f"SQLite populated in {seconds:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        engine = create_engine(f"sqlite:///{path}")
        walls = []
        for _ in range(repeat):
            with engine.connect() as c:
                wall, cpu, read = timed(lambda c=c: SqlFactsReader(c).facts())  # type: ignore[misc]
            assert len(read.transactions) == len(facts.transactions)
            assert read.transactions[-1].ranges == facts.transactions[-1].ranges
            walls.append(wall)
            print(f"  SqlFactsReader.facts: {wall:.2f} s wall, {cpu:.2f} s CPU")
        engine.dispose()
        print(f"SqlFactsReader.facts: median {statistics.median(walls):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-sql", action="store_true")
    args = parser.parse_args()
    print(f"nproc {os.cpu_count()}, Python {platform.python_version()}")
    print(f"load average before: {os.getloadavg()}")
    seconds, _, facts = timed(lambda: Synthesis(args.blocks, args.actions).facts())
    a6 = sum(1 for t in facts.transactions if t.kind not in ("issuance", "transfer"))
    print(
        f"facts: {len(facts.transactions):,} transactions ({a6:,} Article 6 actions and "
        f"adjustments), {len(facts.decisions):,} decisions, made in {seconds:.1f} s"
    )
    results: dict[str, list[tuple[float, float]]] = {}
    reports: list[PartyReport] = []
    for _ in range(args.repeat):
        results.setdefault("ceiling", []).append(timed(lambda: ceiling(facts))[:2])
        for party in PARTIES:
            wall, cpu, report = timed(lambda p=party: build_report(facts, p, YEAR))  # type: ignore[misc]
            results.setdefault(f"build {party}", []).append((wall, cpu))
            wall, cpu, failures = timed(lambda r=report: check_report(r))  # type: ignore[misc]
            assert failures == [], failures[:5]
            results.setdefault(f"check_report {party}", []).append((wall, cpu))
            reports = [r for r in reports if r.party != party] + [build_report(facts, party, YEAR)]
        wall, cpu, both = timed(lambda: build_both(facts))
        results.setdefault("build both in one walk", []).append((wall, cpu))
        assert [r.tables() for r in both] == [r.tables() for r in sorted(reports, key=_party)]
        wall, cpu, failures = timed(lambda r=reports: check_reports(r))  # type: ignore[misc]
        assert failures == [], failures[:5]
        results.setdefault("check_reports (both)", []).append((wall, cpu))
        print("  " + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in results.items()))
    for report in reports:
        print(
            f"{report.party}: {len(report.actions):,} action rows, {len(report.holdings):,} "
            f"holdings rows, {len(report.adjustments):,} adjustments"
        )
    summary(results)
    print(f"tracemalloc peak while building both reports: {peak_traced_mb(facts):,.0f} MB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:,.0f} MB")
    if not args.no_sql:
        sql_read(facts, min(args.repeat, 3))
    print(f"load average after: {os.getloadavg()}")


def _party(report: PartyReport) -> str:
    return report.party


def summary(results: dict[str, list[tuple[float, float]]]) -> None:
    medians = {}
    for label, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        medians[label] = (wall, cpu)
        print(f"{label}: median {wall:.2f} s wall, {cpu:.2f} s CPU ({len(runs)} runs)")
    for party in PARTIES:
        build, check_one = medians[f"build {party}"], medians[f"check_report {party}"]
        print(
            f"one Party, build {party} + check_report: {build[0] + check_one[0]:.2f} s wall, "
            f"{build[1] + check_one[1]:.2f} s CPU (target < 5 s)"
        )
    check = medians["check_reports (both)"]
    for label, parts in (
        ("build JP, build KE", ("build JP", "build KE")),
        ("build both in one walk", ("build both in one walk",)),
    ):
        wall = sum(medians[p][0] for p in parts) + check[0]
        cpu = sum(medians[p][1] for p in parts) + check[1]
        print(f"{label} + check_reports: {wall:.2f} s wall, {cpu:.2f} s CPU (target < 5 s)")


if __name__ == "__main__":
    main()
