"""Benchmark of the project cycle: ``.venv/bin/python -m bench.cycle [--projects N]``.

Walks N Kenyan solar PV projects (the demo's KE001 plan under new ids) through the whole
cycle on a fresh database: PIN, no-objection, PDD with parameters, public input,
validation, registration request, acceptance, registration, then one monitoring period
(report calculated by KE_AM002, verification, issuance request, acceptance, JC decision
recording the registry decision, issuance in JP and in KE). That is 17 cycle steps, 10
stored documents and 2 registry issuances per project, each step its own transaction with
its log entries. Reported: steps per second and the median and p99 latency of one step,
for SQLite and PostgreSQL in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from bench.backends import database, postgres_version, resolve_postgres_url
from bench.machine import machine_info
from jcm.bootstrap import Settings, bootstrap
from jcm.domain.cycle import Participant, Role, Side
from jcm.domain.cycle import commands as cc
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.entrypoints.demo_cycle import Walker, actors, enrol, plans
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.results import ChangeResult

C = TypeVar("C")
R = TypeVar("R", bound=ChangeResult)


class TimedCycle(CycleService):
    """Times every cycle command (each is one unit of work)."""

    def __init__(self, inner: CycleService) -> None:
        super().__init__(inner.uow)
        self.latencies: list[float] = []

    def _run(
        self,
        name: str,
        cmd: C,
        handler: Callable[[UnitOfWork, C], R],
        key: str | None,
        result_type: type[R],
    ) -> R:
        began = time.perf_counter()
        result = super()._run(name, cmd, handler, key, result_type)
        self.latencies.append(time.perf_counter() - began)
        return result


def run(backend: str, admin_url: str | None, projects: int) -> dict[str, Any]:
    with database(backend, admin_url) as db:
        app = bootstrap(
            Settings(db.data_dir, db.url), clock=lambda: datetime(2026, 4, 1, tzinfo=UTC)
        )
        try:
            for code in ("JP", "KE"):
                app.registry.create_registry(c.CreateRegistry(code))
            org = app.registry.create_organisation(c.CreateOrganisation("KE", "Bench Factory"))
            account = app.registry.open_account(
                c.OpenAccount("KE", org.organisation, AccountType.ENTITY_HOLDING, "bench")
            ).account
            enrol(app.identity, app.cycle, actors(("KE",)), None)
            base = plans(
                {
                    "jp_gov": "JP-GOV-0001",
                    "ke_gov": "KE-GOV-0001",
                    "ke_pp": account,
                    "id_gov": "",
                    "id_pp": "",
                }
            )[0]
            for organisation, side in (("bench-jp", Side.JAPAN), ("bench-ke", Side.PARTNER)):
                enrol(
                    app.identity,
                    app.cycle,
                    [cc.RegisterActor(organisation, Role.PROJECT_PARTICIPANT, organisation, side)],
                    None,
                )
            timed = TimedCycle(app.cycle)
            walker = Walker(timed, app.documents, lambda _: None)
            began = time.perf_counter()
            for n in range(projects):
                plan = replace(
                    base,
                    project_id=f"KE{n + 100:03d}",
                    participants=(
                        Participant("bench-jp", Side.JAPAN, focal_point=True),
                        Participant("bench-ke", Side.PARTNER),
                    ),
                    periods=base.periods[:1],
                )
                walker.walk(plan)
            wall = time.perf_counter() - began
            audit = app.registry.audit()
            assert audit.ok, audit
        finally:
            app.close()
    steps = len(timed.latencies)
    ordered = sorted(timed.latencies)
    return {
        "backend": backend,
        "projects": projects,
        "steps": steps,
        "wall_s": wall,
        "steps_per_s": steps / wall,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(0.99 * (steps - 1))] * 1000,
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m bench.cycle", description=__doc__)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    admin = resolve_postgres_url(args.postgres_url) if "postgresql" in args.backends else None
    results = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and admin is None:
            print("PostgreSQL not available: skipped")
            continue
        results.append(run(backend, admin, args.projects))
    info = machine_info(postgres_version(admin) if admin else None)
    print(" · ".join(f"{k}: {v}" for k, v in info.items()))
    print()
    print("| backend | projects | cycle steps | wall (s) | steps/s | p50 (ms) | p99 (ms) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['backend']} | {r['projects']} | {r['steps']:,} | {r['wall_s']:.2f} | "
            f"{r['steps_per_s']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |"
        )
    return results


if __name__ == "__main__":
    main()
