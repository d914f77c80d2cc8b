"""Benchmark of the transparency log (issue #3).

    .venv/bin/python -m bench.transparency [--entries 1000000] [--quick]
    .venv/bin/python -m bench.transparency --verify-memory --entries 100000 [--keep DIR]

Measures, on SQLite (the embedded default):
  * log appends per second in batches of 1,000 (canonical JSON, hashing, tree nodes, rows);
  * registry transfer throughput with the log on and off, single and batched, in one run;
  * inclusion-proof time and full `verify` time on a log of --entries registry entries
    (real transfers, so that verify replays real changes).
Prints a table and appends it, with machine info, to docs/benchmarks.md.

``--verify-memory`` measures only `verify` of a log of --entries entries: time and peak
resident memory (RSS) of a fresh process that opens the registry and verifies it, next to
the same process's RSS before verifying (the interpreter and imports). ``--keep DIR`` builds
the log in DIR once and reuses it on later runs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.machine import machine_info
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.results import to_json_object
from jcm.service_layer.transparency import proofs as transparency

console = Console()
NOW = datetime(2026, 4, 1, tzinfo=UTC)
ACCOUNTS = 100


def _app(directory: Path, *, log: bool, checkpoint_every: int = 1000) -> App:
    settings = Settings(
        directory,
        f"sqlite:///{directory / 'registry.sqlite3'}",
        checkpoint_every=checkpoint_every,
        transparency_log=log,
    )
    return bootstrap(settings, clock=lambda: NOW)


def _world(app: App, decisions: int = 20, amount: int = 1_000_000) -> list[str]:
    r = app.registry
    r.create_registry(c.CreateRegistry("JP"))
    r.create_registry(c.CreateRegistry("KE"))
    org = r.create_organisation(c.CreateOrganisation("JP", "Bench KK")).organisation
    accounts = [
        r.open_account(c.OpenAccount("JP", org, AccountType.ENTITY_HOLDING, f"a{i}")).account
        for i in range(ACCOUNTS)
    ]
    share = Decimal(100) / ACCOUNTS
    for year in range(2000, 2000 + decisions):
        decision = r.record_decision(
            c.RecordDecision(
                "KE001",
                date(year, 1, 1),
                date(year, 12, 31),
                year,
                amount,
                tuple(AllocationShare(a, share) for a in accounts),
            )
        ).decision
        r.issue(c.Issue(decision, "JP"))
    return accounts


def _moves(accounts: list[str], n: int, rng: random.Random) -> list[tuple[c.Move, TransactionKind]]:
    out = []
    for _ in range(n):
        source, destination = rng.sample(accounts, 2)
        out.append(
            (c.Move(source, destination, quantity=rng.randint(1, 10)), TransactionKind.TRANSFER)
        )
    return out


def bench_appends(directory: Path, batches: int) -> float:
    """Entries appended per second, batches of 1,000, straight into the log store."""
    app = _app(directory, log=True, checkpoint_every=10**12)
    change = {
        "transaction": 1,
        "kind": "transfer",
        "registry": "JP",
        "source": "JP-ENT-0004",
        "destination": "JP-ENT-0005",
        "quantity": 7,
        "detail": {},
        "ranges": [{"decision": 1, "start": 1, "end": 7, "serial": "JP-KE-JCM-KE001-2023-1-1-7"}],
    }
    rates = []
    for _ in range(batches):
        with app.unit_of_work() as uow:
            started = time.perf_counter()
            uow.ledger.log.append([("transfer", None, change)] * 1000, uow.now)
            uow.commit()
            rates.append(1000 / (time.perf_counter() - started))
    app.close()
    return statistics.median(rates)


def bench_transfers(directory: Path, single: int, batches: int) -> dict[str, float]:
    """Transfers/s with the log on and off, interleaved rounds in one run."""
    results: dict[str, list[float]] = {
        k: [] for k in ("single_on", "single_off", "batch_on", "batch_off")
    }
    apps = {}
    for log in (True, False):
        sub = directory / ("on" if log else "off")
        sub.mkdir()
        apps[log] = (_app(sub, log=log), random.Random(7))
    worlds = {log: _world(app, decisions=5) for log, (app, _) in apps.items()}
    for _round in range(3):
        for log, (app, rng) in apps.items():
            tag = "on" if log else "off"
            moves = _moves(worlds[log], single, rng)
            started = time.perf_counter()
            for move, _kind in moves:
                app.registry.transfer(move)
            results[f"single_{tag}"].append(single / (time.perf_counter() - started))
            started = time.perf_counter()
            for _ in range(batches):
                app.registry.batch(_moves(worlds[log], 1000, rng))
            results[f"batch_{tag}"].append(batches * 1000 / (time.perf_counter() - started))
    for app, _ in apps.values():
        app.close()
    return {k: statistics.median(v) for k, v in results.items()}


def build_log(directory: Path, entries: int) -> App:
    app = _app(directory, log=True, checkpoint_every=100_000)
    accounts = _world(app)
    rng = random.Random(11)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"building a log of {entries:,} entries", total=entries)
        size = 0
        while size < entries:
            with app.unit_of_work() as uow:
                size = uow.ledger.log.size()
            bar.update(task, completed=size)
            app.registry.batch(_moves(accounts, min(1000, max(1, entries - size)), rng))
            size += 1
    app.log.sign_checkpoint()
    return app


def bench_proofs(app: App, samples: int) -> float:
    with app.unit_of_work() as uow:
        size = uow.ledger.log.size()
    rng = random.Random(3)
    times = []
    for _ in range(samples):
        index = rng.randrange(size)
        with app.unit_of_work() as uow:
            started = time.perf_counter()
            transparency.inclusion_bundle(uow, index)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def bench_verify(app: App) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    result = to_json_object(app.log.verify(app.log_verifiers()))
    return time.perf_counter() - started, result


_VERIFY_CHILD = """
import json, resource, sys, time
from pathlib import Path
from jcm.bootstrap import Settings, bootstrap
directory = Path(sys.argv[1])
app = bootstrap(Settings(directory, f"sqlite:///{directory / 'registry.sqlite3'}"))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
result = app.log.verify(dict(app.log_verifiers()))
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "base_kib": base, "ok": result["ok"],
                  "entries": result["entries"], "problem": result["problem"]}))
"""


def bench_verify_memory(directory: Path) -> dict[str, Any]:
    """Verify in a fresh process; its peak RSS is the child's ru_maxrss (KiB on Linux)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", _VERIFY_CHILD, str(directory)],
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_kib"] = peak if peak > before else before
    return result


def verify_memory(entries: int, keep: Path | None, write: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        if not (directory / "registry.sqlite3").exists():
            started = time.perf_counter()
            build_log(directory, entries).close()
            console.print(f"log built in {time.perf_counter() - started:.0f} s")
        result = bench_verify_memory(directory)
    mib = 1024
    line = (
        f"| {result['entries']:,} | {result['seconds']:.1f} s | {result['cpu']:.1f} s "
        f"| {result['peak_kib'] / mib:,.0f} MiB "
        f"| {result['base_kib'] / mib:,.0f} MiB | {'yes' if result['ok'] else 'NO'} |"
    )
    console.print(result)
    console.print(line)
    if not write:
        return
    info = machine_info(None)
    lines = [
        "",
        f"## Verify memory, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Command: `.venv/bin/python -m bench.transparency --verify-memory --entries {entries}`",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "| entries | verify time | CPU time | peak RSS | RSS before verify | ok |",
        "|---|---|---|---|---|---|",
        line,
        "",
    ]
    path = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def _timed(label: str, fn: Callable[[], Any]) -> Any:
    console.print(f"[dim]• {label}…[/]")
    return fn()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--verify-memory", action="store_true", help="only verify's time and RSS")
    parser.add_argument("--keep", type=Path, help="with --verify-memory: build the log here once")
    args = parser.parse_args()
    if args.verify_memory:
        verify_memory(args.entries, args.keep, not args.no_write)
        return
    entries = 20_000 if args.quick else args.entries
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "appends").mkdir()
        appends = _timed(
            "appends", lambda: bench_appends(root / "appends", 5 if args.quick else 20)
        )
        (root / "transfers").mkdir()
        transfers = _timed(
            "transfers with the log on and off",
            lambda: bench_transfers(
                root / "transfers", 300 if args.quick else 2000, 2 if args.quick else 5
            ),
        )
        (root / "big").mkdir()
        started = time.perf_counter()
        app = _timed(f"building a {entries:,}-entry log", lambda: build_log(root / "big", entries))
        build_seconds = time.perf_counter() - started
        with app.unit_of_work() as uow:
            size = uow.ledger.log.size()
        proof_ms = _timed("inclusion proofs", lambda: bench_proofs(app, 200))
        verify_seconds, verdict = _timed("full verify", lambda: bench_verify(app))
        app.close()
    rows = [
        ("log appends/s, batches of 1,000", f"{appends:,.0f}", "≥ 50,000", appends >= 50_000),
        (
            f"inclusion proof at {size:,} entries (median)",
            f"{proof_ms:.2f} ms",
            "< 2 ms",
            proof_ms < 2,
        ),
        (
            f"full verify of {size:,} entries",
            f"{verify_seconds:.1f} s",
            "< 60 s",
            verify_seconds < 60 and verdict["ok"],
        ),
        (
            "single transfers/s, log on / off",
            f"{transfers['single_on']:,.0f} / {transfers['single_off']:,.0f} "
            f"({transfers['single_on'] / transfers['single_off']:.0%})",
            "≥ 70%",
            transfers["single_on"] / transfers["single_off"] >= 0.7,
        ),
        (
            "batched transfers/s, log on / off",
            f"{transfers['batch_on']:,.0f} / {transfers['batch_off']:,.0f} "
            f"({transfers['batch_on'] / transfers['batch_off']:.0%})",
            "≥ 70%",
            transfers["batch_on"] / transfers["batch_off"] >= 0.7,
        ),
    ]
    table = Table(title="transparency log (SQLite)")
    for column in ("measure", "result", "target", "met"):
        table.add_column(column)
    for measure, result, target, met in rows:
        table.add_row(measure, result, target, "yes" if met else "NO")
    console.print(table)
    console.print(f"log built in {build_seconds:.0f} s; verify verdict ok={verdict['ok']}")
    if args.no_write:
        return
    info = machine_info(None)
    lines = [
        "",
        f"## Transparency log, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        + (" (quick)" if args.quick else ""),
        "",
        "Command: `.venv/bin/python -m bench.transparency`" + (" --quick" if args.quick else ""),
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "| measure | result | target | met |",
        "|---|---|---|---|",
        *[f"| {m} | {r} | {t} | {'yes' if ok else 'no'} |" for m, r, t, ok in rows],
        "",
        f"Building the {size:,}-entry log (real batched transfers) took {build_seconds:.0f} s; "
        "transfer rates are medians of 3 interleaved rounds (log on, log off).",
        "",
    ]
    path = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    console.print(f"appended to {path}")


if __name__ == "__main__":
    main()
