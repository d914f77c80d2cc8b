"""jcm mrv verify-period | verification | bundle | verify-bundle: automatic verification of a
monitoring period and its evidence bundle (registered on the mrv group in cli/mrv.py).

``verify-bundle`` needs no database: it checks a bundle with the CLI alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from jcm.domain.cycle import commands as cc
from jcm.domain.errors import InvalidInput, NotFound
from jcm.entrypoints.cli.common import (
    EXIT_CORRUPT,
    JsonOpt,
    emit,
    out,
    refusals,
    run,
    state,
)
from jcm.entrypoints.cli.hints import hint_for
from jcm.entrypoints.cli.mrv import mrv_cli
from jcm.entrypoints.console import on_behalf_of
from jcm.service_layer.mrv.verification import VerificationResult
from jcm.service_layer.mrv.verification_bundle import BundleVerdict

__all__ = ["mrv_cli"]

IdArg = Annotated[str, typer.Argument(help="The verification id, e.g. KE001-V001.")]


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "D10_BAD_PERIOD", f"{option} {text!r} is not a date YYYY-MM-DD.", option=option
        ) from None


def _focal_point(project: str) -> str:
    """The project's focal-point participant (who verifies when --as is not given)."""
    shown: dict[str, Any] = dict(state.app().cycle.project(project))
    participants = shown.get("participants")
    for participant in participants if isinstance(participants, list) else ():
        if isinstance(participant, dict) and participant.get("focal_point"):
            return str(participant["organisation"])
    raise NotFound(
        "D10_NOT_PARTICIPANT",
        f"Project {project} has no focal point; act --as one of its participants.",
        project=project,
    )


def _say(r: VerificationResult) -> None:
    verdict = "[bold green]PASSED[/]" if r.passed else "[bold red]FAILED[/]"
    out.print(f"{r.verification} {r.project} {r.period}: {verdict}")
    out.print(f"  {r.batches:,} batches, {r.readings:,} readings, Merkle root {r.merkle_root}")
    for name, value in r.monitored.items():
        out.print(f"  {name} = {value} MWh")
    for reason in r.reasons:
        out.print(f"  [red]✗[/] {reason}")
    if r.emission_reductions is not None:
        out.print(f"  emission reductions: {r.emission_reductions:,} tCO2")
    if r.monitoring_period:
        out.print(f"  entered the cycle as monitoring period {r.monitoring_period}")
    if r.accepted_as_verification:
        out.print("  the rule book accepts it as the period's verification")
    out.print(f"  record digest {r.record_digest}")


@mrv_cli.command("verify-period")
def verify_period(
    project: Annotated[str, typer.Option("--project", help="The project, e.g. KE001.")],
    start: Annotated[str, typer.Option("--from", help="First day (UTC), YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day (UTC), inclusive.")],
    organisation: Annotated[
        str | None,
        typer.Option("--as", help="The participant asking (default: the focal point)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Verify a monitoring period automatically: QA, Merkle root, record, report to the cycle."""

    def action() -> VerificationResult:
        first, last = _day(start, "--from"), _day(end, "--to")
        org = organisation or _focal_point(project)
        service = on_behalf_of(state.app(), org).mrv.verification
        return service.verify_period(project, first, last, cc.ActingAs(org))

    run(json_out, action, _say)


@mrv_cli.command("verification")
def show_verification(verification: IdArg, json_out: JsonOpt = False) -> None:
    """Show a verification record (public)."""

    def render(shown: dict[str, Any]) -> None:
        record = shown["record"]
        verdict = "passed" if record["passed"] else "failed"
        out.print(
            f"{shown['verification']} {record['project']} {record['period']['start']}.."
            f"{record['period']['end']}: {verdict}, {record['batches']:,} batches, root "
            f"{record['merkle_root']}, log entry {shown['log_index']}, monitoring period "
            f"{shown['monitoring_period'] or '–'}"
        )
        for name, value in record["monitored"].items():
            out.print(f"  {name} = {value['value']} {value['unit']} ({value['wh']:,} Wh)")

    run(json_out, lambda: state.app().mrv.verification.get(verification), render)


@mrv_cli.command("bundle")
def export_bundle(
    verification: IdArg,
    path: Annotated[Path, typer.Option("--out", help="A new directory, or a .zip file.")],
    json_out: JsonOpt = False,
) -> None:
    """Write a verification's evidence bundle (bundle.json plus the Parquet files)."""

    def render(r: dict[str, Any]) -> None:
        out.print(f"evidence bundle of {r['verification']} written to {r['path']}")

    run(json_out, lambda: state.app().mrv.verification.export_bundle(verification, path), render)


@mrv_cli.command("verify-bundle")
def verify_bundle(
    path: Annotated[Path, typer.Argument(help="A bundle directory or .zip.")],
    log_key: Annotated[
        Path | None,
        typer.Option("--log-key", help="A file with the log's public key (`jcm log public-key`)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Re-check an evidence bundle offline: signatures, Merkle root, QA, values, result, log."""
    from jcm.bootstrap import evidence_bundles
    from jcm.entrypoints.cli.log import read_key_option
    from jcm.service_layer.mrv.verification_bundle import check_bundle

    with refusals(json_out):
        key = read_key_option(str(log_key)) if log_key is not None else None
        verdict = check_bundle(evidence_bundles(), path, key)
        if verdict.code == "D10_BUNDLE_UNREADABLE":
            # Nothing could be checked: a refusal like any other, not a verdict.
            detail = next((c.detail for c in verdict.checks if not c.ok), str(path))
            raise InvalidInput("D10_BUNDLE_UNREADABLE", detail, path=str(path))

    def render(v: BundleVerdict) -> None:
        for check in v.checks:
            mark = "[green]OK[/]  " if check.ok else f"[red]FAIL[/] [{check.code}]"
            out.print(f"{mark} {check.name}: {check.detail}")
        if v.ok:
            out.print("[bold green]VALID[/]")
        else:
            hint = hint_for(str(v.code), {})
            out.print(f"[bold red]INVALID[/]: {v.code}" + (f" (hint: {hint})" if hint else ""))

    emit(verdict.as_json(), json_out, lambda _: render(verdict))
    if not verdict.ok:
        raise typer.Exit(EXIT_CORRUPT)
