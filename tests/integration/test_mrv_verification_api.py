"""Automatic verification over HTTP and from the command line; the bundle checked offline
with the CLI alone (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
from cycle_api_support import API, PP
from mrv_verification_support import END, START, verified_world
from typer.testing import CliRunner

from jcm.bootstrap import App
from jcm.entrypoints.cli import cli

runner = CliRunner()


def jcm(database_url: str, data_dir: Path, *args: str) -> tuple[int, str, str]:
    options = ["--data-dir", str(data_dir), "--database-url", database_url]
    result = runner.invoke(cli, [*options, *args])
    return result.exit_code, result.stdout, result.stderr


def offline(*args: str) -> tuple[int, Any]:
    """``jcm mrv verify-bundle … --json`` with no database options at all."""
    result = runner.invoke(cli, ["mrv", "verify-bundle", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_participant_verifies_over_http_and_anyone_gets_the_record_and_its_bundle(
    app: App, tmp_path: Path
) -> None:
    world = verified_world(app, devices=1)
    client = world.cycle.client
    url = f"{API}/mrv/projects/KE001/verifications"
    period = {"start": START.isoformat(), "end": END.isoformat()}

    outsider = client.post(url, json=period, headers=world.cycle.as_("other-pp"))
    created = client.post(url, json=period, headers=world.cycle.as_(PP, "verify-march"))
    repeated = client.post(url, json=period, headers=world.cycle.as_(PP, "verify-march"))
    vid = created.json()["verification"]
    shown = client.get(f"{API}/mrv/verifications/{vid}")  # public: no credentials
    bundle = client.get(f"{API}/mrv/verifications/{vid}/bundle")
    (tmp_path / "bundle.zip").write_bytes(bundle.content)

    assert outsider.status_code == 404, outsider.text
    assert outsider.json()["code"] == "D10_NOT_PARTICIPANT"
    assert created.status_code == 201, created.text
    assert created.json()["passed"] is True
    assert created.json()["monitoring_period"] == "KE001-M001"
    assert repeated.status_code == 201, repeated.text
    assert repeated.headers["Idempotent-Replayed"] == "true"
    assert repeated.json()["verification"] == vid
    assert shown.status_code == 200
    assert shown.json()["record"]["merkle_root"] == created.json()["merkle_root"]
    assert bundle.headers["content-type"] == "application/zip"
    assert app.mrv.verification.verify_bundle(tmp_path / "bundle.zip").ok


def test_the_command_line_verifies_a_period_and_checks_its_bundle_offline(
    app: App, database_url: str, tmp_path: Path
) -> None:
    verified_world(app, devices=1)
    data = tmp_path  # the app's own data directory: its keys, readings and documents
    code, out, err = jcm(
        database_url,
        data,
        "mrv",
        "verify-period",
        "--project",
        "KE001",
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        "--json",
    )
    assert code == 0, err + out
    vid = json.loads(out)["verification"]
    code, shown, err = jcm(database_url, data, "mrv", "verification", vid, "--json")
    assert code == 0, err
    bundle = tmp_path / "out" / "evidence"
    code, _, err = jcm(database_url, data, "mrv", "bundle", vid, "--out", str(bundle))
    assert code == 0, err
    _, keys, _ = jcm(database_url, data, "log", "public-key")
    (tmp_path / "log.pub").write_text(keys)

    valid_code, valid = offline(str(bundle), "--log-key", str(tmp_path / "log.pub"))
    tampered = tmp_path / "out" / "tampered"
    shutil.copytree(bundle, tampered)
    path = sorted((tampered / "readings").rglob("*.parquet"))[0]
    frame = pl.read_parquet(path)
    frame.with_columns(pl.col("wh") + (pl.col("pos") == 10).cast(pl.Int64)).write_parquet(path)
    bad_code, bad = offline(str(tampered), "--log-key", str(tmp_path / "log.pub"))

    assert json.loads(shown)["record"]["passed"] is True
    assert (valid_code, valid["ok"]) == (0, True), valid
    assert [c["ok"] for c in valid["checks"]] == [True] * 9
    assert (bad_code, bad["code"]) == (3, "D10_BAD_SIGNATURE"), bad
