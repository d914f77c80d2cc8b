"""``python -m bench.http``: the HTTP API under load from a compiled generator (wrk).

Server and generator share this machine: the server (one uvicorn process) is pinned to
core 0 and wrk to core 1 (``taskset``), so neither steals the other's core. Measured, in
the same run:

* the raw ceiling: uvicorn serving a bare ASGI app with a fixed body (what any API on this
  machine and server could reach);
* public reads (the project list, a serial's lookup, a registry's statistics, cycled);
* authenticated single transfers, one unit each, each with its own idempotency key;
* the same transfers in-process (the service called directly), for the HTTP/in-process
  ratio.

Each figure is the median of ``--rounds`` runs; p99 latency comes from wrk. Results go to
``docs/benchmarks.md`` and ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from bench.machine import ROOT, machine_info
from bench.report import append_markdown
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.identity.principal import Scope, operator_for
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare

WRK = ROOT / "bench" / "wrk"
DOCS = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results"
UNITS = 3_000_000
READ_TARGET, READ_P99_MS, TRANSFER_TARGET = 1500.0, 50.0, 700.0


@dataclass(frozen=True)
class Fixture:
    data_dir: Path
    token: str
    source: str
    destination: str
    serial: str


@dataclass(frozen=True)
class WrkRun:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "wrk"


def prepare(data_dir: Path) -> Fixture:
    """A registry pair with one holder of ``UNITS`` units and an API token for it."""
    app = bootstrap(Settings.from_env(data_dir), announce=None)
    try:
        return _prepare(app, data_dir)
    finally:
        app.close()


def _prepare(app: App, data_dir: Path) -> Fixture:
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    holder = r.create_organisation(c.CreateOrganisation("KE", "Bench Holder")).organisation
    source = r.open_account(c.OpenAccount("KE", holder, AccountType.ENTITY_HOLDING, "src"))
    sink = r.open_account(c.OpenAccount("KE", holder, AccountType.ENTITY_HOLDING, "dst"))
    shares = (AllocationShare(source.account, Decimal(100)),)
    decision = r.record_decision(
        c.RecordDecision("KE900", date(2020, 1, 1), date(2020, 12, 31), 2020, UNITS, shares)
    ).decision
    issued = r.issue(c.Issue(decision, "KE"))
    created = app.identity.create_token(
        operator_for(holder), holder, "bench", frozenset({Scope.REGISTRY_MOVE}), 1
    )
    serial = issued.serials[0].rsplit("-", 1)[0] + "-777"
    return Fixture(data_dir, created.token, source.account, sink.account, serial)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data_dir: Path, port: int, ceiling: bool, site: bool = False
) -> subprocess.Popen[bytes]:
    command = ["taskset", "-c", "0", sys.executable, "-m", "bench.http_server"]
    command += [str(data_dir), str(port)] + (["--ceiling"] if ceiling else [])
    command += ["--site"] if site else []
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "JCM_DATA_DIR": str(data_dir)})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/registries", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the API server did not start")


def run_wrk(
    wrk: str, url: str, script: str, seconds: float, connections: int, env: dict[str, str]
) -> WrkRun:
    command = ["taskset", "-c", "1", wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s"]
    command += ["--latency", "-s", str(WRK / script), url]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **env}
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"JCM-LATENCY-P99-US (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    p50 = float(re.search(r"JCM-LATENCY-P50-US (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkRun(rate, p50, p99, int(bad.group(1)) if bad else 0)


def median_run(runs: list[WrkRun]) -> WrkRun:
    return WrkRun(
        statistics.median(r.requests_per_second for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.non_2xx for r in runs),
    )


def in_process_rate(fixture: Fixture, seconds: float) -> float:
    """Single transfers through the service in this process (no HTTP), per second."""
    app = bootstrap(Settings.from_env(fixture.data_dir), announce=None)
    try:
        move = c.Move(fixture.source, fixture.destination, 1)
        began, n = time.perf_counter(), 0
        while time.perf_counter() - began < seconds:
            app.registry.transfer(move, f"inproc-{n}")
            n += 1
        return n / (time.perf_counter() - began)
    finally:
        app.close()


def public_paths(fixture: Fixture) -> list[str]:
    """The issue's public reads: the project list, a serial's lookup, a registry's
    statistics."""
    return [
        "/api/v1/projects",
        f"/api/v1/serials/{fixture.serial}",
        "/api/v1/registries/KE/statistics",
    ]


def measure(args: argparse.Namespace) -> dict[str, object]:
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="jcm-http-bench-") as tmp:
        fixture = prepare(Path(tmp))
        port = free_port()
        results: dict[str, object] = {}
        server = start_server(fixture.data_dir, port, ceiling=True)
        try:
            url = f"http://127.0.0.1:{port}/"
            runs = [
                run_wrk(wrk, url, "paths.lua", args.seconds, args.connections, {})
                for _ in range(args.rounds)
            ]
            results["ceiling"] = median_run(runs)
        finally:
            server.terminate()
            server.wait()
        server = start_server(fixture.data_dir, port, ceiling=False)
        try:
            base = f"http://127.0.0.1:{port}"
            reads = {"JCM_PATHS": " ".join(public_paths(fixture))}
            results["public_reads"] = median_run(
                [
                    run_wrk(wrk, base, "paths.lua", args.seconds, args.connections, reads)
                    for _ in range(args.rounds)
                ]
            )
            moves = {
                "JCM_TOKEN": fixture.token,
                "JCM_SOURCE": fixture.source,
                "JCM_DESTINATION": fixture.destination,
            }
            results["transfers"] = median_run(
                [
                    run_wrk(wrk, base, "transfer.lua", args.seconds, args.connections, moves)
                    for _ in range(args.rounds)
                ]
            )
        finally:
            server.terminate()
            server.wait()
        results["in_process_transfers"] = statistics.median(
            in_process_rate(fixture, args.seconds) for _ in range(args.rounds)
        )
        results["audit_ok"] = _audit(fixture)
    return results


def _audit(fixture: Fixture) -> bool:
    app = bootstrap(Settings.from_env(fixture.data_dir), announce=None)
    try:
        return app.registry.audit().ok
    finally:
        app.close()


def markdown(results: dict[str, object], args: argparse.Namespace) -> str:
    ceiling, reads, moves = (results[k] for k in ("ceiling", "public_reads", "transfers"))
    assert isinstance(ceiling, WrkRun)
    assert isinstance(reads, WrkRun)
    assert isinstance(moves, WrkRun)
    inproc = float(results["in_process_transfers"])  # type: ignore[arg-type]
    info = machine_info(None)
    lines = [
        f"## HTTP API ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python -m bench.http`)",
        "",
        "Server (one uvicorn process, SQLite) pinned to core 0, wrk pinned to core 1; "
        f"{args.connections} connections, {args.seconds:g} s per run, median of "
        f"{args.rounds} runs.",
        "",
        "| machine | " + " | ".join(info) + " |",
        "|---|" + "---|" * len(info),
        "| | " + " | ".join(info.values()) + " |",
        "",
        "| workload | requests/s | p50 ms | p99 ms | non-2xx | target | met |",
        "|---|---|---|---|---|---|---|",
        _row("raw ceiling (bare ASGI app)", ceiling, "—", None),
        _row(
            "public reads",
            reads,
            f"≥ {READ_TARGET:g}/s, p99 < {READ_P99_MS:g} ms",
            reads.requests_per_second >= READ_TARGET and reads.p99_ms < READ_P99_MS,
        ),
        _row(
            "authenticated single transfers",
            moves,
            f"≥ {TRANSFER_TARGET:g}/s",
            moves.requests_per_second >= TRANSFER_TARGET,
        ),
        "",
        f"- public reads are {reads.requests_per_second / ceiling.requests_per_second:.0%} of "
        "the raw ceiling.",
        f"- in-process single transfers: {inproc:,.0f}/s; over HTTP: "
        f"{moves.requests_per_second:,.0f}/s, a ratio of "
        f"{moves.requests_per_second / inproc:.2f}.",
        f"- audit after the run: {'passed' if results['audit_ok'] else 'FAILED'}.",
        "",
    ]
    return "\n".join(lines)


def _row(name: str, run: WrkRun, target: str, met: bool | None) -> str:
    verdict = "—" if met is None else ("yes" if met else "no")
    return (
        f"| {name} | {run.requests_per_second:,.0f} | {run.p50_ms:.1f} | {run.p99_ms:.1f} | "
        f"{run.non_2xx} | {target} | {verdict} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-docs", action="store_true", help="do not append to the docs")
    args = parser.parse_args(argv)
    results = measure(args)
    section = markdown(results, args)
    print(section)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    plain = {k: asdict(v) if isinstance(v, WrkRun) else v for k, v in results.items()}
    (RESULTS / f"http-{stamp}.json").write_text(json.dumps(plain, indent=2) + "\n")
    if not args.no_docs:
        append_markdown(DOCS, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
