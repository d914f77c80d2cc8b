"""``jcm a6 report build|check|submit|export|verify|list|show``: a Party's AEF.

The operator's console acts for the Party. Check failures are shown as a table (rule,
Party, table, row, column, message) and make the command exit 1; a verification that finds
a difference exits 3 (stored data failed its own check).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from jcm.domain.aef.submissions import SubmissionStatus
from jcm.domain.errors import InvalidInput, JcmError
from jcm.entrypoints.cli.common import (
    EXIT_CORRUPT,
    EXIT_REFUSED,
    JsonOpt,
    as_operator,
    emit,
    out,
    print_table,
    refusals,
    run,
    state,
    write_file,
)
from jcm.entrypoints.cli.moves import a6_cli
from jcm.service_layer.aef.report_results import (
    CheckResult,
    Failure,
    ReportSummary,
    ReportVerification,
    ReportView,
)
from jcm.service_layer.aef.reports import ReportService

report_cli = typer.Typer(help="A Party's Article 6.2 annual information (the AEF).")
a6_cli.add_typer(report_cli, name="report")

PartyArg = Annotated[str, typer.Argument(help="The Party's registry code, e.g. JP or KE.")]
YearArg = Annotated[int, typer.Argument(help="The reported calendar year, e.g. 2025.")]
VersionOpt = Annotated[
    str | None, typer.Option("--version", help="A submitted version X.Y (default: current).")
]
FAILURE_COLUMNS = ["rule", "party", "table", "row", "column", "message"]


def _reports() -> ReportService:
    return as_operator().aef.reports


def _json(json_out: bool) -> bool:
    return json_out or state.json


def print_failures(failures: Sequence[Failure]) -> None:
    if failures:
        print_table(f"{len(failures)} check failure(s)", failures, FAILURE_COLUMNS)
    else:
        out.print("[green]✓[/] every check passes")


def print_summary(r: ReportSummary) -> None:
    when = f", submitted {r.submitted_at.isoformat()}" if r.submitted_at else ""
    out.print(
        f"AEF of {r.party} for {r.year}: version {r.version}, {r.status}{when}; digest {r.digest}"
    )
    out.print("rows: " + ", ".join(f"{name} {count}" for name, count in r.counts.items()))
    if r.log_index is not None:
        out.print(f"log entry {r.log_index}")


def _fails_on(failures: Sequence[Failure]) -> None:
    if failures:
        raise typer.Exit(EXIT_REFUSED)


@contextmanager
def _failures_shown(json_out: bool) -> Iterator[None]:
    """A refusal for failed checks shows the failures as a table before its message."""
    try:
        yield
    except JcmError as error:
        listed = error.details.get("failures")
        if not _json(json_out) and isinstance(listed, list):
            print_failures([Failure.from_dict(f) for f in listed])
        raise


@report_cli.command("build")
def build(party: PartyArg, year: YearArg, json_out: JsonOpt = False) -> None:
    """Derive and check the Party's report for the year; keep it as the draft."""
    with refusals(json_out):
        result = _reports().build(party.upper(), year)

    def render(r: ReportSummary) -> None:
        print_summary(r)
        print_failures(r.failures)

    emit(result, json_out, render)
    _fails_on(result.failures)


@report_cli.command("check")
def check(party: PartyArg, year: YearArg, json_out: JsonOpt = False) -> None:
    """Run every consistency check on the report the ledger gives now."""
    with refusals(json_out):
        result = _reports().check(party.upper(), year)

    def render(r: CheckResult) -> None:
        print_failures(r.failures)

    emit(result, json_out, render)
    _fails_on(result.failures)


@report_cli.command("submit")
def submit(party: PartyArg, year: YearArg, json_out: JsonOpt = False) -> None:
    """Submit the draft: frozen, signed into the log, superseding the version before."""
    with refusals(json_out), _failures_shown(json_out):
        result = _reports().submit(party.upper(), year)
    emit(result, json_out, print_summary)


@report_cli.command("export")
def export(
    party: PartyArg,
    year: YearArg,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or json.")] = "csv",
    out_dir: Annotated[Path, typer.Option("--out", help="The directory to write to.")] = Path(),
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the report (the version given, else the current submitted one, else the
    draft) as a file in the directory given."""

    def action() -> dict[str, str]:
        if not out_dir.is_dir():
            raise InvalidInput(
                "G1_CANNOT_WRITE", f"{str(out_dir)!r} is not a directory.", path=str(out_dir)
            )
        exported = _reports().export(party.upper(), year, fmt.lower(), version)
        path = out_dir / exported.name
        write_file(path, exported.data)
        return {
            "path": str(path),
            "party": exported.party,
            "year": str(exported.year),
            "version": exported.version,
            "status": exported.status,
            "digest": exported.digest,
        }

    def render(r: dict[str, str]) -> None:
        out.print(f"[green]✓[/] wrote {r['path']} ({r['status']} version {r['version']})")
        out.print(f"digest of the CSV and JSON forms: {r['digest']}")

    run(json_out, action, render)


@report_cli.command("verify")
def verify(
    party: PartyArg, year: YearArg, version: VersionOpt = None, json_out: JsonOpt = False
) -> None:
    """Derive the submitted report again from the transparency log alone and compare."""
    with refusals(json_out):
        result = _reports().verify(party.upper(), year, version)

    def render(r: ReportVerification) -> None:
        if r.valid:
            out.print(
                f"[green]VALID[/]: {r.party} {r.year} version {r.version} is what the log's "
                f"{r.entries_read} entries give (digest {r.stored_digest})"
            )
            return
        out.print(f"[red]DIFFERS[/]: {r.party} {r.year} version {r.version}")
        print_table("differences", r.differences, ["code", "table", "row", "column", "message"])

    emit(result, json_out, render)
    if not result.valid:
        raise typer.Exit(EXIT_CORRUPT)


@report_cli.command("list")
def list_reports(
    party: Annotated[str | None, typer.Option("--party", help="Only this Party.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="draft, submitted or superseded.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """The reports kept: drafts, submitted and superseded versions."""

    def action() -> list[ReportSummary]:
        wanted = _status(status)
        return _reports().list(party.upper() if party else None, year, wanted)

    def render(rows: list[ReportSummary]) -> None:
        columns = ["party", "year", "version", "status", "submitted_at", "digest"]
        print_table("AEF reports", rows, columns)

    run(json_out, action, render)


def _status(text: str | None) -> SubmissionStatus | None:
    if text is None:
        return None
    try:
        return SubmissionStatus(text.lower())
    except ValueError:
        raise InvalidInput(
            "G1_BAD_ARGUMENT",
            f"Status {text!r} is not draft, submitted or superseded.",
            status=text,
        ) from None


@report_cli.command("show")
def show(
    party: PartyArg, year: YearArg, version: VersionOpt = None, json_out: JsonOpt = False
) -> None:
    """A stored report: its summary and tables (--json: the jcm-aef/2 document)."""

    def render(v: ReportView) -> None:
        print_summary(v.summary)
        for table in v.document["tables"]:
            rows = [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
            print_table(table["title"], rows, table["columns"])

    run(json_out, lambda: _reports().show(party.upper(), year, version), render)
