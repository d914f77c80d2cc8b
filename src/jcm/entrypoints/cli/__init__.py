"""The jcm command line: the operator's console on the server.

One module per area registers its commands on the root app defined in ``common``.
"""

from __future__ import annotations

from jcm.entrypoints.cli import (  # noqa: F401 - each module registers its commands
    a6_register,
    a6_report,
    actors,
    demo,
    documents,
    log,
    lookups,
    methodology,
    monitoring,
    moves,
    mrv,
    mrv_devices,
    mrv_fleet,
    mrv_intake,
    mrv_mqtt,
    mrv_qa,
    mrv_verification,
    organisations,
    portfolio,
    projects,
    registry,
    serve,
    users,
    webhooks,
)
from jcm.entrypoints.cli.common import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli()
