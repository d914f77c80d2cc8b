"""``jcm a6 report build|check|submit|export|verify|list|show``: a Party's AEF."""

from __future__ import annotations

import typer

from jcm.entrypoints.cli.moves import a6_cli

report_cli = typer.Typer(help="A Party's Article 6.2 annual information (the AEF).")
a6_cli.add_typer(report_cli, name="report")
