"""Looking things up: serial, holdings, tx list, audit."""

from __future__ import annotations

from typing import Annotated

import typer

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.transactions import TransactionKind
from jcm.entrypoints.cli.common import (
    EXIT_REFUSED,
    JsonOpt,
    cli,
    day_start,
    emit,
    out,
    print_table,
    refusals,
    run,
    state,
)
from jcm.service_layer.registry.results import AuditReport, Holding, SerialLookup, TransactionRow

tx_cli = typer.Typer(help="Transactions.")
cli.add_typer(tx_cli, name="tx")

# -- looking things up -----------------------------------------------------------------------


@cli.command()
def serial(
    serials: Annotated[str, typer.Argument(help="A serial or serial range.")],
    json_out: JsonOpt = False,
) -> None:
    """Where every unit of a serial range is now, and its complete history."""

    def render(r: SerialLookup) -> None:
        out.print(
            f"{r.serials}: project {r.project}, vintage {r.vintage}, "
            f"{r.issued:,} of {r.requested:,} serials issued"
        )
        print_table(
            "where the units are",
            r.locations,
            [
                "serials",
                "quantity",
                "registry",
                "account",
                "authorised_uses",
                "first_transferred",
                "corresponding_adjustment",
            ],
        )
        print_table(
            "history",
            r.history,
            ["transaction", "at", "kind", "source", "destination", "serials"],
        )

    run(json_out, lambda: state.app().registry.lookup_serial(serials), render)


@cli.command()
def holdings(
    account: Annotated[str | None, typer.Option("--account", "-a")] = None,
    registry: Annotated[str | None, typer.Option("--registry", "-r")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Holdings per account (and project, vintage, Article 6 status)."""
    run(
        json_out,
        lambda: state.app().registry.holdings(account, registry),
        lambda rows: render_holdings(rows),
    )


def render_holdings(rows: list[Holding]) -> None:
    print_table(
        "holdings",
        rows,
        [
            "registry",
            "account",
            "type",
            "project",
            "vintage",
            "origin",
            "authorised_uses",
            "first_transferred",
            "ca_status",
            "quantity",
            "blocks",
        ],
    )


@tx_cli.command("list")
def tx_list(
    account: Annotated[str | None, typer.Option("--account", "-a")] = None,
    registry: Annotated[str | None, typer.Option("--registry", "-r")] = None,
    kind: Annotated[str | None, typer.Option(help="issuance, transfer, …")] = None,
    project: Annotated[str | None, typer.Option("--project", "-p")] = None,
    since: Annotated[str | None, typer.Option(help="From this day (UTC), YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Before this day (UTC), YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="Newest first, at most this many.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """List transactions, newest first, with filters."""

    def action() -> list[TransactionRow]:
        if kind is not None and kind not in {k.value for k in TransactionKind}:
            raise InvalidInput(
                "G1_BAD_KIND",
                f"Unknown transaction kind {kind!r}; use one of "
                + ", ".join(k.value for k in TransactionKind)
                + ".",
                kind=kind,
            )
        filters = {
            "account": account.upper() if account else None,
            "registry": registry.upper() if registry else None,
            "kind": kind,
            "project": project.upper() if project else None,
            "since": day_start(since, "--since") if since else None,
            "until": day_start(until, "--until") if until else None,
        }
        return state.app().registry.transactions(limit, **filters)

    run(
        json_out,
        action,
        lambda rows: print_table(
            "transactions",
            rows,
            ["id", "created_at", "kind", "registry", "source", "destination", "quantity"],
        ),
    )


@cli.command()
def audit(json_out: JsonOpt = False) -> None:
    """Check every invariant over the whole database (conservation, no overlap, events)."""

    def render(r: AuditReport) -> None:
        mark = "[green]✓ all invariants hold[/]" if r.ok else "[red]✗ problems found[/]"
        out.print(
            f"{mark}: {r.decisions} decisions, issued {r.issued:,} = held "
            f"{r.held:,} + cancelled {r.cancelled:,} + retired {r.retired:,}"
        )
        for problem in r.problems:
            out.print(f"  [red]•[/] {problem}")

    with refusals(json_out):
        result = state.app().registry.audit()
    emit(result, json_out, render)
    if not result.ok:
        raise typer.Exit(EXIT_REFUSED)
