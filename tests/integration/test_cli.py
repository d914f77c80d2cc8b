"""The `jcm` command line: results, `--json`, refusals as one line and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jcm.entrypoints.cli import cli

runner = CliRunner()
Jcm = Callable[..., tuple[int, str, str]]


@pytest.fixture
def jcm(database_url: str, tmp_path: Path) -> Jcm:
    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(
            cli, ["--data-dir", str(tmp_path), "--database-url", database_url, *args]
        )
        return result.exit_code, result.stdout, result.stderr

    return run


def test_the_demo_builds_registries_and_prints_holdings_that_pass_the_audit(jcm: Jcm) -> None:
    code, stdout, _ = jcm("demo", "--json")
    assert code == 0
    result = json.loads(stdout)
    assert result["audit"]["ok"] is True
    # KE001 (captive diesel EF 0.533): 1,648.3 MWh × 0.533 = 878.54 → 878 and
    # 1,702.15 MWh × 0.533 = 907.25 → 907. ID001 chiller: 3,420.5 MWh × 0.619 × (6.8 / 6.1
    # − 1) = 242.3 → 242 (COP_RE of the 1,000-1,500 USRt band is 6.10).
    assert result["audit"]["issued"] == 878 + 907 + 242
    assert [(c["monitoring_period"], c["state"]) for c in result["cycle"]] == [
        ("KE001-M001", "issued"),
        ("KE001-M002", "issued"),
        ("ID001-M001", "issued"),
    ]
    registries = {row["registry"] for row in result["holdings"]}
    assert registries == {"JP", "KE", "ID"}


def test_running_the_demo_twice_changes_nothing(jcm: Jcm) -> None:
    first = json.loads(jcm("demo", "--json")[1])
    second = json.loads(jcm("demo", "--json")[1])
    assert first == second


def test_a_refusal_prints_one_line_with_its_code_and_exits_1(jcm: Jcm) -> None:
    jcm("registry", "create", "JP")
    code, stdout, stderr = jcm(
        "transfer", "--from", "JP-CAN-0002", "--to", "JP-GOV-0001", "-q", "5"
    )
    assert code == 1
    assert stderr.startswith("error[A1_TERMINAL_ACCOUNT]: Account JP-CAN-0002 is a cancellation")
    assert "Traceback" not in stderr + stdout


def test_a_refusal_with_json_is_an_error_object(jcm: Jcm) -> None:
    code, stdout, _ = jcm("registry", "create", "ZZ", "--json")
    assert code == 1
    assert json.loads(stdout)["error"]["code"] == "G1_BAD_COUNTRY"


def test_the_whole_cycle_works_from_the_command_line(jcm: Jcm, tmp_path: Path) -> None:
    for code_ in ("JP", "KE"):
        assert jcm("registry", "create", code_)[0] == 0
    org = json.loads(jcm("org", "create", "Solar Ltd", "-r", "KE", "--json")[1])
    account = json.loads(
        jcm("account", "create", "-r", "KE", "--org", org["organisation"], "--json")[1]
    )["account"]
    decision = json.loads(
        jcm(
            "decision",
            "record",
            "-p",
            "KE001",
            "--start",
            "2023-01-01",
            "--end",
            "2023-12-31",
            "--vintage",
            "2023",
            "--amount",
            "1000",
            "--share",
            "JP-GOV-0001=50",
            "--share",
            f"{account}=50",
            "--json",
        )[1]
    )
    assert [line["quantity"] for line in decision["lines"]] == [500, 500]
    assert jcm("issue", str(decision["decision"]), "-r", "JP")[0] == 0
    code, stdout, _ = jcm("issue", str(decision["decision"]), "-r", "KE", "--json")
    assert code == 0
    assert json.loads(stdout)["decision_status"] == "issued"
    approach = ("a6", "approach", "register", "CA0001", "--partner", "KE")
    assert jcm(*approach, "--japan-ndc", "2021-2030", "--partner-ndc", "2021-2030")[0] == 0
    code, stdout, _ = jcm(
        "a6", "authorisation", "register", "LoA-7", "--approach", "CA0001", "--purposes", "NDC",
        "--sector", "Energy generation", "--activity-type", "Solar", "--json",
    )  # fmt: skip
    assert json.loads(stdout)["authorisation"]["version"] == 1
    authorise = ("a6", "authorise", "--account", account, "--reference", "LoA-7", "-q", "100")
    assert jcm(*authorise)[0] == 0
    code, stdout, _ = jcm(
        "external-transfer", "--from", account, "--to", "JP-GOV-0001", "-q", "100", "--json"
    )
    assert json.loads(stdout)["detail"]["first_transferred"] == 100
    assert json.loads(stdout)["first_transfer"] is True
    batch = tmp_path / "moves.csv"
    batch.write_text(
        "kind,from,to,quantity,serials,purpose,beneficiary,note\n"
        "cancel,JP-GOV-0001,,10,,voluntary,Japan,\n"
        f"retire,{account},,5,,,,\n"
    )
    code, stdout, stderr = jcm("batch", str(batch), "--json")
    assert code == 0, stderr
    assert json.loads(stdout)["count"] == 2
    code, stdout, _ = jcm("serial", "KE-KE-JCM-KE001-2023-1-501-510", "--json")
    looked = json.loads(stdout)
    assert looked["locations"][0]["account"] == "JP-GOV-0001"
    assert [h["kind"] for h in looked["history"]] == [
        "issuance",
        "authorisation",
        "external_transfer",
    ]
    code, stdout, _ = jcm("audit", "--json")
    assert code == 0
    assert json.loads(stdout)["ok"] is True
    code, stdout, _ = jcm("tx", "list", "--kind", "cancellation", "--json")
    assert [t["quantity"] for t in json.loads(stdout)] == [10]
    for listing in (
        ("registry", "list"),
        ("org", "list"),
        ("account", "list"),
        ("decision", "list"),
        ("holdings",),
        ("tx", "list"),
    ):
        code, stdout, _ = jcm(*listing, "--json")
        assert code == 0, listing
        assert isinstance(json.loads(stdout), list), listing


def test_bad_input_names_the_value_at_fault(jcm: Jcm) -> None:
    jcm("registry", "create", "JP")
    jcm("registry", "create", "KE")
    code, _, stderr = jcm(
        "decision",
        "record",
        "-p",
        "KE001",
        "--start",
        "2023-01-01",
        "--end",
        "2023-13-31",
        "--vintage",
        "2023",
        "--amount",
        "10",
        "--share",
        "JP-GOV-0001=100",
    )
    assert code == 1
    assert "'2023-13-31'" in stderr
    code, _, stderr = jcm(
        "decision",
        "record",
        "-p",
        "KE001",
        "--start",
        "2023-01-01",
        "--end",
        "2023-12-31",
        "--vintage",
        "2023",
        "--amount",
        "10",
        "--share",
        "JP-GOV-0001=60",
        "--share",
        "KE-GOV-0001=30",
    )
    assert code == 1
    assert "I7_BAD_ALLOCATION" in stderr
    assert "90" in stderr


def test_the_installed_command_runs_as_a_separate_process(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("jcm")
    env = {**os.environ, "JCM_DATA_DIR": str(tmp_path)}
    env.pop("JCM_DATABASE_URL", None)
    done = subprocess.run(
        [str(exe), "registry", "create", "KE", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accounts"][0]["account"] == "KE-GOV-0001"
    assert (tmp_path / "registry.sqlite3").is_file()


PV_FACTS = [
    "--fact",
    "host_country=ID",
    "--fact",
    "technology=solar_pv",
    "--fact",
    "connection=grid",
    "--fact",
    "grid=jamali",
    "--fact",
    "pv_modules_iec_certified=true",
]


def test_a_methodology_calculation_from_the_command_line_is_reproducible(jcm: Jcm) -> None:
    args = [
        "methodology",
        "calculate",
        "ID_AM901",
        *PV_FACTS,
        "--fixed",
        "P_PV=500:kW",
        "--monitored",
        "EG_p=61234:kWh",
        "--start",
        "2025-01-01",
        "--end",
        "2025-01-31",
        "--json",
    ]
    code, stdout, _ = jcm(*args)
    assert code == 0
    first = json.loads(stdout)
    # 61.234 MWh × the Jamali grid factor; floored to whole tonnes.
    assert first["emission_reductions"] == 37
    assert json.loads(jcm(*args)[1])["digest"] == first["digest"]


def test_a_wrong_unit_or_an_ineligible_project_is_explained(jcm: Jcm) -> None:
    code, _, stderr = jcm(
        "methodology",
        "calculate",
        "ID_AM901",
        *PV_FACTS,
        "--fixed",
        "P_PV=500:kW",
        "--monitored",
        "EG_p=61234:m3",
    )
    assert code == 1
    assert stderr.startswith("error[M3_WRONG_UNIT]")
    code, stdout, _ = jcm(
        "methodology", "eligibility", "ID_AM901", "--fact", "host_country=KE", "--json"
    )
    verdict = json.loads(stdout)
    assert verdict["eligible"] is False
    failed = [c["criterion"] for c in verdict["criteria"] if not c["passed"]]
    assert "C0" in failed


def test_every_command_accepts_json() -> None:
    import typer.main

    def walk(command: Any, path: str) -> list[str]:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            return [p for name, sub in subcommands.items() for p in walk(sub, f"{path} {name}")]
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        return [] if "--json" in options else [path]

    commands = walk(typer.main.get_command(cli), "jcm")
    assert commands == []


def test_transactions_can_be_listed_for_a_range_of_days(jcm: Jcm) -> None:
    jcm("demo", "--json")
    code, stdout, _ = jcm("tx", "list", "--since", "2000-01-01", "--limit", "1000", "--json")
    assert code == 0
    everything = json.loads(stdout)
    assert len(everything) == 14  # with Kenya authorising and adjusting Japan's share
    code, stdout, _ = jcm("tx", "list", "--until", "2000-01-01", "--json")
    assert json.loads(stdout) == []
    code, _, stderr = jcm("tx", "list", "--since", "yesterday")
    assert code == 1
    assert "G1_BAD_DATE" in stderr
