"""jcm portfolio: import the funded portfolio (MOEJ's JCM financing programme's projects) and
the partner countries, each a logged change; a repeat import changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jcm.domain.errors import InvalidInput
from jcm.entrypoints.cli.common import (
    JsonOpt,
    as_operator,
    cli,
    out,
    read_file,
    run,
    state,
)
from jcm.service_layer.public.project_results import PortfolioImported

portfolio_cli = typer.Typer(help="The funded portfolio and the partner countries.")
cli.add_typer(portfolio_cli, name="portfolio")

MAX_LIST_BYTES = 4 * 2**20  # the seed lists are ~40 kB


def _text(path: Path | None, what: str) -> str | None:
    if path is None:
        return None
    data = read_file(path, what, "G1_NO_FILE", MAX_LIST_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            "G1_NO_FILE", f"{what} {str(path)!r} is not UTF-8 text.", path=str(path)
        ) from None


def _render(result: PortfolioImported) -> None:
    out.print(
        f"[green]✓[/] partner countries: {result.countries_added} added, "
        f"{result.countries_unchanged} already there"
    )
    out.print(
        f"[green]✓[/] funded projects: {result.projects_added} added, "
        f"{result.projects_unchanged} already there, {result.links_made} linked"
    )


@portfolio_cli.command("import")
def portfolio_import(
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Funded projects CSV (default: the packaged list of 252)."),
    ] = None,
    countries: Annotated[
        Path | None,
        typer.Option("--countries", help="Partner countries CSV (default: the packaged 29)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import the partner countries and the funded projects in their seed state (funded, or
    registered where the list marks them); each added row is a transparency-log entry."""

    def action() -> PortfolioImported:
        views = state.app().public.projects.acting(as_operator().unit_of_work)
        projects, partners = views.read_lists(
            _text(file, "Funded projects list"), _text(countries, "Partner countries list")
        )
        return views.import_portfolio(projects, partners)

    run(json_out, action, _render)
