"""Monitoring periods: report, verification, JC decision, issuance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from jcm.bootstrap import monitoring_sheets
from jcm.domain import limits
from jcm.domain.cycle import (
    DocumentKind,
)
from jcm.domain.cycle import commands as cc
from jcm.entrypoints.cli.common import (
    JsonOpt,
    KeyOpt,
    cli,
    console_cycle,
    out,
    print_table,
    read_file,
    run,
    state,
)
from jcm.entrypoints.cli.cycle_options import (
    AsOpt,
    ConfidentialOpt,
    DocOpt,
    OnOpt,
    RoleOpt,
    acting_as,
    document_refs,
    say_step,
    split_document_option,
    step_date,
)
from jcm.service_layer.cycle.results import MonitoringStepped, ReportSubmitted

monitoring_cli = typer.Typer(
    help="Monitoring periods: report, verification, JC decision, issuance in both registries."
)
cli.add_typer(monitoring_cli, name="monitoring")

# -- monitoring periods ------------------------------------------------------------------------


@monitoring_cli.command("submit")
def monitoring_submit(
    project: Annotated[str, typer.Argument(help="Project id.")],
    sheet: Annotated[Path, typer.Argument(help="Monitoring sheet (.xlsx or .csv).")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    row: Annotated[
        int | None, typer.Option(help="Sheet row of the period (default: the only row).")
    ] = None,
    reductions: Annotated[
        int | None,
        typer.Option(
            help="tCO2 the report states; needed when the methodology is not executable here, "
            "checked against the calculation when it is."
        ),
    ] = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Submit a monitoring report: the methodology calculates the period's reductions.

    Without a --doc monitoring_report=FILE, the sheet itself is stored as the report.
    """

    def action() -> ReportSubmitted:
        data = read_file(sheet, "Monitoring file", "S1_BAD_SHEET", limits.MAX_SHEET_BYTES)
        picked = monitoring_sheets().period(data, sheet.name, row)
        docs = list(doc or [])
        if not any(
            split_document_option(d, "--doc")[0] is DocumentKind.MONITORING_REPORT for d in docs
        ):
            docs.append(f"monitoring_report={sheet}")
        source = {"sheet": f"Sheet {picked.sheet!r} row {picked.row}", **picked.columns}
        return console_cycle().submit_report(
            cc.SubmitMonitoringReport(
                project,
                picked.start,
                picked.end,
                acting_as(as_, role),
                step_date(on),
                tuple(picked.values.items()),
                document_refs(docs, confidential_doc),
                source,
                reductions,
            ),
            key,
        )

    def render(r: ReportSubmitted) -> None:
        calc = r.calculation
        say_step(
            r,
            f"{r.monitoring_period} {r.period}: {calc.emission_reductions:,} tCO2 "
            f"({calc.methodology} v{calc.version}, record {calc.digest[:16]}…)"
            + (f"; illustrative: {escape(', '.join(r.illustrative))}" if r.illustrative else ""),
        )

    run(json_out, action, render)


@monitoring_cli.command("step")
def monitoring_step(
    request: Annotated[str, typer.Argument(help="Monitoring period id, e.g. KE001-M001.")],
    action_name: Annotated[str, typer.Argument(metavar="ACTION", help="e.g. verify.")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    amount: Annotated[
        int | None,
        typer.Option(help="verify: verified tCO2 (default: calculated); decide: decided tCO2."),
    ] = None,
    vintage: Annotated[int | None, typer.Option(help="decide: vintage year.")] = None,
    remainder_to: Annotated[str | None, typer.Option(help="decide: remainder holder.")] = None,
    reference: Annotated[str | None, typer.Option(help="decide: JC decision reference.")] = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Take one step of a monitoring period (verification, request, decision, issuance)."""
    verify = action_name.replace("-", "_") == "verify"

    def action() -> MonitoringStepped:
        return console_cycle().monitoring_step(
            cc.MonitoringStep(
                request,
                action_name,
                acting_as(as_, role),
                step_date(on),
                document_refs(doc, confidential_doc),
                verified_amount=amount if verify else None,
                amount=None if verify else amount,
                vintage=vintage,
                remainder_to=remainder_to,
                reference=reference,
            ),
            key,
        )

    def render(r: MonitoringStepped) -> None:
        say_step(r, f"{r.monitoring_period} is {r.state}")
        if r.issuance is not None:
            issued = r.issuance
            out.print(f"issued {issued.quantity:,} in {r.registry}: {', '.join(issued.serials)}")
        elif r.lines:
            print_table("JC decision", r.lines, ["line", "account", "share_pct", "quantity"])

    run(json_out, action, render)


@monitoring_cli.command("list")
def monitoring_list(
    project: Annotated[str | None, typer.Option(help="Only this project's periods.")] = None,
    state_: Annotated[
        str | None,
        typer.Option("--state", help="Only periods in this state, e.g. under_jc_consideration."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List monitoring periods, e.g. those waiting for a verifier, the JC or a registry."""
    run(
        json_out,
        lambda: state.app().cycle.monitoring_periods(project, state_),
        lambda rows: print_table(
            "monitoring periods",
            rows,
            [
                "monitoring_period",
                "period",
                "state",
                "verified_amount",
                "decided_amount",
                "decision",
                "issued_sides",
                "last_step",
            ],
        ),
    )


@monitoring_cli.command("show")
def monitoring_show(
    request: Annotated[str, typer.Argument(help="Monitoring period id.")],
    record: Annotated[bool, typer.Option(help="Include the whole calculation record.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """A monitoring period: state, calculation, verification, decision and history."""

    def render(r: dict[str, Any]) -> None:
        out.print(
            f"[bold]{r['id']}[/] {r['period']['start']}..{r['period']['end']} — "
            f"[bold]{r['state']}[/]"
        )
        calc = r.get("calculation")
        if calc:
            out.print(
                f"calculated {calc['emission_reductions']:,} tCO2 by {calc['methodology']} "
                f"v{calc['version']} (record sha256 {calc['digest']})"
            )
        if r.get("illustrative"):
            out.print(
                "[yellow]illustrative:[/] "
                + escape(", ".join(r["illustrative"]))
                + " (an unconfirmed methodology id or placeholder values; verification and "
                "the JC decision need a rule book that allows illustrative methodologies)"
            )
        out.print(
            f"verified {r['verified_amount'] if r['verified_amount'] is not None else '–'}; "
            f"decided {r['decision']['amount'] if r['decision'] else '–'}; "
            f"registry decision {r['decision_id'] or '–'}; issued in "
            f"{', '.join(r['issued_sides']) or '–'}"
        )
        print_table(
            "history",
            [{**h, "documents": [d["kind"] for d in h["documents"]]} for h in r["history"]],
            ["on", "action", "from", "to", "organisation", "role", "documents"],
        )

    run(json_out, lambda: state.app().cycle.monitoring(request, with_record=record), render)
