"""``python -m bench.web``: public pages and exports with the demo data scaled to 10×.

The data: ``jcm demo``'s, the funded portfolio ten times over (2,520 pipeline projects)
and 10^5 transactions (``bench/web_data.py``). The server (one uvicorn process serving the
site, SQLite) is pinned to core 0; this process, the client, to core 1. Measured in the
same run:

* each public page, requested ``--requests`` times one after another (no queueing, so the
  latency is the server's render time plus loopback): p50 and p99;
* the raw ceiling: the same loop against a bare ASGI app with a fixed body;
* the CSV export of the cancellations and retirements (≈ 10^5 rows): time to the last
  byte, rows, bytes, and the server's resident memory sampled every 20 ms during the
  export against its resident memory before (flat memory: the export streams);
* the raw CSV ceiling: the same number of rows written by Python's csv module to memory.

Targets (issue #10): p99 < 100 ms per page; the 10^5-row export < 2 s, streamed.
Results go to ``docs/benchmarks.md`` and ``bench/results/``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.http import free_port, start_server
from bench.machine import machine_info
from bench.report import append_markdown
from bench.web_data import BenchLedger, build_ledger, scale_portfolio
from jcm.bootstrap import Settings, bootstrap
from jcm.entrypoints.demo import run_demo

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results"
PAGE_P99_MS, EXPORT_SECONDS = 100.0, 2.0


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int


@dataclass(frozen=True)
class Export:
    seconds: float
    rows: int
    megabytes: float
    rss_before_mib: float
    rss_peak_mib: float
    chunks: int


def prepare(data_dir: Path, moves: int, cohorts: int) -> BenchLedger:
    app = bootstrap(Settings.from_env(data_dir), announce=None)
    try:
        run_demo(
            app.registry,
            app.cycle,
            app.documents,
            app.log,
            identity=app.identity,
            register=app.aef.register,
            progress=False,
        )
        scale_portfolio(app, cohorts)
        return build_ledger(app, moves, _progress("transactions", moves))
    finally:
        app.close()


def _progress(what: str, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        if done % 10_000 == 0:
            print(f"  {what}: {done:,}/{total:,}", file=sys.stderr, flush=True)

    return report


def pages(ledger: BenchLedger) -> dict[str, str]:
    """The public pages measured, by name."""
    block = ledger.first_serial.rsplit("-", 1)[0]
    return {
        "front page": "/",
        "projects (all)": "/projects",
        "projects (Viet Nam)": "/projects?country=VN",
        "project page": "/projects/KE-F001",
        "partner countries": "/countries",
        "partner country (Thailand)": "/countries/TH",
        "issuances": "/issuances",
        "cancellations and retirements": "/retirements",
        "serial search": f"/serials?q={block}-5",
        "registry statistics (KE)": "/registries/KE",
        "transparency log": "/transparency",
        "dashboard": "/dashboard",
        "certificate": f"/certificates/{ledger.retirement_ids[0]}",
    }


def timed_loop(client: httpx.Client, path: str, requests: int) -> Latency:
    for _ in range(3):  # warm-up: first template compilation, caches
        client.get(path)
    times, bad = [], 0
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        bad += response.status_code != 200
    times.sort()
    p99 = times[math.ceil(0.99 * len(times)) - 1]  # nearest rank: 198th of 200
    return Latency(statistics.median(times), p99, requests, bad)


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_export(base: str, pid: int, path: str) -> Export:
    before = _rss_mib(pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began, size, chunks, lines = time.perf_counter(), 0, 0, 0
    with httpx.stream("GET", base + path, timeout=120) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            size += len(chunk)
            chunks += 1
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    done.set()
    sampler.join()
    return Export(seconds, lines - 1, size / 1e6, before, peak[0], chunks)


def csv_ceiling(rows: int) -> float:
    """Seconds for Python's csv module to write ``rows`` rows of eight fields to memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    began = time.perf_counter()
    for n in range(rows):
        writer.writerow(
            ["2026-04-01", n, "KE", "KE901", 2024, 2, f"KE-{n}-{n + 1}", f"Beneficiary {n}"]
        )
    return time.perf_counter() - began


def measure(args: argparse.Namespace) -> dict[str, object]:
    os.sched_setaffinity(0, {1})
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="jcm-web-bench-") as tmp:
        data_dir = Path(tmp)
        began = time.perf_counter()
        ledger = prepare(data_dir, args.transactions, args.cohorts)
        results["prepare_seconds"] = time.perf_counter() - began
        results["ledger_moves_per_second"] = args.transactions / ledger.seconds
        port = free_port()
        server = start_server(data_dir, port, ceiling=True)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                results["ceiling"] = timed_loop(client, "/", args.requests)
        finally:
            server.terminate()
            server.wait()
        server = start_server(data_dir, port, ceiling=False, site=True)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=60) as client:
                client.headers["Accept-Language"] = "ja"
                results["pages"] = {
                    name: timed_loop(client, path, args.requests)
                    for name, path in pages(ledger).items()
                }
            results["export"] = measure_export(base, server.pid, "/retirements.csv")
        finally:
            server.terminate()
            server.wait()
        export = results["export"]
        assert isinstance(export, Export)
        results["csv_ceiling_seconds"] = csv_ceiling(export.rows)
    return results


def markdown(results: dict[str, object], args: argparse.Namespace) -> str:
    ceiling, export = results["ceiling"], results["export"]
    assert isinstance(ceiling, Latency)
    assert isinstance(export, Export)
    page_results = results["pages"]
    assert isinstance(page_results, dict)
    info = machine_info(None)
    csv_raw = float(results["csv_ceiling_seconds"])  # type: ignore[arg-type]
    lines = [
        f"## Web pages and exports ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python -m bench.web`)",
        "",
        f"The demo scaled to 10×: {args.cohorts} cohorts of the 252 funded projects, "
        f"{args.transactions:,} transactions (built in {results['prepare_seconds']:.0f} s; "
        f"{results['ledger_moves_per_second']:,.0f} moves/s through the service). Server "
        "(one uvicorn process, SQLite) on core 0, client on core 1; each page requested "
        f"{args.requests} times in sequence after 3 warm-up requests, in Japanese.",
        "",
        "| machine | " + " | ".join(info) + " |",
        "|---|" + "---|" * len(info),
        "| | " + " | ".join(info.values()) + " |",
        "",
        "| page | p50 ms | p99 ms | non-200 | p99 < 100 ms | p50 / ceiling p50 |",
        "|---|---|---|---|---|---|",
        f"| raw ceiling (bare ASGI app) | {ceiling.p50_ms:.1f} | {ceiling.p99_ms:.1f} | "
        f"{ceiling.bad} | — | 1 |",
    ]
    for name, latency in page_results.items():
        assert isinstance(latency, Latency)
        met = "yes" if latency.p99_ms < PAGE_P99_MS and latency.bad == 0 else "no"
        lines.append(
            f"| {name} | {latency.p50_ms:.1f} | {latency.p99_ms:.1f} | {latency.bad} | {met} | "
            f"{latency.p50_ms / ceiling.p50_ms:.0f}× |"
        )
    export_met = "met" if export.seconds < EXPORT_SECONDS else "not met"
    lines += [
        "",
        f"- CSV export of cancellations and retirements: {export.rows:,} rows, "
        f"{export.megabytes:.1f} MB in {export.seconds:.2f} s ({export_met}: target "
        f"< {EXPORT_SECONDS:g} s), {export.chunks:,} chunks on the wire; server memory "
        f"{export.rss_before_mib:.0f} MiB before, {export.rss_peak_mib:.0f} MiB at the peak "
        f"(+{export.rss_peak_mib - export.rss_before_mib:.0f} MiB for a "
        f"{export.megabytes:.0f} MB file).",
        f"- raw CSV ceiling: Python's csv module writes the same number of rows in "
        f"{csv_raw:.2f} s; the export takes {export.seconds / csv_raw:.1f}× that.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--cohorts", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-docs", action="store_true", help="do not append to the docs")
    args = parser.parse_args(argv)
    results = measure(args)
    section = markdown(results, args)
    print(section)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    plain = {
        key: {k: asdict(v) for k, v in value.items()} if isinstance(value, dict) else value
        for key, value in results.items()
    }
    plain = {k: asdict(v) if isinstance(v, Latency | Export) else v for k, v in plain.items()}
    (RESULTS / f"web-{stamp}.json").write_text(json.dumps(plain, indent=2) + "\n")
    if not args.no_docs:
        append_markdown(DOCS, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
