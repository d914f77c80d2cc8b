"""Illustrative methodology data cannot become credits unless the rule book allows it.

KE001 of the demo, but with its PV plant on the Kenyan grid: KE_AM002 is a confirmed
methodology, but the Kenyan grid EF is a placeholder, so the calculation record is
illustrative. Verification (and the JC decision) is refused under a rule book that does not
allow illustrative methodologies, allowed under one that does, and replay re-checks it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jcm.bootstrap import App
from jcm.domain.cycle import (
    DocumentKind,
    MonitoringAction,
    Role,
    RuleBook,
    Verification,
    advance_monitoring,
    submit_monitoring_report,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import JcmError
from jcm.domain.methodologies import get
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.issuance import MonitoringPeriod
from jcm.domain.transparency.signed_note import Verifier
from jcm.entrypoints.cli import cli
from jcm.entrypoints.demo_cycle import ProjectPlan, Walker, actors, enrol, plans
from jcm.service_layer.results import to_json_object

M1 = "KE001-M001"
LENIENT = RuleBook("KE lenient (demo)", allow_illustrative_methodologies=True)


def quiet(_: str) -> None:
    pass


def grid_ke001(app: App, rule_book: str) -> tuple[ProjectPlan, Walker]:
    """The demo's cast and KE001 on the Kenyan grid (EF placeholder) under ``rule_book``."""
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    org = r.create_organisation(c.CreateOrganisation("KE", "Factory")).organisation
    account = r.open_account(c.OpenAccount("KE", org, AccountType.ENTITY_HOLDING, "pp"))
    enrol(app.identity, app.cycle, actors(("KE",)), None)
    accounts = {"jp_gov": "JP-GOV-0001", "ke_gov": "KE-GOV-0001", "ke_pp": account.account}
    plan = plans({**accounts, "id_gov": "", "id_pp": ""})[0]
    for p in plan.participants:
        enrol(
            app.identity,
            app.cycle,
            [
                cc.RegisterActor(
                    p.organisation_id, Role.PROJECT_PARTICIPANT, p.organisation_id, p.side
                )
            ],
            None,
        )
    facts = tuple((name, "grid" if name == "connection" else value) for name, value in plan.facts)
    plan = replace(plan, facts=facts, periods=plan.periods[:1], rule_book=rule_book)
    return plan, Walker(app.cycle, app.documents, quiet)


def verify_log(app: App) -> dict[str, Any]:
    verifiers: dict[str, Verifier] = dict(app.log_verifiers())
    result: dict[str, Any] = to_json_object(app.log.verify(verifiers))
    return result


def test_verifying_an_illustrative_record_is_refused_under_a_default_rule_book(
    app: App,
) -> None:
    plan, walker = grid_ke001(app, "default")

    with pytest.raises(JcmError) as refused:
        walker.walk(plan)

    error = refused.value
    assert error.code == "P7_ILLUSTRATIVE_METHODOLOGY"
    assert error.details["methodology"] == "KE_AM002"
    assert error.details["version"] == "1.0"
    assert error.details["illustrative"] == ["EF_RE"]
    assert "KE_AM002 v1.0" in error.message
    assert "EF_RE" in error.message
    shown: Any = app.cycle.monitoring(M1, with_record=True)
    assert shown["state"] == "under_verification"  # the refused step changed nothing
    assert shown["illustrative"] == ["EF_RE"]
    assert shown["calculation"]["record"]["illustrative"][0]["item"] == "EF_RE"
    assert verify_log(app)["ok"] is True


def test_a_rule_book_that_allows_illustrative_methodologies_lets_them_issue(app: App) -> None:
    app.cycle.define_rule_book(cc.DefineRuleBook(LENIENT))
    plan, walker = grid_ke001(app, LENIENT.version)

    [issued] = walker.walk(plan)

    assert issued["state"] == "issued"
    assert app.cycle.monitoring(M1)["illustrative"] == ["EF_RE"]
    assert verify_log(app)["ok"] is True


def test_a_record_resting_on_confirmed_values_is_verified_under_a_default_rule_book(
    app: App,
) -> None:
    plan, walker = grid_ke001(app, "default")
    # off-grid: the captive diesel EF (0.533) is [I] but not a placeholder
    plan = replace(plan, facts=(*plan.facts, ("connection", "captive_only")))
    plan = replace(plan, facts=tuple(dict(plan.facts).items()))

    [issued] = walker.walk(plan)

    assert issued["state"] == "issued"
    assert app.cycle.monitoring(M1)["illustrative"] == []


def test_replay_refuses_a_verification_the_rule_book_did_not_allow(app: App) -> None:
    plan, walker = grid_ke001(app, "default")
    with pytest.raises(JcmError):
        walker.walk(plan)
    # An insider writes the verification through the storage code, as if allowed.
    with app.unit_of_work() as uow:
        found = uow.cycle.get_monitoring(M1, lock=True)
        project = uow.cycle.get_project("KE001")
        assert found is not None
        assert project is not None
        request = found[0]
        tpe = uow.cycle.actors_of("demo-tpe")[0][0]
        forged_rules = replace(RuleBook("default"), allow_illustrative_methodologies=True)
        new, event = advance_monitoring(
            request,
            project,
            MonitoringAction.VERIFY,
            tpe,
            request.period.end + timedelta(days=50),
            documents=walker.docs(M1, DocumentKind.VERIFICATION_REPORT),
            payload=Verification(100),
            rules=forged_rules,
        )
        uow.cycle.put_monitoring(new, uow.now, new=False)
        kind, change = event["type"], event["change"]
        assert isinstance(kind, str)
        assert isinstance(change, dict)
        uow.ledger.add_event(kind, None, change, uow.now)
        uow.commit()

    verdict = verify_log(app)

    assert verdict["ok"] is False
    assert (
        "monitoring_period.verify is refused by the rules on replay: "
        "[P7_ILLUSTRATIVE_METHODOLOGY]" in str(verdict["problem"]["found"])
    )


def test_list_show_and_calculate_mark_illustrative_methodologies(
    database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()

    def jcm(*args: str) -> Any:
        result = runner.invoke(
            cli, ["--data-dir", str(tmp_path), "--database-url", database_url, *args, "--json"]
        )
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    listed = {(m["id"], m["version"]): m for m in jcm("methodology", "list")}
    shown = jcm("methodology", "show", "ID_AM901")
    calculated = jcm(
        "methodology",
        "calculate",
        "KH_AM002",
        *("--fact", "connection=grid", "--fact", "grid=national"),
        *("--fixed", "P_PV=300:kW"),
        *("--monitored", "EG_grid_p=40:MWh", "--monitored", "EG_offgrid_p=10:MWh"),
    )

    assert listed["ID_AM901", "1.0"]["illustrative"] is True
    assert listed["ID_AM901", "1.0"]["illustrative_items"] == ["id"]
    assert listed["KE_AM002", "1.0"]["illustrative_items"] == ["EF_grid"]
    assert listed["ID_AM017", "1.0"]["illustrative"] is False
    assert listed["PH_AM001", "1.0"]["approved"] == "2020-02-02"
    assert shown["illustrative"] is True
    assert shown["illustrative_items"][0]["item"] == "id"
    assert "illustrative identifier" in shown["illustrative_items"][0]["reason"]
    assert calculated["illustrative"] == []  # KH: 0.533 diesel-based grid, not a placeholder
    assert calculated["record"]["illustrative"] == []


def test_replay_finds_a_report_logged_without_the_marks_of_its_record(app: App) -> None:
    plan, walker = grid_ke001(app, "default")
    walker.walk(replace(plan, periods=()))  # registered, no period yet
    start, end, values = plan.periods[0]
    period = MonitoringPeriod(start, end)
    # An insider logs the report through the storage code, leaving its marks out.
    with app.unit_of_work() as uow:
        project = uow.cycle.get_project("KE001", lock=True)
        assert project is not None
        participant = uow.cycle.actors_of(plan.participants[0].organisation_id)[0][0]
        record = get("KE_AM002", "1.0").calculate(
            dict(plan.facts), dict(plan.fixed), dict(values), period
        )
        assert record.illustrative == ("EF_RE",)
        request, event = submit_monitoring_report(
            project,
            period,
            participant,
            end + timedelta(days=20),
            documents=walker.docs(M1, DocumentKind.MONITORING_REPORT),
            rules=RuleBook("default"),
        )
        text = record.canonical().decode("utf-8")
        uow.cycle.add_calculation(M1, "KE_AM002", "1.0", record.er, record.digest, text, uow.now)
        uow.cycle.put_monitoring(request, uow.now, new=True)
        calculation = {
            "methodology": "KE_AM002",
            "version": "1.0",
            "emission_reductions": record.er,
            "digest": record.digest,
            "computed": True,
        }
        change = {**event["change"], "calculation": calculation}  # type: ignore[dict-item]
        uow.ledger.add_event(event["type"], None, change, uow.now)  # type: ignore[arg-type]
        uow.commit()

    problem = verify_log(app)["problem"]

    assert (problem["entity"], problem["field"]) == (f"calculation {M1}", "illustrative")
    assert (problem["expected"], problem["found"]) == ([], ["EF_RE"])
