"""``jcm a6 approach|authorisation|entity``: the cooperative-approach register."""

from __future__ import annotations

import typer

from jcm.entrypoints.cli.moves import a6_cli

approach_cli = typer.Typer(help="Cooperative approaches: one per bilateral JCM (CANNNN).")
authorisation_cli = typer.Typer(help="Authorisations of the first transferring Party.")
entity_cli = typer.Typer(help="Entities authorised to use or cancel ITMOs.")
a6_cli.add_typer(approach_cli, name="approach")
a6_cli.add_typer(authorisation_cli, name="authorisation")
a6_cli.add_typer(entity_cli, name="entity")
