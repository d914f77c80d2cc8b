"""Each CLI command is a new process: heavy libraries it does not need stay unimported.

fpdf2 (certificates), openpyxl (spreadsheets), FastAPI and uvicorn (the server) and Alembic
(migrations) together cost about a second of start-up on this machine
(``python -m bench.cli_startup``); commands that draw, read or serve nothing, and a
database already at the newest schema, must not pay for them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

HEAVY = ("fpdf", "openpyxl", "fastapi", "uvicorn", "alembic")
# Runs the CLI in-process, then prints which heavy libraries ended up imported.
PROBE = """
import json, sys
from jcm.entrypoints.cli import main
try:
    main()
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "loaded": sorted(
    name for name in HEAVY if name in sys.modules)}), file=sys.stderr)
"""


def loaded_by(data_dir: Path, *args: str) -> tuple[object, list[str]]:
    env = dict(os.environ, JCM_DATA_DIR=str(data_dir))
    env.pop("JCM_DATABASE_URL", None)
    source = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", source, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], report["loaded"]


def test_importing_the_cli_and_asking_for_help_imports_no_heavy_library(tmp_path: Path) -> None:
    assert loaded_by(tmp_path, "--help") == (0, [])


def test_a_command_on_a_database_at_the_newest_schema_imports_no_heavy_library(
    tmp_path: Path,
) -> None:
    first = loaded_by(tmp_path, "--json", "registry", "create", "JP")
    again = loaded_by(tmp_path, "--json", "holdings")

    assert first == (0, ["alembic"])  # the new database was migrated
    assert again == (0, [])
