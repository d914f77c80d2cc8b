"""jcm mrv: digital MRV (devices, batch intake, QA/QC, automatic verification, the broker).

This module defines the ``mrv`` command group; one module per part registers its commands
on it (``mrv_devices``, ``mrv_intake``, ``mrv_mqtt``, ``mrv_qa``, ``mrv_verification``,
``mrv_fleet``).
"""

from __future__ import annotations

import typer

from jcm.domain.mrv.qa import DEFAULT_QA_RULES, EXCLUDING, QaRule
from jcm.entrypoints.cli.common import JsonOpt, cli, out, run

mrv_cli = typer.Typer(
    help="Digital MRV: meters, signed readings over MQTT and HTTP, QA/QC, verification."
)
cli.add_typer(mrv_cli, name="mrv")


@mrv_cli.command("rules")
def mrv_rules(json_out: JsonOpt = False) -> None:
    """Show the QA/QC rule set in force: its version, every rule id and every threshold."""

    def render(rules: dict[str, object]) -> None:
        out.print(f"QA/QC rule set {DEFAULT_QA_RULES.version}")
        for name, value in DEFAULT_QA_RULES.as_json().items():
            out.print(f"  {name} = {value}")
        for rule in QaRule:
            effect = "excludes the interval" if rule in EXCLUDING else "reported only"
            out.print(f"  {rule.value}: {effect}")

    run(json_out, _rules, render)


def _rules() -> dict[str, object]:
    return {
        "rule_set": DEFAULT_QA_RULES.as_json(),
        "rules": [{"id": r.value, "excludes": r in EXCLUDING} for r in QaRule],
    }
