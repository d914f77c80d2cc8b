"""jcm demo: the main job of the quick start."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jcm.domain.errors import JcmError
from jcm.entrypoints.cli.common import (
    JsonOpt,
    as_operator,
    cli,
    emit,
    err,
    out,
    print_table,
    refusals,
    state,
)
from jcm.entrypoints.cli.guard import json_text, report_refusal
from jcm.entrypoints.cli.lookups import render_holdings
from jcm.entrypoints.cli.mrv_qa import render_qa_reports
from jcm.entrypoints.cli.serve import HostOpt, PortOpt, serve_api
from jcm.entrypoints.console import HoldersRegistry, StepByStepCycle

if TYPE_CHECKING:
    from jcm.entrypoints.demo_mrv import MrvDemo


def to_plain(result: MrvDemo) -> dict[str, Any]:
    return asdict(result)


@cli.command()
def demo(
    json_out: JsonOpt = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve", help="Then make one demo user per role and serve the API (Ctrl-C stops)."
        ),
    ] = False,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    mqtt: Annotated[
        str | None,
        typer.Option(
            "--mqtt",
            help="With --serve: a running Mosquitto broker (mqtt://HOST:PORT, as "
            "scripts/start-mosquitto starts it); a PV fleet for KE001 then sends a week of "
            "signed readings over MQTT and HTTP, and its QA report and automatic "
            "verification are shown.",
        ),
    ] = None,
) -> None:
    """Set up a demo: registries JP, KE and ID, two projects from idea to credits, credits
    moved. With --serve: demo logins, then the web application on http://HOST:PORT/ and the
    HTTP API under /api/v1."""
    from jcm.entrypoints.demo import run_demo
    from jcm.entrypoints.demo_a6 import run_a6_demo

    with refusals(json_out):
        app = state.app()
        result = run_demo(
            HoldersRegistry(app),
            StepByStepCycle(app),
            app.documents,
            app.log,
            identity=app.identity,
            register=as_operator().aef.register,
            portfolio=app.public.projects.acting(as_operator().unit_of_work),
            progress=not (json_out or state.json),
        )
        result["article6"] = run_a6_demo(
            as_operator().aef.reports, result["year"], app.settings.data_dir / "a6"
        )

    def render(r: dict[str, Any]) -> None:
        print_table(
            "project cycle: monitoring periods",
            r["monitoring_periods"],
            [
                "monitoring_period",
                "period",
                "state",
                "verified_amount",
                "decided_amount",
                "decision",
                "issued_sides",
            ],
        )
        render_holdings(r["holdings"])
        render_a6_demo(r["article6"])

    emit(result, json_out, render)
    if serve:
        serve_demo(host, port, json_out, mqtt)


def render_a6_demo(reports: list[dict[str, Any]]) -> None:
    """Each Party's AEF draft for the demo year: its rows, its checks, where its files are."""
    for r in reports:
        counts = ", ".join(f"{k} {v}" for k, v in r["counts"].items())
        failures = r["failures"]
        verdict = "every check passes" if not failures else f"{len(failures)} check failures"
        out.print(
            f"Article 6.2 AEF of {r['party']} for {r['year']} ({r['status']} {r['version']}): "
            f"{counts}; {verdict}"
        )
        for f in failures:
            out.print(
                f"  {f['rule']} table {f['table']} row {f['row']} {f['column']}: {f['message']}"
            )
        out.print("  files: " + ", ".join(r["files"]))


def serve_demo(host: str, port: int, json_out: bool, mqtt: str | None = None) -> None:
    from jcm.entrypoints.demo_users import demo_account_holders, demo_users

    with refusals(json_out):
        app = state.app()
        logins = demo_users(app.identity, demo_account_holders(app.registry))
    site = f"http://{host}:{port}/"
    base = f"http://{host}:{port}/api/v1"
    rows = [
        {"role": u.role, "organisation": u.organisation, "login": u.login, "password": u.password}
        for u in logins
    ]
    if json_out:
        print(
            json_text({"web": site, "api": base, "docs": f"{base}/docs", "logins": rows}),
            flush=True,
        )
    else:
        print_table(
            "demo logins (one-time passwords: change them at the first login)",
            rows,
            ["role", "organisation", "login", "password"],
        )
        out.print(f"Web: {site}   API: {base}   API docs: {base}/docs   (Ctrl-C stops)")
    if mqtt is not None:
        show_mrv_demo_when_serving(host, port, mqtt, json_out)
    serve_api(host, port)


def show_mrv_demo_when_serving(host: str, port: int, mqtt: str, json_out: bool) -> None:
    """Run the MRV demo in the background once the site accepts connections (its HTTP
    intake is the site's own), then print what it did; the site keeps serving meanwhile."""
    app = state.app()

    def work() -> None:
        if not _accepting(host, port, timeout_s=30.0):
            err.print(f"jcm: the MRV demo did not start: nothing listens on {host}:{port}")
            return
        from jcm.entrypoints.demo_mrv import run_mrv_demo

        site = f"http://{host}:{port}/"
        try:
            result = run_mrv_demo(app, site, mqtt, lambda text: err.print(f"jcm: {text}"))
        except JcmError as refusal:
            report_refusal(refusal, json_out)
            return
        if json_out:
            print(json_text({"mrv": to_plain(result)}), flush=True)
        else:
            render_mrv_demo(result)

    threading.Thread(target=work, name="mrv-demo", daemon=True).start()


def _accepting(host: str, port: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def render_mrv_demo(result: MrvDemo) -> None:
    intake = result.intake
    out.print(
        f"MRV intake for KE001: {intake['batches']} batches, {intake['readings']} readings "
        f"stored, {intake['duplicates']} duplicates, refusals {intake['refusals'] or 'none'}"
    )
    qa = result.qa
    out.print(
        f"QA/QC of {qa['project']} from {qa['period_start']} to {qa['period_end']}, "
        f"rule set {qa['rule_set']}:"
    )
    render_qa_reports(qa["reports"])
    verification = result.verification
    if "refused" in verification:
        out.print(f"Automatic verification refused: {verification['message']}")
    else:
        values = ", ".join(f"{k} = {v} MWh" for k, v in verification["monitored"].items())
        out.print(
            f"Automatic verification {verification['verification']} of "
            f"{verification['period']}: {values}, {verification['readings']} readings in "
            f"{verification['batches']} batches, Merkle root {verification['merkle_root'][:16]}…"
        )
        if verification["passed"]:
            out.print(
                f"  passed: entered the cycle as monitoring report "
                f"{verification['monitoring_period']} "
                f"({verification['emission_reductions']} tCO2), for the TPE to verify"
            )
        else:
            out.print("  not passed: " + "; ".join(verification["reasons"]))
    out.print(f"The fleet's keys and readings: {result.fleet['fleet_file']}")
