"""jcm demo: the main job of the quick start."""

from __future__ import annotations

from typing import Any

from jcm.entrypoints.cli.common import (
    JsonOpt,
    cli,
    emit,
    print_table,
    refusals,
    state,
)
from jcm.entrypoints.cli.lookups import render_holdings
from jcm.entrypoints.console import HoldersRegistry, StepByStepCycle


@cli.command()
def demo(json_out: JsonOpt = False) -> None:
    """Set up a demo: registries JP, KE and ID, two projects from idea to credits, credits moved."""
    from jcm.entrypoints.demo import run_demo

    with refusals(json_out):
        app = state.app()
        result = run_demo(
            HoldersRegistry(app),
            StepByStepCycle(app),
            app.documents,
            app.log,
            identity=app.identity,
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
