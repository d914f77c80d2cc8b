"""JCM projects: start, steps, show, next, list, transitions."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from jcm.domain.cycle import (
    PROJECT_TRANSITIONS,
    CreditingPeriod,
    ProjectProposal,
    render_markdown,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.methodology_approval import METHODOLOGY_TRANSITIONS
from jcm.domain.cycle.monitoring_transitions import MONITORING_TRANSITIONS
from jcm.domain.errors import InvalidInput
from jcm.domain.registry.allocation import parse_share
from jcm.entrypoints.cli.common import (
    FactOpt,
    JsonOpt,
    KeyOpt,
    cli,
    console_cycle,
    out,
    parse_date_option,
    print_table,
    run,
    state,
)
from jcm.entrypoints.cli.cycle_options import (
    AsOpt,
    ConfidentialOpt,
    DocOpt,
    FixedOpt,
    OnOpt,
    RoleOpt,
    acting_as,
    document_refs,
    ex_ante_parameters,
    parse_participant,
    parse_period,
    say_step,
    step_date,
)
from jcm.service_layer.cycle.results import NextSteps, ProjectChanged

project_cli = typer.Typer(help="JCM projects: PIN, PDD, validation, registration and after.")
cli.add_typer(project_cli, name="project")

# -- projects ----------------------------------------------------------------------------------


@project_cli.command("start")
def project_start(
    project: Annotated[str, typer.Argument(help="Project id, e.g. KE001.")],
    title: Annotated[str, typer.Option(help="Project title.")],
    methodology: Annotated[str, typer.Option(help="Approved methodology id, e.g. KE_AM002.")],
    scope: Annotated[int, typer.Option(help="Sectoral scope 1-15.")],
    participant: Annotated[list[str], typer.Option(help="ORG:japan|partner[:focal] (repeat).")],
    crediting_period: Annotated[str, typer.Option(help="START..END.")],
    as_: AsOpt,
    version: Annotated[str, typer.Option("--version", help="Methodology version.")] = "1.0",
    role: RoleOpt = None,
    on: OnOpt = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    with_pdd: Annotated[
        bool, typer.Option("--with-pdd", help="Start at the PDD (rule books without PIN).")
    ] = False,
    rule_book: Annotated[str, typer.Option(help="Rule-book version.")] = "default",
    fact: FactOpt = [],  # noqa: B006 - Typer reads the default, never mutates it
    fixed: FixedOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Start a project with its PIN (or, with --with-pdd, its PDD)."""

    def action() -> ProjectChanged:
        start, end = parse_period(crediting_period, "--crediting-period")
        proposal = ProjectProposal(
            project.strip().upper(),
            title,
            methodology.strip().upper(),
            version,
            scope,
            tuple(parse_participant(p) for p in participant),
            CreditingPeriod(start, end),
        )
        return console_cycle().start_project(
            cc.StartProject(
                proposal,
                acting_as(as_, role),
                step_date(on),
                document_refs(doc, confidential_doc),
                with_pdd,
                rule_book,
                ex_ante_parameters(fact, fixed),
            ),
            key,
        )

    run(json_out, action, lambda r: say_step(r, f"project {r.project} is {r.state}"))


@project_cli.command("step")
def project_step(
    project: Annotated[str, typer.Argument(help="Project id.")],
    action_name: Annotated[str, typer.Argument(metavar="ACTION", help="e.g. submit-pdd.")],
    as_: AsOpt,
    role: RoleOpt = None,
    on: OnOpt = None,
    doc: DocOpt = None,
    confidential_doc: ConfidentialOpt = None,
    share: Annotated[
        list[str] | None, typer.Option(help="ACCOUNT=PERCENT of the allocation form (repeat).")
    ] = None,
    participant: Annotated[
        list[str] | None, typer.Option(help="New participants ORG:side[:focal] (repeat).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Renewed crediting-period end.")] = None,
    fact: FactOpt = [],  # noqa: B006
    fixed: FixedOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Take one step of a project (`jcm project transitions` lists them all)."""

    def action() -> ProjectChanged:
        return console_cycle().project_step(
            cc.ProjectStep(
                project,
                action_name,
                acting_as(as_, role),
                step_date(on),
                document_refs(doc, confidential_doc),
                tuple(parse_share(s) for s in share or []),
                tuple(parse_participant(p) for p in participant or []),
                parse_date_option(until, "--until") if until else None,
                ex_ante_parameters(fact, fixed),
            ),
            key,
        )

    run(json_out, action, lambda r: say_step(r, f"project {r.project} is {r.state}"))


@project_cli.command("show")
def project_show(
    project: Annotated[str, typer.Argument(help="Project id.")], json_out: JsonOpt = False
) -> None:
    """A project: its state, participants, shares, documents, history and periods."""

    def render(r: dict[str, Any]) -> None:
        out.print(f"[bold]{r['id']}[/] {r['title']} — [bold]{r['state']}[/]")
        out.print(
            f"methodology {r['methodology']['id']} v{r['methodology']['version']}, scope "
            f"{r['sectoral_scope']}, crediting period {r['crediting_period']['start']}.."
            f"{r['crediting_period']['end']}, rule book {r['rule_book']}"
        )
        shares = ", ".join(f"{s['account']} {s['share_pct']}%" for s in r["shares"])
        out.print(f"allocation: {shares or '–'}")
        if r["public_input_closes_on"] and r["state"] in ("public_input", "pdd_submitted"):
            out.print(f"PDD public input closes on {r['public_input_closes_on']}")
        print_table(
            "history",
            [{**h, "documents": [d["kind"] for d in h["documents"]]} for h in r["history"]],
            ["on", "action", "from", "to", "organisation", "role", "documents"],
        )
        if r["monitoring_periods"]:
            print_table(
                "monitoring periods",
                r["monitoring_periods"],
                [
                    "monitoring_period",
                    "period",
                    "state",
                    "verified_amount",
                    "decided_amount",
                    "decision",
                ],
            )

    run(json_out, lambda: state.app().cycle.project(project), render)


@project_cli.command("next")
def project_next(
    project: Annotated[str, typer.Argument(help="Project id.")], json_out: JsonOpt = False
) -> None:
    """What can happen next: the steps open to the project and its monitoring periods."""

    def render(r: NextSteps) -> None:
        out.print(f"[bold]{r.project}[/] is [bold]{r.state}[/]")
        if r.public_input_closes_on and r.state == "public_input":
            out.print(f"PDD public input closes on {r.public_input_closes_on}")
        columns = ["action", "to", "roles", "attach", "missing_on_file", "guards"]
        print_table("next project steps", r.steps, columns)
        if r.new_monitoring_period:
            print_table("a new monitoring period", r.new_monitoring_period, columns)
        for period in r.monitoring_periods:
            print_table(f"{period.monitoring_period} ({period.state})", period.steps, columns)

    run(json_out, lambda: state.app().cycle.next_steps(project), render)


@project_cli.command("list")
def project_list(
    partner: Annotated[str | None, typer.Option(help="Partner ISO code.")] = None,
    state_: Annotated[
        str | None, typer.Option("--state", help="Only projects in this state.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the projects in the cycle."""
    run(
        json_out,
        lambda: state.app().cycle.projects(partner.upper() if partner else None, state_),
        lambda rows: print_table(
            "projects", rows, ["project", "state", "methodology", "last_step", "on", "title"]
        ),
    )


@project_cli.command("transitions")
def project_transitions(
    machine: Annotated[str, typer.Argument(help="project, monitoring or methodology.")] = "project",
    json_out: JsonOpt = False,
) -> None:
    """Print a state machine's transition table (who, documents, date guards)."""
    tables: dict[str, Any] = {
        "project": PROJECT_TRANSITIONS,
        "monitoring": MONITORING_TRANSITIONS,
        "methodology": METHODOLOGY_TRANSITIONS,
    }

    def action() -> dict[str, Any]:
        if machine not in tables:
            raise InvalidInput(
                "P8_BAD_ACTION",
                f"{machine!r} is not a state machine; choose project, monitoring or methodology.",
                machine=machine,
            )
        return {"machine": machine, "markdown": render_markdown(tables[machine])}

    def render(r: dict[str, Any]) -> None:
        sys.stdout.write(r["markdown"])  # raw: a console would wrap the long rows

    run(json_out, action, render)
