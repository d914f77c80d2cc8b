"""The README's project-cycle walk-through runs as written.

The shell block that registers the actors and walks KE001 from PIN to credits is read from
README.md and every `jcm` command in it is run, in order, against a fresh database (after
the registries and the Kenyan entity account it refers to are opened). Files the commands
attach are created first; the blank monitoring sheet the README writes is filled in with
one row, as the README's comment says. Every command must succeed.
"""

from __future__ import annotations

import itertools
import json
import shlex
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from jcm.entrypoints.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"
runner = CliRunner()


def cycle_commands() -> list[list[str]]:
    """The `jcm` commands of the README's shell block that registers the cycle's actors."""
    blocks = README.read_text(encoding="utf-8").split("```sh\n")[1:]
    block = next(b.split("```")[0] for b in blocks if "jcm actor register" in b)
    joined = block.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            assert words[0] == "jcm", line
            commands.append(words[1:])
    return commands


def test_the_readme_cycle_walk_runs_as_written(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]

    def jcm(*args: str) -> str:
        result = runner.invoke(cli, [*base, *args])
        assert result.exit_code == 0, f"jcm {' '.join(args)}:\n{result.stderr}{result.stdout}"
        return result.stdout

    for code in ("JP", "KE"):
        jcm("registry", "create", code)
    jcm("org", "create", "Solar Ltd", "--registry", "KE")
    jcm("account", "create", "--registry", "KE", "--org", "KE-ORG-0002")  # KE-ENT-0004

    commands = cycle_commands()
    assert len(commands) > 20
    for args in commands:
        for flag, value in itertools.pairwise(args):
            if flag == "--doc":
                path = Path(value.partition("=")[2])
                if not path.exists():
                    path.write_text(f"{path.stem} (README walk-through)\n", encoding="utf-8")
        jcm(*args)
        if args[:2] == ["methodology", "sheet"]:
            sheet = Path(args[args.index("-o") + 1])
            book = load_workbook(sheet)
            book["monitoring"].append([date(2023, 1, 1), date(2023, 12, 31), 1648.3])
            book.save(sheet)

    period = json.loads(jcm("monitoring", "show", "KE001-M001", "--json"))
    assert period["state"] == "issued"
    assert period["calculation"]["emission_reductions"] == 878  # 1,648.3 MWh × 0.533
    assert json.loads(jcm("methodology", "proposals", "--json"))[0]["state"] == "proposed"
