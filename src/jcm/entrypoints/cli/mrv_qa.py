"""jcm mrv qa, jcm mrv qa-report: QA/QC of a project's readings over a period, and the
stored per-device reports (registered on the mrv group in cli/mrv.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from jcm.entrypoints.cli.common import JsonOpt, cell, out, parse_date_option, run, state
from jcm.entrypoints.cli.mrv import mrv_cli
from jcm.service_layer.mrv.qa import run_json, stored_json

__all__ = ["mrv_cli"]

ProjectOpt = Annotated[str, typer.Option("--project", help="Project id, e.g. KE001.")]
FromOpt = Annotated[str, typer.Option("--from", help="First day (UTC), YYYY-MM-DD.")]
ToOpt = Annotated[str, typer.Option("--to", help="Last day (UTC, inclusive), YYYY-MM-DD.")]
COLUMNS = (
    ("expected_intervals", "expected"),
    ("readings", "readings"),
    ("measured_wh", "measured Wh"),
    ("excluded_wh", "excluded Wh"),
    ("calibration_reduction_wh", "calibration −Wh"),
    ("credited_wh", "credited Wh"),
)


@mrv_cli.command("qa")
def mrv_qa(
    project: ProjectOpt,
    from_: FromOpt,
    to: ToOpt,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Run on this Dask scheduler (host:port) instead of in-process."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Run QA/QC and daily aggregation over a period; print each device's report."""

    def action() -> dict[str, Any]:
        start, end = parse_date_option(from_, "--from"), parse_date_option(to, "--to")
        result = state.app().mrv.qa.run(project, start, end, scheduler=scheduler)
        return run_json(result)

    def render(result: dict[str, Any]) -> None:
        out.print(
            f"QA/QC of {result['project']} from {result['period_start']} to "
            f"{result['period_end']}, rule set {result['rule_set']} ({result['flags']} flags)"
        )
        render_qa_reports(result["reports"])
        totals = result["totals"]
        out.print(
            "total: " + ", ".join(f"{label} {cell(totals[k], count=True)}" for k, label in COLUMNS)
        )

    run(json_out, action, render)


@mrv_cli.command("qa-report")
def mrv_qa_report(
    project: ProjectOpt, from_: FromOpt, to: ToOpt, json_out: JsonOpt = False
) -> None:
    """Show the stored QA reports of periods within [--from, --to]."""

    def action() -> dict[str, Any]:
        start, end = parse_date_option(from_, "--from"), parse_date_option(to, "--to")
        return stored_json(project, state.app().mrv.qa.reports(project, start, end))

    def render(result: dict[str, Any]) -> None:
        if not result["reports"]:
            out.print(f"No stored QA reports of {result['project']} in that period.")
            return
        render_qa_reports(result["reports"])

    run(json_out, action, render)


def render_qa_reports(reports: list[dict[str, Any]]) -> None:
    for report in reports:
        out.print(
            f"{report['device']} {report['period_start']}..{report['period_end']} "
            f"({report['rule_set']}, digest {report['digest'][:16]}…)"
        )
        out.print(
            "  " + ", ".join(f"{label} {cell(report[k], count=True)}" for k, label in COLUMNS)
        )
        for ex in report["exclusions"]:
            effect = "excluded" if ex["excludes"] else "reported"
            out.print(
                f"    {ex['rule']}: {cell(ex['intervals'], count=True)} intervals, "
                f"{cell(ex['wh'], count=True)} Wh {effect}"
            )
