"""``python -m bench``: run every configuration, print the table, append to the docs."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.backends import BACKENDS, postgres_version, resolve_postgres_url, shown
from bench.ceiling import raw_ceiling
from bench.machine import ROOT, machine_info, wait_for_idle
from bench.report import append_markdown, checks, markdown_section, ratio_lines, rich_table
from bench.worker import WorkerConfig

DOCS = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(float(part)) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: sizes are numbers, e.g. 1000,1e5") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def _backends(text: str) -> list[str]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"backends are {', '.join(BACKENDS)}; got {text!r}")
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Throughput, latency and memory of the JCM registry on SQLite and "
        "PostgreSQL at several ledger sizes. Appends the results to docs/benchmarks.md.",
    )
    parser.add_argument("--sizes", type=_sizes, help="unit blocks (default 1000,100000,1000000)")
    parser.add_argument("--backends", type=_backends, default=list(BACKENDS))
    parser.add_argument("--rounds", type=int, help="rounds per configuration (default 3)")
    parser.add_argument("--quick", action="store_true", help="about a minute: fewer, smaller")
    parser.add_argument("--single", type=int, help="max single transfers per round (3000)")
    parser.add_argument("--single-seconds", type=float, help="time budget for them (8)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--batches", type=int, help="max batches per round (5)")
    parser.add_argument("--batch-seconds", type=float, help="time budget for them (10)")
    parser.add_argument("--decisions", type=int, help="decisions issued per round (1000)")
    parser.add_argument(
        "--log",
        choices=("on", "off"),
        default="on",
        help="transparency log (default on; off only to measure what it costs)",
    )
    parser.add_argument(
        "--postgres-url",
        help="admin URL without its password (from JCM_DATABASE_PASSWORD_FILE or "
        "JCM_DATABASE_PASSWORD; default: scripts/start-postgres)",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each configuration, wait up to SECONDS for the machine to be idle "
        "(other processes using < 30%% of the CPU); default 0: do not wait",
    )
    parser.add_argument(
        "--no-audit", action="store_true", help="skip the audit at the smallest size"
    )
    parser.add_argument("--no-write", action="store_true", help="do not append to the docs")
    parser.add_argument("--output", type=Path, default=DOCS, help="Markdown file to append to")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the single and batched transfer paths instead (cProfile + SQL census)",
    )
    parser.add_argument("--profile-size", type=int, default=100_000)
    args = parser.parse_args(argv)
    quick = args.quick
    defaults: dict[str, Any] = {
        "sizes": [1000, 100_000] if quick else [1000, 100_000, 1_000_000],
        "rounds": 1 if quick else 3,
        "single": 1000 if quick else 3000,
        "single_seconds": 3.0 if quick else 8.0,
        "batches": 3 if quick else 5,
        "batch_seconds": 3.0 if quick else 10.0,
        "decisions": 200 if quick else 1000,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def run_worker(config: WorkerConfig, console: Console) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jcm-bench-result-") as tmp:
        out = Path(tmp) / "result.json"
        began = time.perf_counter()
        # The configuration (with the database URL and its password) goes on standard input,
        # never on the worker's command line, which ``ps`` shows to every user.
        process = subprocess.run(
            [sys.executable, "-m", "bench.worker", "-", str(out)],
            cwd=ROOT,
            input=json.dumps(asdict(config)),
            text=True,
            check=False,
        )
        if process.returncode != 0 or not out.exists():
            console.print(f"[red]  {config.backend} {config.size:,}: worker failed[/red]")
            return {
                "backend": config.backend,
                "size": config.size,
                "error": f"exit status {process.returncode}",
            }
        result: dict[str, Any] = json.loads(out.read_text())
        result["wall_seconds"] = time.perf_counter() - began
        return result


def usable_backends(
    args: argparse.Namespace, console: Console
) -> tuple[list[str], str | None, str | None]:
    """The backends to measure, PostgreSQL's admin URL and version (None when unusable)."""
    backends: list[str] = args.backends
    if "postgresql" not in backends:
        return backends, None, None
    postgres_url = resolve_postgres_url(args.postgres_url)
    pg_version: str | None = None
    try:
        pg_version = postgres_version(postgres_url) if postgres_url else None
    except Exception as error:  # any connection failure: measure SQLite alone
        where = shown(postgres_url) if postgres_url else "?"
        console.print(f"[yellow]PostgreSQL at {where} unusable: {error}[/yellow]")
    if pg_version is None:
        console.print("[yellow]No PostgreSQL server; measuring SQLite only.[/yellow]")
        return [b for b in backends if b != "postgresql"], None, None
    return backends, postgres_url, pg_version


def measure(
    args: argparse.Namespace, backends: list[str], postgres_url: str | None, console: Console
) -> list[dict[str, Any]]:
    """Every (backend, size) configuration in its own worker process, plus each backend's
    raw ceiling measured in the same run."""
    smallest = min(args.sizes)
    results: list[dict[str, Any]] = []
    for backend in backends:
        url = postgres_url if backend == "postgresql" else None
        for size in args.sizes:
            busy, waited = wait_for_idle(args.wait_idle)
            console.print(
                f"[bold]{backend}, {size:,} blocks[/bold] (other load before start: "
                f"{busy:.0%} of the CPU" + (f", waited {waited:.0f}s" if waited >= 1 else "") + ")"
            )
            config = WorkerConfig(
                backend=backend,
                size=size,
                postgres_url=url,
                rounds=args.rounds,
                single_count=args.single,
                single_seconds=args.single_seconds,
                batch_size=args.batch_size,
                batches=args.batches,
                batch_seconds=args.batch_seconds,
                decisions=args.decisions,
                audit=size == smallest and not args.no_audit,
                transparency_log=args.log == "on",
            )
            result = run_worker(config, console)
            result["cpu_busy_before"] = busy
            results.append(result)
        ceiling = raw_ceiling(backend, url)
        console.print(f"  raw ceiling: {ceiling or 0:,.0f} one-row commits/s")
        for result in results:
            if result["backend"] == backend:
                result["raw_commits_per_s"] = ceiling
    return results


def print_summary(results: list[dict[str, Any]], started: datetime, console: Console) -> None:
    console.print(rich_table(results, f"JCM registry benchmark, {started:%Y-%m-%d %H:%M} UTC"))
    for line in ratio_lines(results):
        console.print(line)
    for check in checks(results):
        if check.met is None:
            console.print(f"{check.target}: not measured")
        else:
            mark = "[green]met[/green]" if check.met else "[red]NOT met[/red]"
            console.print(f"{check.target}: {check.value} — {mark}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Piped output (CI, logs) would otherwise wrap the table at 80 columns.
    console = Console() if sys.stdout.isatty() else Console(width=180)
    backends, postgres_url, pg_version = usable_backends(args, console)
    if not backends:
        return 1
    if args.profile:
        from bench.profiling import profile

        for backend in backends:
            profile(backend, args.profile_size, postgres_url, RESULTS, console, args.log == "on")
        return 0

    started = datetime.now(UTC)
    began = time.perf_counter()
    results = measure(args, backends, postgres_url, console)
    elapsed = time.perf_counter() - began
    machine = machine_info(pg_version)
    print_summary(results, started, console)
    command = ".venv/bin/python -m bench" + (" " + shlex.join(argv or sys.argv[1:])).rstrip()
    notes = ["Quick run (one round, small budgets): indicative only."] if args.quick else []
    if args.log == "off":
        notes.append("Transparency log switched off (`--log off`): measures what the log costs.")
    section = markdown_section(results, machine, command, started, elapsed, notes)
    RESULTS.mkdir(parents=True, exist_ok=True)
    raw = RESULTS / f"bench-{started:%Y%m%dT%H%M%S}.json"
    raw.write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    if not any("rounds" in r for r in results):
        console.print("[red]Nothing was measured; docs not changed.[/red]")
    elif not args.no_write:
        append_markdown(args.output, section)
        console.print(f"Appended to {args.output}; raw results in {raw}.")
    else:
        console.print(f"Raw results in {raw} (docs not changed: --no-write).")
    console.print(f"Total {elapsed / 60:.1f} min.")
    return 0 if all("error" not in r for r in results) else 1
