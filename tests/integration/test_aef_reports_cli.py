"""`jcm a6 report …` end to end: failures as a table and a non-zero exit, submit, the three
export files, verify from the log, list and show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aef_report_support import Clock, World, adjust, build_world, make_app
from openpyxl import load_workbook
from typer.testing import CliRunner

from jcm.domain.aef.tables import TABLE_TITLES
from jcm.entrypoints.cli import cli

runner = CliRunner()


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    clock = Clock(datetime(2025, 1, 1, tzinfo=UTC))
    app = make_app(tmp_path, database_url, clock)
    yield build_world(app, clock)
    app.close()


class Jcm:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.prefix = ["--data-dir", str(data_dir), "--database-url", database_url]

    def __call__(self, *args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, [*self.prefix, "a6", "report", *args])
        return result.exit_code, result.stdout, result.stderr

    def json(self, *args: str) -> Any:
        code, stdout, stderr = self(*args, "--json")
        assert code == 0, f"{args}: {stderr}{stdout}"
        return json.loads(stdout)


def test_failed_checks_are_a_table_and_a_non_zero_exit(
    world: World, database_url: str, tmp_path: Path
) -> None:
    jcm = Jcm(database_url, tmp_path)
    code, stdout, _ = jcm("build", "KE", "2025")
    assert code == 1
    assert "1 check failure(s)" in stdout
    assert "AEF14" in stdout
    assert "ITMO block First ID" in stdout
    code, stdout, _ = jcm("check", "KE", "2025", "--json")
    assert code == 1
    assert [f["rule"] for f in json.loads(stdout)["failures"]] == ["AEF14"]
    code, stdout, stderr = jcm("submit", "KE", "2025")
    assert code == 1
    assert "AEF14" in stdout
    assert stderr.startswith("error[R4_CHECKS_FAILED]: ")


def test_a_report_is_submitted_exported_verified_listed_and_shown(
    world: World, database_url: str, tmp_path: Path
) -> None:
    adjust(world, "KE-KE-JCM-KE001-2024-1-501-560", 2025)
    jcm = Jcm(database_url, tmp_path)
    assert jcm.json("build", "KE", "2025")["failures"] == []
    submitted = jcm.json("submit", "KE", "2025")  # the console's clock: 2025 is over
    assert (submitted["version"], submitted["status"]) == ("1.0", "submitted")
    out = tmp_path / "out"
    out.mkdir()
    paths = {
        fmt: Path(jcm.json("export", "KE", "2025", "--format", fmt, "--out", str(out))["path"])
        for fmt in ("csv", "xlsx", "json")
    }
    assert sorted(p.name for p in paths.values()) == [
        "AEF-KE-2025-1.0.csv",
        "AEF-KE-2025-1.0.json",
        "AEF-KE-2025-1.0.xlsx",
    ]
    assert paths["csv"].read_bytes().startswith(b"Table 1 Submission\r\n")
    assert load_workbook(paths["xlsx"]).sheetnames == list(TABLE_TITLES)
    assert json.loads(paths["json"].read_bytes())["version"] == "1.0"
    code, stdout, _ = jcm("verify", "KE", "2025", "--version", "1.0")
    assert code == 0
    assert "VALID" in stdout
    listed = jcm.json("list", "--party", "KE")
    assert [(r["version"], r["status"]) for r in listed] == [("1.0", "submitted")]
    code, stdout, _ = jcm("show", "KE", "2025")
    assert code == 0
    assert "Table 3 Actions" in stdout
    code, _, stderr = jcm("export", "KE", "2025", "--format", "pdf", "--out", str(out))
    assert code == 1
    assert stderr.startswith("error[R4_BAD_FORMAT]: ")
