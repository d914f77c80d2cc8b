"""jcm demo: the main job of the quick start."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from jcm.entrypoints.cli.common import (
    JsonOpt,
    as_operator,
    cli,
    emit,
    out,
    print_table,
    refusals,
    state,
)
from jcm.entrypoints.cli.guard import json_text
from jcm.entrypoints.cli.lookups import render_holdings
from jcm.entrypoints.cli.serve import HostOpt, PortOpt, serve_api
from jcm.entrypoints.console import HoldersRegistry, StepByStepCycle


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
) -> None:
    """Set up a demo: registries JP, KE and ID, two projects from idea to credits, credits
    moved. With --serve: demo logins, then the web application on http://HOST:PORT/ and the
    HTTP API under /api/v1."""
    from jcm.entrypoints.demo import run_demo

    with refusals(json_out):
        app = state.app()
        result = run_demo(
            HoldersRegistry(app),
            StepByStepCycle(app),
            app.documents,
            app.log,
            identity=app.identity,
            portfolio=app.public.projects.acting(as_operator().unit_of_work),
            progress=not (json_out or state.json),
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

    emit(result, json_out, render)
    if serve:
        serve_demo(host, port, json_out)


def serve_demo(host: str, port: int, json_out: bool) -> None:
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
    serve_api(host, port)
