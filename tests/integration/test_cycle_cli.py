"""The project-cycle commands of `jcm`, end to end: actors, documents, projects, monitoring
periods and methodologies, on SQLite and PostgreSQL, through the command line only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jcm.domain.cycle import MONITORING_TRANSITIONS, render_markdown
from jcm.entrypoints.cli import cli

runner = CliRunner()
Jcm = Callable[..., tuple[int, str, str]]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "project-cycle.md"

# The KE_AM002 eligibility facts and ex-ante parameter of a 1 MW captive solar PV plant.
PV_PDD = [
    *("--fact", "host_country=KE"),
    *("--fact", "technology=solar_pv"),
    *("--fact", "connection=captive_only"),
    *("--fact", "grid=national"),
    *("--fact", "pv_modules_iec_certified=true"),
    *("--fixed", "P_PV=1000:kW"),
]
# Every step of KE001 until registration (PDD window: opened 5 March 2023 for 30 days, so
# closed from 4 April 2023), with the state each one leads to.
PROJECT_STATES = [
    "pin_submitted",
    "no_objection",
    "pdd_submitted",
    "public_input",
    "under_validation",
    "validated",
    "registration_requested",
    "under_jc_consideration",
    "registered",
]


@dataclass
class Cycle:
    """The `jcm` command line on one database, with files written to a work folder."""

    run: Jcm
    files: Path

    def ok(self, *args: str) -> str:
        code, stdout, stderr = self.run(*args)
        assert code == 0, f"{args}: {stderr}{stdout}"
        return stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))

    def refused(self, code: str, *args: str) -> str:
        """Run a command that must be refused with ``code``: exit 1, one line on stderr."""
        exit_code, stdout, stderr = self.run(*args)
        assert exit_code == 1, f"{args}: {stdout}{stderr}"
        assert stderr.startswith(f"error[{code}]: "), stderr
        assert "Traceback" not in stdout + stderr
        assert stdout == ""
        return stderr

    def file(self, name: str, content: str) -> Path:
        path = self.files / name
        path.write_text(content, encoding="utf-8")
        return path

    def doc(self, kind: str, subject: str = "KE001") -> list[str]:
        path = self.file(f"{subject}-{kind}.txt", f"{kind.replace('_', ' ')} of {subject}\n")
        return ["--doc", f"{kind}={path}"]

    def project_step(self, action: str, by: str, on: str, *extra: str) -> str:
        result = self.json("project", "step", "KE001", action, "--as", by, "--on", on, *extra)
        assert result["project"] == "KE001"
        return str(result["state"])

    def monitoring_step(self, action: str, by: str, on: str, *extra: str) -> dict[str, Any]:
        return dict(
            self.json("monitoring", "step", "KE001-M001", action, "--as", by, "--on", on, *extra)
        )


@pytest.fixture
def jcm(database_url: str, tmp_path: Path) -> Jcm:
    data = tmp_path / "data"

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(
            cli, ["--data-dir", str(data), "--database-url", database_url, *args]
        )
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def cycle(jcm: Jcm, tmp_path: Path) -> Cycle:
    files = tmp_path / "files"
    files.mkdir()
    return Cycle(jcm, files)


def register_actors(c: Cycle) -> None:
    for org, role, name, *more in [
        ("jp-solar", "project_participant", "JP Solar KK", "--side", "japan"),
        ("ke-factory", "project-participant", "Nairobi Textiles Ltd", "--side", "partner"),
        ("tpe-a", "tpe", "A Verification"),
        ("jc-sec-ke", "secretariat", "JC secretariat Kenya", "--partner", "KE"),
        (
            "jc-ke",
            "jc_member",
            "Joint Committee JP-KE",
            "--side",
            "japan",
            "--partner",
            "KE",
            "--decision",
            "JC JP-KE 2022-01",
        ),
        ("rm-jp", "registry_manager", "JCM registry of Japan", "--side", "japan"),
        ("rm-ke", "registry_manager", "Kenya registry", "--side", "partner", "--partner", "KE"),
    ]:
        c.ok("actor", "register", org, "--role", role, "--name", name, *more)
    c.ok(
        "actor",
        "designate",
        "tpe-a",
        "--partner",
        "KE",
        "--scope",
        "1",
        "--function",
        "validation",
        "--function",
        "verification",
        "--as",
        "jc-ke",
    )


def set_up_registries(c: Cycle) -> str:
    """JP and KE registries, the Kenyan participant's organisation and its entity account."""
    for code in ("JP", "KE"):
        c.ok("registry", "create", code)
    org = c.json("org", "create", "Nairobi Textiles Ltd", "-r", "KE")["organisation"]
    account = c.json("account", "create", "-r", "KE", "--org", org)
    assert account["type"] == "entity_holding"
    return str(account["account"])


def start_ke001(c: Cycle, *extra: str) -> dict[str, Any]:
    return dict(
        c.json(
            "project",
            "start",
            "KE001",
            "--title",
            "1 MW solar PV system at a textile factory in Kenya",
            "--methodology",
            "KE_AM002",
            "--scope",
            "1",
            "--participant",
            "jp-solar:japan:focal",
            "--participant",
            "ke-factory:partner",
            "--crediting-period",
            "2023-01-01..2030-12-31",
            "--as",
            "jp-solar",
            "--on",
            "2023-01-10",
            *extra,
        )
    )


def register_ke001(c: Cycle, account: str) -> list[str]:
    """KE001 from its PIN to registration; the state after each step."""
    states = [start_ke001(c, *c.doc("pin"))["state"]]
    states.append(c.project_step("decide-no-objection", "jc-ke", "2023-02-01"))
    states.append(
        c.project_step(
            "submit-pdd",
            "jp-solar",
            "2023-03-01",
            *c.doc("pdd"),
            *c.doc("modalities_of_communication"),
            *c.doc("monitoring_plan"),
            *PV_PDD,
        )
    )
    states.append(c.project_step("open-public-input", "tpe-a", "2023-03-05"))
    states.append(c.project_step("start-validation", "tpe-a", "2023-04-04"))
    states.append(c.project_step("validate", "tpe-a", "2023-05-01", *c.doc("validation_report")))
    states.append(
        c.project_step(
            "request-registration",
            "ke-factory",
            "2023-05-10",
            *c.doc("registration_request"),
            *c.doc("credit_allocation_form"),
            *("--share", "JP-GOV-0001=50"),
            *("--share", f"{account}=40"),
            *("--share", "KE-GOV-0001=10"),
        )
    )
    states.append(c.project_step("accept-registration-request", "jc-sec-ke", "2023-05-15"))
    states.append(c.project_step("register", "jc-ke", "2023-06-01"))
    return states


def registered(c: Cycle) -> str:
    register_actors(c)
    account = set_up_registries(c)
    assert register_ke001(c, account) == PROJECT_STATES
    return account


SHEET = "period_start,period_end,EG_p [kWh]\n2024-01-01,2024-12-31,1000000\n"


def issue_m001(c: Cycle) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The 2024 monitoring period of KE001 from its report to issuance on both sides."""
    sheet = c.file("monitoring-2024.csv", SHEET)
    submitted = c.json(
        "monitoring", "submit", "KE001", str(sheet), "--as", "jp-solar", "--on", "2025-01-20"
    )
    steps = [
        c.monitoring_step("start-verification", "tpe-a", "2025-01-25"),
        c.monitoring_step("verify", "tpe-a", "2025-02-20", *c.doc("verification_report", "M001")),
        c.monitoring_step(
            "request-issuance", "jp-solar", "2025-02-25", *c.doc("issuance_request", "M001")
        ),
        c.monitoring_step("accept-issuance-request", "jc-sec-ke", "2025-03-01"),
        c.monitoring_step("decide", "jc-ke", "2025-03-20"),
        c.monitoring_step("record-issuance", "rm-jp", "2025-03-30"),
        c.monitoring_step("record-issuance", "rm-ke", "2025-03-31"),
    ]
    return submitted, steps


def snapshot(c: Cycle) -> tuple[Any, Any, int]:
    """What a refused command must leave as it was: the project, its periods and the log."""
    log = c.json("log", "verify")
    assert log["ok"] is True
    return c.json("project", "show", "KE001"), c.json("holdings"), log["entries"]


# -- the whole cycle ---------------------------------------------------------------------------


def test_a_kenyan_pv_project_goes_from_pin_to_credits_in_both_registries(cycle: Cycle) -> None:
    c = cycle
    register_actors(c)
    actors = c.json("actor", "list")
    assert {(a["organisation"], a["role"]) for a in actors} == {
        ("jp-solar", "project_participant"),
        ("ke-factory", "project_participant"),
        ("tpe-a", "tpe"),
        ("jc-sec-ke", "secretariat"),
        ("jc-ke", "jc_member"),
        ("rm-jp", "registry_manager"),
        ("rm-ke", "registry_manager"),
    }
    tpe = next(a for a in actors if a["organisation"] == "tpe-a")
    assert {(d["partner"], d["scope"], d["function"]) for d in tpe["designations"]} == {
        ("KE", 1, "validation"),
        ("KE", 1, "verification"),
    }
    account = set_up_registries(c)

    assert register_ke001(c, account) == PROJECT_STATES
    assert c.json("project", "list", "--partner", "KE") == [
        {
            "project": "KE001",
            "state": "registered",
            "title": "1 MW solar PV system at a textile factory in Kenya",
            "methodology": "KE_AM002 v1.0",
            "last_step": "register",
            "on": "2023-06-01",
        }
    ]

    submitted, steps = issue_m001(c)
    # EG_p = 1,000,000 kWh = 1,000 MWh displacing captive diesel power at EF_RE = 0.533
    # tCO2/MWh: RE_p = 1,000 × 0.533 = 533 tCO2, PE_p = 0, ER_p = floor(533 − 0) = 533.
    assert submitted["monitoring_period"] == "KE001-M001"
    assert submitted["period"] == "2024-01-01..2024-12-31"
    assert submitted["calculation"]["emission_reductions"] == 533
    assert submitted["calculation"]["methodology"] == "KE_AM002"
    assert [s["state"] for s in steps] == [
        "under_verification",
        "verified",
        "issuance_requested",
        "under_jc_consideration",
        "decided",
        "partially_issued",
        "issued",
    ]
    verified, decided, japan, kenya = steps[1], steps[4], steps[5], steps[6]
    assert verified["verified_amount"] == 533  # the verification defaults to the calculation
    # 533 × 50 % = 266.5 → 266, × 40 % = 213.2 → 213, × 10 % = 53.3 → 53; the remaining
    # 1 tCO2 goes to the first holder of the allocation form.
    assert [(x["account"], x["quantity"]) for x in decided["lines"]] == [
        ("JP-GOV-0001", 267),
        (account, 213),
        ("KE-GOV-0001", 53),
    ]
    assert (japan["registry"], japan["issuance"]["quantity"]) == ("JP", 267)
    assert (kenya["registry"], kenya["issuance"]["quantity"]) == ("KE", 213 + 53)

    holdings = c.json("holdings")
    assert {(h["registry"], h["account"]): h["quantity"] for h in holdings} == {
        ("JP", "JP-GOV-0001"): 267,
        ("KE", account): 213,
        ("KE", "KE-GOV-0001"): 53,
    }
    assert {(h["project"], h["vintage"]) for h in holdings} == {("KE001", 2024)}

    shown = c.json("project", "show", "KE001")
    periods = shown["monitoring_periods"]
    assert [(m["monitoring_period"], m["state"], m["decided_amount"]) for m in periods] == [
        ("KE001-M001", "issued", 533)
    ]
    assert periods[0]["issued_sides"] == ["japan", "partner"]
    code, stdout, stderr = c.run("log", "verify")
    assert code == 0, stderr
    assert "log verified" in stdout


def test_project_and_monitoring_json_show_the_history_and_the_calculation_digest(
    cycle: Cycle,
) -> None:
    c = cycle
    account = registered(c)
    submitted, _ = issue_m001(c)

    project = c.json("project", "show", "KE001")
    assert project["state"] == "registered"
    history = project["history"]
    assert [h["from"] for h in history] == [None, *PROJECT_STATES[:-1]]
    assert [h["to"] for h in history] == PROJECT_STATES
    assert [(h["action"], h["organisation"], h["on"]) for h in history] == [
        ("submit_pin", "jp-solar", "2023-01-10"),
        ("decide_no_objection", "jc-ke", "2023-02-01"),
        ("submit_pdd", "jp-solar", "2023-03-01"),
        ("open_public_input", "tpe-a", "2023-03-05"),
        ("start_validation", "tpe-a", "2023-04-04"),
        ("validate", "tpe-a", "2023-05-01"),
        ("request_registration", "ke-factory", "2023-05-10"),
        ("accept_registration_request", "jc-sec-ke", "2023-05-15"),
        ("register", "jc-ke", "2023-06-01"),
    ]
    submit_pdd = history[2]
    pdd = (c.files / "KE001-pdd.txt").read_bytes()
    assert {
        "kind": "pdd",
        "sha256": hashlib.sha256(pdd).hexdigest(),
        "visibility": "public",
        "size": len(pdd),  # the store's metadata is logged with the reference (issue 8)
        "media_type": "text/plain",
        "filename": "KE001-pdd.txt",
    } in submit_pdd["documents"]
    assert project["parameters"] == {
        "facts": {
            "host_country": "KE",
            "technology": "solar_pv",
            "connection": "captive_only",
            "grid": "national",
            "pv_modules_iec_certified": True,
        },
        "fixed": {"P_PV": ["1000", "kW"]},
    }
    assert project["shares"] == [
        {"account": "JP-GOV-0001", "share_pct": "50"},
        {"account": account, "share_pct": "40"},
        {"account": "KE-GOV-0001", "share_pct": "10"},
    ]

    shown = c.json("monitoring", "show", "KE001-M001", "--record")
    assert [(h["action"], h["to"]) for h in shown["history"]] == [
        ("submit_report", "report_submitted"),
        ("start_verification", "under_verification"),
        ("verify", "verified"),
        ("request_issuance", "issuance_requested"),
        ("accept_issuance_request", "under_jc_consideration"),
        ("decide", "decided"),
        ("record_issuance", "partially_issued"),
        ("record_issuance", "issued"),
    ]
    calculation = shown["calculation"]
    assert calculation["digest"] == submitted["calculation"]["digest"]
    assert calculation["emission_reductions"] == 533
    record = calculation["record"]
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == calculation["digest"]
    assert record["monitored"]["EG_p"]["given_value"] == "1000000"
    assert record["results"]["ER_p"] == 533
    # Without a --doc monitoring_report the sheet itself was stored as the report.
    sheet = (c.files / "monitoring-2024.csv").read_bytes()
    assert shown["documents"][0] == {
        "kind": "monitoring_report",
        "sha256": hashlib.sha256(sheet).hexdigest(),
        "visibility": "public",
        "size": len(sheet),
        "media_type": "text/csv",
        "filename": "monitoring-2024.csv",
    }
    assert (shown["decision"]["amount"], shown["decision"]["vintage"]) == (533, 2024)

    brief = c.json("monitoring", "show", "KE001-M001")
    assert "record" not in brief["calculation"]
    assert brief["calculation"]["digest"] == calculation["digest"]


# -- refusals ----------------------------------------------------------------------------------


def test_refused_project_steps_exit_1_with_their_code_and_change_nothing(cycle: Cycle) -> None:
    c = cycle
    registered(c)
    renewal = c.file("renewal.txt", "crediting period renewal request of KE001\n")
    before = snapshot(c)

    stderr = c.refused(
        "P1_WRONG_ROLE",
        *("project", "step", "KE001", "request-renewal", "--as", "tpe-a"),
        *("--on", "2024-01-10", "--until", "2035-12-31"),
        *("--doc", f"crediting_period_renewal_request={renewal}"),
    )
    assert "only project_participant may" in stderr
    stderr = c.refused(
        "P2_MISSING_DOCUMENT",
        *("project", "step", "KE001", "request-renewal", "--as", "jp-solar"),
        *("--on", "2024-01-10", "--until", "2035-12-31"),
    )
    assert "crediting_period_renewal_request" in stderr
    stderr = c.refused(
        "P8_BAD_ACTION",
        *("project", "step", "KE001", "extend-forever", "--as", "jp-solar", "--on", "2024-01-10"),
    )
    assert "'extend-forever' is not a project step" in stderr
    assert "request-renewal" in stderr
    assert "register" in stderr
    stderr = c.refused(
        "P8_BAD_DOCUMENT",
        *("project", "step", "KE001", "request-renewal", "--as", "jp-solar"),
        *("--on", "2024-01-10", "--until", "2035-12-31"),
        *("--confidential-doc", f"crediting_period_renewal_request={renewal}"),
    )
    assert "has no public version" in stderr
    code, stdout, _ = c.run(
        *("project", "step", "KE001", "request-renewal", "--as", "jp-solar"),
        *("--on", "2024-01-10", "--until", "2035-12-31", "--json"),
        *("--confidential-doc", f"crediting_period_renewal_request={renewal}"),
    )
    assert code == 1
    error = json.loads(stdout)["error"]
    assert error["code"] == "P8_BAD_DOCUMENT"
    assert error["details"] == {"kinds": ["crediting_period_renewal_request"]}

    assert snapshot(c) == before


def test_a_monitoring_sheet_with_a_missing_value_is_refused_naming_its_row_and_column(
    cycle: Cycle,
) -> None:
    c = cycle
    registered(c)
    before = snapshot(c)
    sheet = c.file(
        "monitoring.csv",
        "period_start,period_end,EG_p [kWh]\n"
        "2024-01-01,2024-06-30,500000\n"
        "2024-07-01,2024-12-31,\n",
    )

    for row in ([], ["--row", "2"]):
        stderr = c.refused(
            "S2_BAD_CELL",
            *(
                "monitoring",
                "submit",
                "KE001",
                str(sheet),
                "--as",
                "jp-solar",
                "--on",
                "2025-01-20",
            ),
            *row,
        )
        assert "Sheet 'monitoring.csv' row 3 column C: EG_p is missing" in stderr
        assert "kWh" in stderr

    assert snapshot(c) == before
    assert before[0]["monitoring_periods"] == []


# -- documents ---------------------------------------------------------------------------------


def test_a_confidential_version_is_given_to_a_participant_of_the_project_and_no_one_else(
    cycle: Cycle,
) -> None:
    c = cycle
    register_actors(c)
    public = c.file("pin-public.txt", "PIN of KE001; investment cost: [confidential]\n")
    secret = c.file("pin-confidential.txt", "PIN of KE001; investment cost: 1.2 million USD\n")

    stored = c.json("document", "put", "pin", str(public), "--confidential", str(secret))
    confidential = stored["confidential"]["sha256"]
    assert stored["kind"] == "pin"
    assert stored["public"]["sha256"] == hashlib.sha256(public.read_bytes()).hexdigest()
    assert confidential == hashlib.sha256(secret.read_bytes()).hexdigest()
    assert stored["confidential"]["visibility"] == "confidential"
    # The project attaches both versions; the store already holds them (content-addressed).
    start_ke001(c, "--doc", f"pin={public}", "--confidential-doc", f"pin={secret}")
    documents = c.json("project", "show", "KE001")["documents"]
    assert {(d["sha256"], d["visibility"]) for d in documents} == {
        (stored["public"]["sha256"], "public"),
        (confidential, "confidential"),
    }

    copy = c.files / "copy.txt"
    code, _, stderr = c.run(
        "document", "get", confidential, "-o", str(copy), "--as", "ke-factory", "--project", "KE001"
    )
    assert code == 0, stderr
    assert copy.read_bytes() == secret.read_bytes()

    refused = c.files / "refused.txt"
    hidden = f"error[K4_NOT_VISIBLE]: No document with SHA-256 {confidential} is visible"
    stderr = c.refused("K4_NOT_VISIBLE", "document", "get", confidential, "-o", str(refused))
    assert stderr.startswith(hidden)
    c.refused(
        "K4_NOT_VISIBLE",
        *("document", "get", confidential, "-o", str(refused), "--project", "KE001"),
    )
    stderr = c.refused(
        "K4_NOT_VISIBLE",
        *("document", "get", confidential, "-o", str(refused), "--as", "rm-jp"),
        *("--project", "KE001"),
    )
    assert stderr.startswith(hidden)
    assert not refused.exists()

    public_copy = c.files / "public-copy.txt"
    c.ok("document", "get", stored["public"]["sha256"], "-o", str(public_copy))
    assert public_copy.read_bytes() == public.read_bytes()

    # Being engaged on KE001 gives no right to a document of another project.
    other = c.file("other-confidential.txt", "PIN of KE002; investment cost: 3 million USD\n")
    other_sha = c.json("document", "put", "pin", str(public), "--confidential", str(other))[
        "confidential"
    ]["sha256"]
    stderr = c.refused(
        "K4_NOT_VISIBLE",
        *("document", "get", other_sha, "-o", str(refused), "--as", "ke-factory"),
        *("--project", "KE001"),
    )
    assert f"No document with SHA-256 {other_sha} is visible to this caller." in stderr
    assert not refused.exists()


# -- tables, rule books and methodologies ------------------------------------------------------


def test_the_monitoring_transition_table_is_the_markdown_of_the_docs(cycle: Cycle) -> None:
    shown = cycle.json("project", "transitions", "monitoring")

    assert shown["machine"] == "monitoring"
    assert shown["markdown"] == render_markdown(MONITORING_TRANSITIONS)
    assert shown["markdown"].startswith("| from | action | to | roles |")
    assert "| decided | `record_issuance` |" in shown["markdown"]
    assert shown["markdown"].strip() in DOCS.read_text(encoding="utf-8")
    code, printed, _ = cycle.run("project", "transitions", "monitoring")
    assert code == 0
    assert printed == render_markdown(MONITORING_TRANSITIONS)  # no wrapped rows
    stderr = cycle.refused("P8_BAD_ACTION", "project", "transitions", "issuance")
    assert "choose project, monitoring or methodology" in stderr


def test_a_rule_book_is_defined_once_and_listed_with_the_default(cycle: Cycle) -> None:
    c = cycle
    c.ok("rule-book", "define", "KE PCP ver03.0", "--pdd-public-input-days", "20", "--no-pin")

    stderr = c.refused("P8_RULE_BOOK_EXISTS", "rule-book", "define", "KE PCP ver03.0")

    assert "cannot change" in stderr
    assert c.json("rule-book", "list") == [
        {
            "version": "default",
            "pdd_public_input_days": 30,
            "methodology_public_input_days": 15,
            "pin_required": True,
            "verifier_may_be_validator": True,
            "allow_illustrative_methodologies": False,
        },
        {
            "version": "KE PCP ver03.0",
            "pdd_public_input_days": 20,
            "methodology_public_input_days": 15,
            "pin_required": False,
            "verifier_may_be_validator": True,
            "allow_illustrative_methodologies": False,
        },
    ]


def test_a_methodology_is_proposed_opened_for_15_days_approved_and_revised(
    cycle: Cycle,
) -> None:
    c = cycle
    register_actors(c)
    docs = [*c.doc("proposed_methodology", "PM001"), *c.doc("methodology_spreadsheet", "PM001")]

    def step(action: str, by: str, on: str, *extra: str) -> str:
        result = c.json(
            "methodology", "step", "KE_PM001", "1.0", action, "--as", by, "--on", on, *extra
        )
        return f"{result['methodology']} {result['state']}"

    proposed = c.json(
        *("methodology", "propose", "KE_PM001", "--title", "Rooftop solar PV", "--scope", "1"),
        *("--as", "tpe-a", "--on", "2023-01-10", *docs),
    )
    assert proposed["state"] == "proposed"
    assert step("open-public-input", "jc-sec-ke", "2023-01-16") == "KE_PM001 open_for_public_input"
    stderr = c.refused(
        "P3_TOO_EARLY",
        *("methodology", "step", "KE_PM001", "1.0", "close-public-input"),
        *("--as", "jc-sec-ke", "--on", "2023-01-30"),
    )
    assert "15" in stderr
    assert step("close-public-input", "jc-sec-ke", "2023-01-31") == "KE_PM001 public_input_closed"
    assert step("approve", "jc-ke", "2023-03-20", "--approved-id", "KE_AM009") == "KE_AM009 valid"
    revision = c.json(
        *("methodology", "revise", "KE_AM009", "1.0", "--as", "jp-solar", "--on", "2024-01-10"),
        *c.doc("methodology_revision_request", "AM009"),
        *c.doc("methodology_spreadsheet", "AM009"),
    )
    assert (revision["methodology"], revision["version"]) == ("KE_AM009", "2.0")

    listed = c.json("methodology", "proposals")
    assert sorted((m["methodology"], m["version"], m["state"]) for m in listed) == [
        ("KE_AM009", "1.0", "valid"),
        ("KE_AM009", "2.0", "proposed"),
    ]
    assert c.json("log", "verify")["ok"] is True


def test_monitoring_periods_and_projects_can_be_listed_by_state(cycle: Cycle) -> None:
    c = cycle
    registered(c)
    issue_m001(c)

    issued = c.json("monitoring", "list", "--state", "issued")
    waiting = c.json("monitoring", "list", "--state", "under_jc_consideration")
    in_registered = c.json("project", "list", "--state", "registered")

    assert [(r["monitoring_period"], r["issued_sides"]) for r in issued] == [
        ("KE001-M001", ["japan", "partner"])
    ]
    assert waiting == []
    assert [p["project"] for p in in_registered] == ["KE001"]
    stderr = c.refused("P8_BAD_STATE", "monitoring", "list", "--state", "done")
    assert "under_jc_consideration" in stderr


def test_project_next_lists_the_open_steps_who_takes_them_and_the_documents_they_need(
    cycle: Cycle,
) -> None:
    c = cycle
    registered(c)

    shown = c.json("project", "next", "KE001")

    assert shown["state"] == "registered"
    steps = {s["action"]: s for s in shown["steps"]}
    assert set(steps) == {
        "request_allocation_change",
        "request_participant_change",
        "request_renewal",
        "withdraw_project",
    }
    assert steps["request_renewal"]["roles"] == ["project_participant"]
    assert steps["request_renewal"]["attach"] == ["crediting_period_renewal_request"]
    [report] = shown["new_monitoring_period"]
    assert (report["action"], report["attach"], report["missing_on_file"]) == (
        "submit_report",
        ["monitoring_report"],
        [],
    )
    assert "period_not_overlapping" in report["guards"]


def test_document_verify_reports_a_damaged_object_and_exits_1(cycle: Cycle) -> None:
    c = cycle
    stored = c.json("document", "put", "pdd", str(c.file("pdd.txt", "PDD of KE001\n")))
    assert c.json("document", "verify")["ok"] is True
    sha = stored["public"]["sha256"]
    damaged = c.files.parent / "data" / "documents" / "objects" / sha[:2] / sha[2:]
    damaged.chmod(0o600)
    damaged.write_text("PDD of KE002\n", encoding="utf-8")

    code, stdout, _ = c.run("document", "verify", "--json")

    assert code == 1
    assert [d["sha256"] for d in json.loads(stdout)["damaged"]] == [sha]
