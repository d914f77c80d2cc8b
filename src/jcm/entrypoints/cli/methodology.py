"""Methodologies: browse, eligibility, calculation, sheets, and the approval process."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from jcm.bootstrap import monitoring_sheets
from jcm.domain import limits
from jcm.domain.cycle import commands as cc
from jcm.entrypoints.cli.common import (
    FactOpt,
    JsonOpt,
    KeyOpt,
    VersionOpt,
    cli,
    console_cycle,
    err,
    out,
    parse_date_option,
    print_table,
    read_file,
    run,
    state,
    write_file,
)
from jcm.entrypoints.cli.cycle_options import (
    AsOpt,
    DocOpt,
    OnOpt,
    RoleOpt,
    acting_as,
    document_refs,
    say_step,
    step_date,
)
from jcm.service_layer.cycle.results import MethodologyChanged
from jcm.service_layer.methodologies.results import (
    CalculationResult,
    EligibilityResult,
    SheetCalculation,
)
from jcm.service_layer.results import JsonObject, JsonValue

methodology_cli = typer.Typer(help="JCM methodologies: browse, check eligibility, calculate.")
cli.add_typer(methodology_cli, name="methodology")


def _rows(value: JsonValue) -> list[JsonValue]:
    """A list inside a methodology's self-description, for a table."""
    return value if isinstance(value, list) else []


# -- methodologies ---------------------------------------------------------------------------


@methodology_cli.command("list")
def methodology_list(
    country: Annotated[str | None, typer.Option("--country", help="Partner ISO code.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the executable methodologies."""
    from jcm.service_layer.methodologies import service as ms

    run(
        json_out,
        lambda: ms.list_methodologies(country),
        lambda rows: print_table(
            "methodologies (illustrative: an unconfirmed id or placeholder defaults)",
            rows,
            ["id", "version", "country", "family", "id_status", "illustrative_items", "title"],
        ),
    )


@methodology_cli.command("show")
def methodology_show(
    methodology_id: Annotated[str, typer.Argument(help="e.g. ID_AM002")],
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Describe a methodology: criteria, parameters, equations, default tables."""
    from jcm.service_layer.methodologies import service as ms

    def render(d: JsonObject) -> None:
        out.print(
            f"[bold]{d['id']} v{d['version']}[/]: {d['title']} ({d['family']}, id {d['id_status']})"
        )
        if d["illustrative"]:
            out.print(
                "[yellow]illustrative[/]: verification and JC decisions on its records need a "
                "rule book that allows illustrative methodologies"
            )
            print_table("illustrative items", _rows(d["illustrative_items"]), ["item", "reason"])
        print_table("eligibility criteria", _rows(d["criteria"]), ["id", "confirmation", "text"])
        print_table(
            "parameters", _rows(d["parameters"]), ["name", "unit", "kind", "range", "confirmation"]
        )

    run(json_out, lambda: ms.describe(methodology_id, version), render)


@methodology_cli.command("eligibility")
def methodology_eligibility(
    methodology_id: Annotated[str, typer.Argument()],
    fact: FactOpt,
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Check a proposed project's facts against the eligibility criteria."""
    from jcm.service_layer.methodologies import service as ms

    def render(r: EligibilityResult) -> None:
        verdict = "[green]eligible[/]" if r.eligible else "[red]NOT eligible[/]"
        out.print(f"{r.methodology} v{r.version}: {verdict}")
        print_table("criteria", r.criteria, ["criterion", "passed", "reason"])

    run(
        json_out,
        lambda: ms.eligibility(methodology_id, dict(map(ms.parse_fact, fact)), version),
        render,
    )


@methodology_cli.command("calculate")
def methodology_calculate(
    methodology_id: Annotated[str, typer.Argument()],
    fact: FactOpt,
    fixed: Annotated[
        list[str], typer.Option("--fixed", help="Ex-ante parameter NAME=VALUE:UNIT (repeat).")
    ],
    monitored: Annotated[
        list[str], typer.Option("--monitored", help="Monitored value NAME=VALUE:UNIT (repeat).")
    ],
    start: Annotated[str | None, typer.Option(help="Monitoring period start.")] = None,
    end: Annotated[str | None, typer.Option(help="Monitoring period end.")] = None,
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Compute reference, project emissions and reductions with a full calculation record."""
    from jcm.service_layer.methodologies import service as ms

    def action() -> CalculationResult:
        return ms.calculate(
            methodology_id,
            dict(map(ms.parse_fact, fact)),
            dict(map(ms.parse_quantity, fixed)),
            dict(map(ms.parse_quantity, monitored)),
            parse_date_option(start, "--start") if start else None,
            parse_date_option(end, "--end") if end else None,
            version,
        )

    def render(r: CalculationResult) -> None:
        out.print(
            f"{r.methodology} v{r.version}: RE {r.reference_emissions} − "
            f"PE {r.project_emissions} = {r.emission_reductions_unrounded} tCO2 → "
            f"[bold]{r.emission_reductions:,} tCO2[/] credited (record {r.digest[:16]}…)"
        )
        if r.illustrative:
            out.print(f"[yellow]illustrative[/]: {', '.join(r.illustrative)}")

    run(json_out, action, render)


@methodology_cli.command("sheet")
def methodology_sheet(
    methodology_id: Annotated[str, typer.Argument()],
    output: Annotated[Path, typer.Option("--output", "-o", help="A .xlsx or .csv file.")],
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a blank monitoring sheet for a methodology (one row per monitoring period)."""

    def action() -> dict[str, Any]:
        data, made = monitoring_sheets().template(methodology_id, version, output.name)
        write_file(output, data)
        return {**made, "output": str(output)}

    run(
        json_out,
        action,
        lambda r: err.print(f"[green]✓[/] {', '.join(r['columns'])} → {r['output']}"),
    )


@methodology_cli.command("calculate-sheet")
def methodology_calculate_sheet(
    methodology_id: Annotated[str, typer.Argument()],
    sheet: Annotated[Path, typer.Argument(help="Monitoring sheet: .xlsx or .csv.")],
    fact: FactOpt,
    fixed: Annotated[
        list[str], typer.Option("--fixed", help="Ex-ante parameter NAME=VALUE:UNIT (repeat).")
    ],
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Emission reductions for every monitoring period of a sheet (XLSX or CSV)."""
    from jcm.service_layer.methodologies import service as ms

    def action() -> SheetCalculation:
        return monitoring_sheets().calculate(
            methodology_id,
            dict(map(ms.parse_fact, fact)),
            dict(map(ms.parse_quantity, fixed)),
            read_file(sheet, "Monitoring file", "S1_BAD_SHEET", limits.MAX_SHEET_BYTES),
            sheet.name,
            version,
        )

    def render(r: SheetCalculation) -> None:
        print_table(
            f"{r.methodology} v{r.version}",
            r.periods,
            [
                "row",
                "period_start",
                "period_end",
                "reference_emissions",
                "project_emissions",
                "emission_reductions",
            ],
        )
        out.print(f"total: [bold]{r.total_emission_reductions:,} tCO2[/]")
        if r.illustrative:
            out.print(f"[yellow]illustrative[/]: {', '.join(r.illustrative)}")

    run(json_out, action, render)


# -- methodology approval (registered on the existing `jcm methodology` group) -----------------


def register_methodology_commands(methodology_cli: typer.Typer) -> None:
    @methodology_cli.command("propose")
    def methodology_propose(
        proposal_id: Annotated[str, typer.Argument(help="Proposed id, e.g. KE_PM001.")],
        title: Annotated[str, typer.Option(help="Title.")],
        scope: Annotated[int, typer.Option(help="Sectoral scope 1-15.")],
        as_: AsOpt,
        role: RoleOpt = None,
        on: OnOpt = None,
        doc: DocOpt = None,
        rule_book: Annotated[str, typer.Option(help="Rule-book version.")] = "default",
        key: KeyOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Propose a new methodology (form and spreadsheet attached)."""

        def action() -> MethodologyChanged:
            return console_cycle().propose_methodology(
                cc.ProposeMethodology(
                    proposal_id.strip().upper(),
                    title,
                    scope,
                    acting_as(as_, role),
                    step_date(on),
                    document_refs(doc, None),
                    rule_book,
                ),
                key,
            )

        run(json_out, action, lambda r: say_step(r, f"{r.methodology} is {r.state}"))

    @methodology_cli.command("revise")
    def methodology_revise(
        methodology_id: Annotated[str, typer.Argument(help="Approved id, e.g. KE_AM001.")],
        version: Annotated[str, typer.Argument(help="The valid version revised, e.g. 1.0.")],
        as_: AsOpt,
        role: RoleOpt = None,
        on: OnOpt = None,
        doc: DocOpt = None,
        title: Annotated[str | None, typer.Option(help="New title, if it changes.")] = None,
        rule_book: Annotated[str, typer.Option(help="Rule-book version.")] = "default",
        key: KeyOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Propose a revision of a valid methodology: the next major version."""

        def action() -> MethodologyChanged:
            return console_cycle().revise_methodology(
                cc.ReviseMethodology(
                    methodology_id,
                    version,
                    acting_as(as_, role),
                    step_date(on),
                    document_refs(doc, None),
                    title,
                    rule_book,
                ),
                key,
            )

        run(
            json_out,
            action,
            lambda r: say_step(r, f"{r.methodology} v{r.version} is {r.state}"),
        )

    @methodology_cli.command("step")
    def methodology_step(
        methodology_id: Annotated[str, typer.Argument(help="PM id (or AM id once approved).")],
        version: Annotated[str, typer.Argument(help="Version, e.g. 1.0.")],
        action_name: Annotated[str, typer.Argument(metavar="ACTION", help="e.g. approve.")],
        as_: AsOpt,
        role: RoleOpt = None,
        on: OnOpt = None,
        doc: DocOpt = None,
        approved_id: Annotated[
            str | None, typer.Option(help="approve: the AM id it gets, e.g. KE_AM003.")
        ] = None,
        key: KeyOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Take one step of a methodology's approval."""

        def action() -> MethodologyChanged:
            return console_cycle().methodology_step(
                cc.MethodologyStep(
                    methodology_id,
                    version,
                    action_name,
                    acting_as(as_, role),
                    step_date(on),
                    document_refs(doc, None),
                    approved_id,
                ),
                key,
            )

        run(
            json_out,
            action,
            lambda r: say_step(r, f"{r.methodology} v{r.version} is {r.state}"),
        )

    @methodology_cli.command("proposals")
    def methodology_proposals(json_out: JsonOpt = False) -> None:
        """List the methodologies going through (or through with) approval in the cycle."""
        run(
            json_out,
            lambda: state.app().cycle.methodologies(),
            lambda rows: print_table(
                "methodology approval",
                rows,
                ["methodology", "version", "proposal_id", "state", "last_step", "title"],
            ),
        )


register_methodology_commands(methodology_cli)
