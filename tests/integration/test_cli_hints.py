"""Refusals carry a code and values; the CLI adds its own hint, naming its own commands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jcm.domain.codes import BY_CODE
from jcm.entrypoints.cli import cli
from jcm.entrypoints.cli.hints import HINTS, hint_for

runner = CliRunner()


def test_every_hint_belongs_to_a_catalogued_code() -> None:
    assert set(HINTS) - set(BY_CODE) == set()


def test_a_hint_is_filled_from_the_refusal_details_and_left_out_when_they_are_missing() -> None:
    assert hint_for("G4_UNKNOWN_REGISTRY", {"registry": "ZA"}) == (
        "create it with `jcm registry create ZA`"
    )
    assert hint_for("G4_UNKNOWN_REGISTRY", {}) is None
    assert hint_for("G2_IDEMPOTENCY_KEY_REUSED", {"key": "k"}) is None


def test_an_unknown_registry_is_refused_with_its_code_and_the_cli_hint(tmp_path: Path) -> None:
    base = ["--data-dir", str(tmp_path)]
    result = runner.invoke(cli, [*base, "org", "create", "Solar", "--registry", "ZA", "--json"])

    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "G4_UNKNOWN_REGISTRY"
    assert "jcm" not in error["message"]
    assert error["hint"] == "create it with `jcm registry create ZA`"

    text = runner.invoke(cli, [*base, "org", "create", "Solar", "--registry", "ZA"])
    assert "error[G4_UNKNOWN_REGISTRY]" in text.stderr
    assert "hint: create it with `jcm registry create ZA`" in text.stderr
