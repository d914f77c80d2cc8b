"""The project cycle end to end on a real database (SQLite and PostgreSQL).

Two demo projects walk from PIN to credits in both registries; refusals change nothing;
the JC decision and the registry's decision are one transaction; methodologies are proposed,
approved and revised; the log replay catches a hand-edited cycle table; confidential
documents are read only by those engaged on the project.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from jcm.adapters import schema
from jcm.bootstrap import App
from jcm.domain.cycle import (
    DocumentKind,
    DocumentRef,
    ProjectAction,
    ProjectProposal,
    Role,
    TpeFunction,
    advance_project,
    designations,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountStatus, AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.transparency.signed_note import Verifier
from jcm.entrypoints.demo import log_size
from jcm.entrypoints.demo_cycle import (
    ProjectPlan,
    Walker,
    demo_cast,
    enrol,
    plans,
    run_cycle,
)
from jcm.service_layer.cycle.results import MethodologyChanged, TpeDesignated
from jcm.service_layer.results import JsonValue, to_json_object

K = DocumentKind

PP = "demo-jp-solar"  # KE001's focal point
TPE = "demo-tpe"
SEC = "jc-sec-ke"
JC = "jc-ke"
PIN_ON = date(2022, 6, 1)  # KE001's PIN, as in the demo plan
OPENED = PIN_ON + timedelta(days=65)  # the PDD public-input window opens on 2022-08-05
M1 = "KE001-M001"
M1_REPORTED = date(2024, 1, 20)  # 2023 reported 20 days after the period ends
M1_VALUES: tuple[tuple[str, tuple[str, str]], ...] = (("EG_p", ("1648300", "kWh")),)


# -- helpers -----------------------------------------------------------------------------------


def doc(value: JsonValue) -> Any:
    """A cycle read's JSON document, for the test to index freely."""
    return value


def quiet(_: str) -> None:
    return None


def refusal(action: Callable[[], object]) -> JcmError:
    with pytest.raises(JcmError) as caught:
        action()
    return caught.value


def row_counts(app: App) -> dict[str, int]:
    with app.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in schema.metadata.sorted_tables
        }


def snapshot(app: App) -> dict[str, Any]:
    """Everything a refused step must leave alone: the cycle, the registry, the log."""
    listed = app.cycle.projects()
    projects = [doc(app.cycle.project(p.project)) for p in listed]
    return {
        "projects": listed,
        "details": projects,
        "monitoring": [
            doc(app.cycle.monitoring(m["monitoring_period"], with_record=True))
            for p in projects
            for m in p["monitoring_periods"]
        ],
        "methodologies": app.cycle.methodologies(),
        "decisions": app.registry.decisions(),
        "holdings": app.registry.holdings(),
        "rows": row_counts(app),
        "log_size": log_size(app.log),
    }


def refused(app: App, action: Callable[[], object], code: str) -> JcmError:
    """The action is refused with ``code`` and nothing at all changes."""
    before = snapshot(app)
    error = refusal(action)
    assert error.code == code, f"{error.code}: {error.message}"
    assert snapshot(app) == before
    return error


def registries(app: App) -> dict[str, str]:
    """Registries JP, KE and ID and one entity account each, opened as the demo opens them."""
    r = app.registry
    for code in ("JP", "KE", "ID"):
        r.create_registry(c.CreateRegistry(code), key=f"demo:registry:{code}")

    def entity(registry: str, name: str) -> str:
        org = r.create_organisation(
            c.CreateOrganisation(registry, name), key=f"demo:org:{registry}:{name}"
        ).organisation
        account = r.open_account(
            c.OpenAccount(registry, org, AccountType.ENTITY_HOLDING, name),
            key=f"demo:account:{registry}:{name}",
        )
        return str(account.account)

    jp_pp = entity("JP", "Demo Trading KK")
    ke_pp = entity("KE", "Demo Factory Solar Ltd (KE001 participant)")
    id_pp = entity("ID", "PT Demo Cooling (ID001 participant)")
    return {
        "jp_gov": "JP-GOV-0001",
        "ke_gov": "KE-GOV-0001",
        "id_gov": "ID-GOV-0001",
        "jp_pp": jp_pp,
        "ke_pp": ke_pp,
        "id_pp": id_pp,
    }


@dataclass(frozen=True)
class World:
    app: App
    accounts: dict[str, str]
    walker: Walker
    ke: ProjectPlan

    def docs(self, subject: str, *kinds: DocumentKind) -> tuple[DocumentRef, ...]:
        return self.walker.docs(subject, *kinds)


def world(app: App) -> World:
    """Registries, accounts and the demo's cast, with the keys ``run_cycle`` uses."""
    accounts = registries(app)
    enrol(app.identity, app.cycle, demo_cast(accounts))
    return World(app, accounts, Walker(app.cycle, app.documents, quiet), plans(accounts)[0])


def proposal(plan: ProjectPlan, project_id: str | None = None) -> ProjectProposal:
    return ProjectProposal(
        project_id or plan.project_id,
        plan.title,
        plan.methodology,
        "1.0",
        plan.scope,
        plan.participants,
        plan.crediting,
    )


def start_ke001(w: World) -> cc.StartProject:
    return cc.StartProject(proposal(w.ke), cc.ActingAs(PP), PIN_ON, w.docs("KE001", K.PIN))


def project_steps(w: World) -> list[cc.ProjectStep]:
    """KE001's steps from the JC's no-objection to registration, dated as in the demo."""
    plan = w.ke
    shares = tuple(AllocationShare(a, Decimal(p)) for a, p in plan.shares)

    def step(action: str, by: str, on: date, *kinds: DocumentKind, **kw: Any) -> cc.ProjectStep:
        return cc.ProjectStep("KE001", action, cc.ActingAs(by), on, w.docs("KE001", *kinds), **kw)

    return [
        step("decide_no_objection", JC, PIN_ON + timedelta(days=30)),
        step(
            "submit_pdd",
            PP,
            PIN_ON + timedelta(days=60),
            K.PDD,
            K.MODALITIES_OF_COMMUNICATION,
            K.MONITORING_PLAN,
            parameters=cc.ExAnteParameters(plan.facts, plan.fixed),
        ),
        step("open_public_input", TPE, OPENED),
        step("start_validation", TPE, OPENED + timedelta(days=30)),
        step("validate", TPE, OPENED + timedelta(days=60), K.VALIDATION_REPORT),
        step(
            "request_registration",
            PP,
            OPENED + timedelta(days=70),
            K.REGISTRATION_REQUEST,
            K.CREDIT_ALLOCATION_FORM,
            shares=shares,
        ),
        step("accept_registration_request", SEC, OPENED + timedelta(days=75)),
        step("register", JC, OPENED + timedelta(days=100)),
    ]


def ke001_before(w: World, action: str) -> cc.ProjectStep:
    """Start KE001 and take its steps up to ``action``; return that step, not taken."""
    w.app.cycle.start_project(start_ke001(w))
    for step in project_steps(w):
        if step.action == action:
            return step
        w.app.cycle.project_step(step)
    raise AssertionError(f"KE001 has no step {action}")


def registered_ke001(w: World) -> None:
    w.app.cycle.start_project(start_ke001(w))
    for step in project_steps(w):
        w.app.cycle.project_step(step)


def report(
    w: World,
    start: date = date(2023, 1, 1),
    end: date = date(2023, 12, 31),
    values: tuple[tuple[str, tuple[str, str]], ...] = M1_VALUES,
    on: date | None = None,
) -> cc.SubmitMonitoringReport:
    return cc.SubmitMonitoringReport(
        "KE001",
        start,
        end,
        cc.ActingAs(PP),
        on or end + timedelta(days=20),
        values,
        w.docs(f"KE001 {start}", K.MONITORING_REPORT),
    )


def monitoring_steps(w: World, rid: str, reported: date) -> list[cc.MonitoringStep]:
    """A monitoring period's steps from verification to both issuances, as in the demo."""

    def step(action: str, by: str, days: int, *kinds: DocumentKind) -> cc.MonitoringStep:
        return cc.MonitoringStep(
            rid, action, cc.ActingAs(by), reported + timedelta(days=days), w.docs(rid, *kinds)
        )

    return [
        step("start_verification", TPE, 5),
        step("verify", TPE, 30, K.VERIFICATION_REPORT),
        step("request_issuance", PP, 35, K.ISSUANCE_REQUEST),
        step("accept_issuance_request", SEC, 40),
        step("decide", JC, 60),
        step("record_issuance", "rm-jp", 70),
        step("record_issuance", "rm-ke", 70),
    ]


def m001_before(w: World, action: str) -> cc.MonitoringStep:
    """Register KE001, report 2023 and take its steps up to ``action``; return that step."""
    registered_ke001(w)
    w.app.cycle.submit_report(report(w))
    for step in monitoring_steps(w, M1, M1_REPORTED):
        if step.action == action:
            return step
        w.app.cycle.monitoring_step(step)
    raise AssertionError(f"{M1} has no step {action}")


def held(app: App, project: str) -> dict[tuple[str, str, int], int]:
    """Units of one project by (registry, account, monitoring period number)."""
    found: dict[tuple[str, str, int], int] = {}
    for row in app.registry.holdings():
        if row.project == project:
            key = (row.registry, row.account, row.period_seq)
            found[key] = found.get(key, 0) + row.quantity
    return found


def verify_log(app: App) -> dict[str, Any]:
    verifiers: dict[str, Verifier] = dict(app.log_verifiers())
    result: dict[str, Any] = to_json_object(app.log.verify(verifiers))
    return result


# -- the whole walk ----------------------------------------------------------------------------


def test_both_demo_projects_walk_from_pin_to_credits_in_both_registries(app: App) -> None:
    accounts = registries(app)
    assert (accounts["jp_pp"], accounts["ke_pp"], accounts["id_pp"]) == (
        "JP-ENT-0004",
        "KE-ENT-0004",
        "ID-ENT-0004",
    )
    issued = run_cycle(app.cycle, app.documents, accounts, quiet, identity=app.identity)

    assert [(i["monitoring_period"], i["state"]) for i in issued] == [
        ("KE001-M001", "issued"),
        ("KE001-M002", "issued"),
        ("ID001-M001", "issued"),
    ]
    assert {p.project: p.state for p in app.cycle.projects()} == {
        "ID001": "registered",
        "KE001": "registered",
    }
    ke001 = doc(app.cycle.project("KE001"))
    assert [(m["monitoring_period"], m["state"]) for m in ke001["monitoring_periods"]] == [
        ("KE001-M001", "issued"),
        ("KE001-M002", "issued"),
    ]
    assert [m["issued_sides"] for m in ke001["monitoring_periods"]] == [["japan", "partner"]] * 2

    # KE001-M001: 1648.3 MWh → 878 tCO2 split 50/40/10: 439, 351.2 → 351, 87.8 → 87; the
    # floors sum to 877 and the remainder 1 goes to the first holder: 440 / 351 / 87.
    # KE001-M002: 1702.15 MWh → 907 tCO2: 453.5 → 453, 362.8 → 362, 90.7 → 90; the
    # remainder 2 goes to the first holder: 455 / 362 / 90.
    assert held(app, "KE001") == {
        ("JP", "JP-GOV-0001", 1): 440,
        ("KE", "KE-ENT-0004", 1): 351,
        ("KE", "KE-GOV-0001", 1): 87,
        ("JP", "JP-GOV-0001", 2): 455,
        ("KE", "KE-ENT-0004", 2): 362,
        ("KE", "KE-GOV-0001", 2): 90,
    }
    # ID001-M001: 242 tCO2 split 50/33.3/16.7: 121, 80.586 → 80, 40.414 → 40; remainder 1
    # to the first holder: 122 / 80 / 40.
    assert held(app, "ID001") == {
        ("JP", "JP-GOV-0001", 1): 122,
        ("ID", "ID-ENT-0004", 1): 80,
        ("ID", "ID-GOV-0001", 1): 40,
    }

    decisions = {d.decision: d for d in app.registry.decisions()}
    assert len(decisions) == 3
    for rid, amount in (("KE001-M001", 878), ("KE001-M002", 907), ("ID001-M001", 242)):
        period = doc(app.cycle.monitoring(rid))
        assert period["state"] == "issued"
        assert period["calculation"]["emission_reductions"] == amount
        assert period["verified_amount"] == amount
        assert period["decision"]["amount"] == amount
        decision = decisions[period["decision_id"]]
        assert decision.project == rid[:5]
        assert (decision.period_start.isoformat(), decision.period_end.isoformat()) == (
            period["period"]["start"],
            period["period"]["end"],
        )
        assert decision.amount == period["decision"]["amount"]
        assert decision.vintage == period["decision"]["vintage"] == decision.period_end.year
        assert decision.reference == rid  # the JC gave none: the period id stands in
        assert decision.status == "issued"
        assert [(x.account, x.quantity) for x in decision.lines] == [
            (x["account"], x["quantity"]) for x in period["lines"]
        ]

    verdict = verify_log(app)
    assert verdict["ok"], verdict["problem"]
    assert verdict["problem"] is None
    assert verdict["entries"] == log_size(app.log)
    assert app.registry.audit().ok


def test_running_the_walk_again_with_the_same_keys_changes_nothing(app: App) -> None:
    accounts = registries(app)
    first = run_cycle(app.cycle, app.documents, accounts, quiet, identity=app.identity)
    before = snapshot(app)
    assert before["log_size"] > 60

    again = run_cycle(app.cycle, app.documents, registries(app), quiet, identity=app.identity)

    assert again == first
    assert snapshot(app) == before
    assert verify_log(app)["ok"]


def test_a_key_reused_for_another_command_is_refused_and_a_refused_key_can_be_reused(
    app: App,
) -> None:
    w = world(app)
    w.app.cycle.start_project(start_ke001(w), key="t:start")
    no_objection = project_steps(w)[0]
    too_late = replace(no_objection, on=date(2026, 4, 2))
    refused(app, lambda: app.cycle.project_step(too_late, key="t:no-objection"), "P3_FUTURE_STEP")
    # Nothing was stored with the refused key: the corrected command may use it.
    first = app.cycle.project_step(no_objection, key="t:no-objection")
    assert first.state == "no_objection"
    again = app.cycle.project_step(no_objection, key="t:no-objection")
    assert again == dataclasses.replace(first, replayed=True)
    assert no_objection.on is not None
    other = replace(no_objection, on=no_objection.on + timedelta(days=1))
    refused(
        app,
        lambda: app.cycle.project_step(other, key="t:no-objection"),
        "G2_IDEMPOTENCY_KEY_REUSED",
    )


# -- refusals that change nothing ----------------------------------------------------------------


def test_a_tpe_cannot_submit_the_pdd(app: App) -> None:
    w = world(app)
    pdd = ke001_before(w, "submit_pdd")
    error = refused(
        app, lambda: app.cycle.project_step(replace(pdd, by=cc.ActingAs(TPE))), "P1_WRONG_ROLE"
    )
    assert error.details["allowed_roles"] == ["project_participant"]
    assert doc(app.cycle.project("KE001"))["state"] == "no_objection"


def test_a_participant_of_another_project_cannot_act_for_this_one(app: App) -> None:
    w = world(app)
    pdd = ke001_before(w, "submit_pdd")
    error = refused(
        app,
        lambda: app.cycle.project_step(replace(pdd, by=cc.ActingAs("demo-jp-cooling"))),
        "P1_NOT_A_PARTICIPANT",
    )
    assert error.details["participants"] == ["demo-jp-solar", "demo-ke-factory"]
    # The partner-side participant of the project may submit it.
    assert (
        app.cycle.project_step(replace(pdd, by=cc.ActingAs("demo-ke-factory"))).state
        == "pdd_submitted"
    )


def test_a_tpe_not_designated_for_the_projects_scope_cannot_open_public_input(app: App) -> None:
    w = world(app)
    enrol(
        app.identity,
        app.cycle,
        [
            cc.RegisterActor(
                "scope-two-tpe",
                Role.TPE,
                "Energy-distribution verifier",
                designations=designations(
                    "KE", (2, 3), TpeFunction.VALIDATION, TpeFunction.VERIFICATION
                ),
            )
        ],
        None,
    )
    opening = ke001_before(w, "open_public_input")
    error = refused(
        app,
        lambda: app.cycle.project_step(replace(opening, by=cc.ActingAs("scope-two-tpe"))),
        "P1_TPE_NOT_DESIGNATED",
    )
    assert (error.details["partner"], error.details["scope"], error.details["function"]) == (
        "KE",
        1,
        "validation",
    )


def test_an_unregistered_organisation_cannot_take_a_step(app: App) -> None:
    w = world(app)
    refused(
        app,
        lambda: app.cycle.start_project(replace(start_ke001(w), by=cc.ActingAs("nobody"))),
        "P1_UNKNOWN_ACTOR",
    )
    assert app.cycle.projects() == []
    pdd = ke001_before(w, "submit_pdd")
    error = refused(
        app,
        lambda: app.cycle.project_step(replace(pdd, by=cc.ActingAs(PP, Role.TPE))),
        "P1_UNKNOWN_ACTOR",
    )
    assert error.details["role"] == "tpe"


def test_a_pdd_without_its_monitoring_plan_is_refused_naming_what_is_missing(app: App) -> None:
    w = world(app)
    pdd = ke001_before(w, "submit_pdd")
    without_plan = replace(pdd, documents=w.docs("KE001", K.PDD, K.MODALITIES_OF_COMMUNICATION))
    error = refused(app, lambda: app.cycle.project_step(without_plan), "P2_MISSING_DOCUMENT")
    assert error.details["missing"] == ["monitoring_plan"]
    assert "monitoring_plan" in error.message


def test_validation_cannot_start_before_the_30_day_public_input_window_closes(app: App) -> None:
    w = world(app)
    validation = ke001_before(w, "start_validation")
    day_29 = replace(validation, on=OPENED + timedelta(days=29))
    error = refused(app, lambda: app.cycle.project_step(day_29), "P3_TOO_EARLY")
    assert (error.details["opened"], error.details["closes_on"], error.details["days"]) == (
        "2022-08-05",
        "2022-09-04",
        30,
    )
    assert doc(app.cycle.project("KE001"))["state"] == "public_input"
    assert app.cycle.project_step(validation).state == "under_validation"  # on day 30


def test_a_step_dated_after_today_is_refused(app: App) -> None:
    w = world(app)
    no_objection = ke001_before(w, "decide_no_objection")
    tomorrow = replace(no_objection, on=date(2026, 4, 2))
    error = refused(app, lambda: app.cycle.project_step(tomorrow), "P3_FUTURE_STEP")
    assert error.details["today"] == "2026-04-01"
    today = replace(no_objection, on=date(2026, 4, 1))
    assert app.cycle.project_step(today).state == "no_objection"


def test_a_pdd_whose_facts_fail_the_eligibility_checklist_is_refused(app: App) -> None:
    w = world(app)
    pdd = ke001_before(w, "submit_pdd")
    facts = tuple(
        (name, False if name == "pv_modules_iec_certified" else value) for name, value in w.ke.facts
    )
    uncertified = replace(pdd, parameters=cc.ExAnteParameters(facts, w.ke.fixed))
    error = refused(app, lambda: app.cycle.project_step(uncertified), "P8_NOT_ELIGIBLE")
    assert error.details["failed"] == ["C3"]
    assert "KE_AM002" in error.message


def test_an_allocation_share_to_an_unknown_account_is_refused_at_registration_request(
    app: App,
) -> None:
    w = world(app)
    request = ke001_before(w, "request_registration")
    unknown = replace(
        request,
        shares=(
            AllocationShare("JP-GOV-0001", Decimal(50)),
            AllocationShare("KE-ENT-0099", Decimal(50)),
        ),
    )
    error = refused(app, lambda: app.cycle.project_step(unknown), "G4_UNKNOWN_ACCOUNT")
    assert error.details["account"] == "KE-ENT-0099"
    assert doc(app.cycle.project("KE001"))["shares"] == []


def test_an_overlapping_monitoring_period_is_refused(app: App) -> None:
    w = world(app)
    registered_ke001(w)
    app.cycle.submit_report(report(w))
    overlapping = report(w, date(2023, 7, 1), date(2024, 6, 30))
    error = refused(app, lambda: app.cycle.submit_report(overlapping), "P5_OVERLAPPING_PERIOD")
    assert error.details["conflicting"] == M1
    assert [
        m["monitoring_period"] for m in doc(app.cycle.project("KE001"))["monitoring_periods"]
    ] == [M1]


def test_a_monitoring_period_that_has_not_ended_is_refused(app: App) -> None:
    w = world(app)
    registered_ke001(w)
    ongoing = report(w, date(2026, 1, 1), date(2026, 6, 30), on=date(2026, 4, 1))
    error = refused(app, lambda: app.cycle.submit_report(ongoing), "P6_FUTURE_PERIOD")
    assert "2026-07-01" in error.message


def test_monitored_values_out_of_range_in_a_wrong_unit_or_missing_are_refused(app: App) -> None:
    w = world(app)
    registered_ke001(w)
    for values, code in (
        ((("EG_p", ("-5", "MWh")),), "M2_OUT_OF_RANGE"),
        ((("EG_p", ("1648300", "kg")),), "M3_WRONG_UNIT"),
        ((), "M4_MISSING_PARAMETER"),
    ):
        error = refused(app, partial(app.cycle.submit_report, report(w, values=values)), code)
        assert "EG_p" in error.message
    assert doc(app.cycle.project("KE001"))["monitoring_periods"] == []
    # The corrected report is then accepted as the first period.
    assert app.cycle.submit_report(report(w)).monitoring_period == M1


def test_a_tpe_cannot_verify_more_than_the_report_calculates(app: App) -> None:
    w = world(app)
    verify = m001_before(w, "verify")
    error = refused(
        app,
        lambda: app.cycle.monitoring_step(replace(verify, verified_amount=879)),
        "P7_ABOVE_CALCULATED",
    )
    assert (error.details["amount"], error.details["calculated"]) == (879, 878)
    assert doc(app.cycle.monitoring(M1))["state"] == "under_verification"
    assert app.cycle.monitoring_step(replace(verify, verified_amount=800)).verified_amount == 800


def test_the_jc_cannot_decide_more_than_was_verified(app: App) -> None:
    w = world(app)
    decide = m001_before(w, "decide")
    error = refused(
        app, lambda: app.cycle.monitoring_step(replace(decide, amount=879)), "P7_ABOVE_VERIFIED"
    )
    assert (error.details["amount"], error.details["verified"]) == (879, 878)
    assert doc(app.cycle.monitoring(M1))["state"] == "under_jc_consideration"
    assert app.registry.decisions() == []


def test_a_registry_manager_cannot_record_its_sides_issuance_twice(app: App) -> None:
    w = world(app)
    japan = m001_before(w, "record_issuance")
    first = app.cycle.monitoring_step(japan)
    assert first.issuance is not None
    assert (first.state, first.registry, first.issuance.quantity) == (
        "partially_issued",
        "JP",
        440,
    )
    error = refused(app, lambda: app.cycle.monitoring_step(japan), "P7_ALREADY_ISSUED")
    assert error.details["registry"] == "JP"
    assert held(app, "KE001") == {("JP", "JP-GOV-0001", 1): 440}


# -- the JC decision and the registry ---------------------------------------------------------


def test_a_decision_the_registry_refuses_for_a_blocked_account_is_not_recorded_by_the_jc(
    app: App,
) -> None:
    w = world(app)
    decide = m001_before(w, "decide")
    app.registry.set_account_status(
        c.SetAccountStatus("KE-ENT-0004", AccountStatus.BLOCKED, "court order")
    )
    refused(app, lambda: app.cycle.monitoring_step(decide), "G4_ACCOUNT_NOT_OPEN")
    period = doc(app.cycle.monitoring(M1))
    assert (period["state"], period["decision"], period["decision_id"]) == (
        "under_jc_consideration",
        None,
        None,
    )
    assert app.registry.decisions("KE001") == []

    app.registry.set_account_status(c.SetAccountStatus("KE-ENT-0004", AccountStatus.OPEN))
    decided = app.cycle.monitoring_step(decide)
    assert decided.state == "decided"
    assert [d.decision for d in app.registry.decisions("KE001")] == [decided.decision]
    assert doc(app.cycle.monitoring(M1))["decision_id"] == decided.decision
    assert verify_log(app)["ok"]


def test_a_decision_overlapping_one_recorded_directly_in_the_registry_is_refused(
    app: App,
) -> None:
    w = world(app)
    decide = m001_before(w, "decide")
    direct = app.registry.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 12, 1),
            date(2024, 1, 31),
            2024,
            10,
            (AllocationShare("JP-GOV-0001", Decimal(100)),),
        )
    )
    error = refused(app, lambda: app.cycle.monitoring_step(decide), "I3_OVERLAPPING_PERIOD")
    assert error.details["conflicting_decision"] == direct.decision
    period = doc(app.cycle.monitoring(M1))
    assert (period["state"], period["decision_id"]) == ("under_jc_consideration", None)
    assert [d.decision for d in app.registry.decisions("KE001")] == [direct.decision]


def test_an_issuance_the_registry_refuses_leaves_the_period_partially_issued(app: App) -> None:
    w = world(app)
    japan = m001_before(w, "record_issuance")
    assert app.cycle.monitoring_step(japan).state == "partially_issued"
    app.registry.set_account_status(
        c.SetAccountStatus("KE-ENT-0004", AccountStatus.BLOCKED, "court order")
    )
    kenya = monitoring_steps(w, M1, M1_REPORTED)[-1]
    refused(app, lambda: app.cycle.monitoring_step(kenya), "G4_ACCOUNT_NOT_OPEN")
    period = doc(app.cycle.monitoring(M1))
    assert (period["state"], period["issued_sides"]) == ("partially_issued", ["japan"])
    assert app.registry.decisions("KE001")[0].status == "partially_issued"

    app.registry.set_account_status(c.SetAccountStatus("KE-ENT-0004", AccountStatus.OPEN))
    assert app.cycle.monitoring_step(kenya).state == "issued"
    assert app.registry.decisions("KE001")[0].status == "issued"
    assert verify_log(app)["ok"]


# -- methodologies ----------------------------------------------------------------------------


def test_a_methodology_is_proposed_approved_after_public_input_and_revised(app: App) -> None:
    w = world(app)
    cycle = app.cycle
    jc, sec, tpe = cc.ActingAs(JC), cc.ActingAs(SEC), cc.ActingAs(TPE)

    def step(
        mid: str, version: str, action: str, by: cc.ActingAs, on: date, **kw: Any
    ) -> MethodologyChanged:
        return cycle.methodology_step(cc.MethodologyStep(mid, version, action, by, on, **kw))

    def states() -> list[tuple[str, str, str | None, str]]:
        return sorted(
            (m.methodology, m.version, m.proposal_id, m.state) for m in cycle.methodologies()
        )

    proposed = cycle.propose_methodology(
        cc.ProposeMethodology(
            "KE_PM001",
            "Solar PV with storage at commercial buildings",
            1,
            tpe,
            date(2025, 1, 10),
            w.docs("KE_PM001", K.PROPOSED_METHODOLOGY, K.METHODOLOGY_SPREADSHEET),
        )
    )
    assert proposed.state == "proposed"
    assert states() == [("KE_PM001", "1.0", "KE_PM001", "proposed")]
    opened = date(2025, 1, 15)
    step("KE_PM001", "1.0", "open_public_input", sec, opened)
    error = refused(
        app,
        lambda: step("KE_PM001", "1.0", "close_public_input", sec, opened + timedelta(days=14)),
        "P3_TOO_EARLY",
    )
    assert (error.details["closes_on"], error.details["days"]) == ("2025-01-30", 15)
    assert states() == [("KE_PM001", "1.0", "KE_PM001", "open_for_public_input")]
    step("KE_PM001", "1.0", "close_public_input", sec, opened + timedelta(days=15))
    approved = step("KE_PM001", "1.0", "approve", jc, date(2025, 3, 1), approved_id="KE_AM101")
    assert (approved.methodology, approved.state) == ("KE_AM101", "valid")
    assert states() == [("KE_AM101", "1.0", "KE_PM001", "valid")]

    revision = cycle.revise_methodology(
        cc.ReviseMethodology(
            "KE_AM101",
            "1.0",
            jc,
            date(2025, 6, 1),
            w.docs("KE_AM101 2.0", K.METHODOLOGY_REVISION_REQUEST, K.METHODOLOGY_SPREADSHEET),
        )
    )
    assert (revision.methodology, revision.version, revision.state) == (
        "KE_AM101",
        "2.0",
        "proposed",
    )
    assert states() == [
        ("KE_AM101", "1.0", "KE_PM001", "valid"),
        ("KE_AM101", "2.0", None, "proposed"),
    ]
    step("KE_AM101", "2.0", "open_public_input", sec, date(2025, 6, 5))
    step("KE_AM101", "2.0", "close_public_input", sec, date(2025, 6, 20))
    step("KE_AM101", "2.0", "approve", jc, date(2025, 7, 1))
    step("KE_AM101", "1.0", "supersede", jc, date(2025, 7, 1))
    assert states() == [
        ("KE_AM101", "1.0", "KE_PM001", "superseded"),
        ("KE_AM101", "2.0", None, "valid"),
    ]

    # A project may apply the valid version only.
    superseded = replace(
        proposal(w.ke, "KE002"), methodology_id="KE_AM101", methodology_version="1.0"
    )
    start = cc.StartProject(superseded, cc.ActingAs(PP), date(2025, 8, 1), w.docs("KE002", K.PIN))
    refused(app, lambda: cycle.start_project(start), "P8_UNKNOWN_METHODOLOGY")
    valid = replace(start, proposal=replace(superseded, methodology_version="2.0"))
    assert cycle.start_project(valid).methodology == "KE_AM101 v2.0"
    assert verify_log(app)["ok"]


def test_a_project_on_a_methodology_without_code_here_is_credited_what_its_report_states(
    app: App,
) -> None:
    w = world(app)
    cycle = app.cycle
    jc, sec, tpe = cc.ActingAs(JC), cc.ActingAs(SEC), cc.ActingAs(TPE)
    cycle.propose_methodology(
        cc.ProposeMethodology(
            "KE_PM002",
            "Efficient motors",
            3,
            tpe,
            date(2022, 1, 10),
            w.docs("KE_PM002", K.PROPOSED_METHODOLOGY, K.METHODOLOGY_SPREADSHEET),
        )
    )
    for action, on, approved in (
        ("open_public_input", date(2022, 1, 15), None),
        ("close_public_input", date(2022, 1, 30), None),
        ("approve", date(2022, 3, 1), "KE_AM102"),
    ):
        cycle.methodology_step(
            cc.MethodologyStep(
                "KE_PM002",
                "1.0",
                action,
                jc if action == "approve" else sec,
                on,
                approved_id=approved,
            )
        )
    # KE001's walk, on the new methodology (scope 3, where the demo TPE is designated too).
    plan = replace(w.ke, methodology="KE_AM102", scope=3)
    start = cc.StartProject(
        replace(proposal(plan), methodology_id="KE_AM102", sectoral_scope=3),
        cc.ActingAs(PP),
        PIN_ON,
        w.docs("KE001", K.PIN),
    )
    cycle.start_project(start)
    for step in project_steps(w):
        cycle.project_step(replace(step, parameters=None))
    assert doc(cycle.project("KE001"))["state"] == "registered"

    no_figure = report(w)
    error = refused(app, lambda: cycle.submit_report(no_figure), "P8_MISSING_PAYLOAD")
    assert "KE_AM102 v1.0 of project KE001 has no executable version" in error.message
    submitted = cycle.submit_report(replace(no_figure, reported_reductions=120))
    assert submitted.calculation.computed is False
    assert submitted.calculation.emission_reductions == 120
    period = doc(cycle.monitoring("KE001-M001", with_record=True))
    assert period["calculation"]["record"]["note"].startswith("as reported by the project")

    reported = date(2024, 1, 20)
    for period_step in monitoring_steps(w, "KE001-M001", reported):
        cycle.monitoring_step(period_step)
    assert doc(cycle.monitoring("KE001-M001"))["verified_amount"] == 120
    assert sum(held(app, "KE001").values()) == 120
    assert verify_log(app)["ok"]


def test_reported_reductions_must_match_what_an_executable_methodology_calculates(
    app: App,
) -> None:
    w = world(app)
    registered_ke001(w)

    error = refused(
        app,
        lambda: app.cycle.submit_report(replace(report(w), reported_reductions=900)),
        "P7_REPORTED_DIFFERS",
    )

    assert (error.details["reported"], error.details["calculated"]) == (900, 878)
    matching = app.cycle.submit_report(replace(report(w), reported_reductions=878))
    assert matching.calculation.computed is True


# -- tamper detection -------------------------------------------------------------------------


def test_hand_edits_of_the_cycle_tables_are_caught_by_log_verification(app: App) -> None:
    run_cycle(app.cycle, app.documents, registries(app), quiet, identity=app.identity)
    assert verify_log(app)["ok"]
    aggregates = schema.cycle_aggregates
    row = (aggregates.c.kind == "monitoring_period") & (aggregates.c.key == M1)
    with app.engine.begin() as conn:
        body = conn.execute(select(aggregates.c.body).where(row)).scalar_one()
        conn.execute(update(aggregates).where(row).values(body={**body, "verified_amount": 1000}))

    verdict = verify_log(app)
    assert verdict["ok"] is False
    problem = verdict["problem"]
    assert (problem["entity"], problem["field"]) == (f"monitoring_period {M1}", "verified_amount")
    assert (problem["expected"], problem["found"]) == (878, 1000)
    assert problem["index"] is not None

    with app.engine.begin() as conn:
        conn.execute(update(aggregates).where(row).values(body=body))
    assert verify_log(app)["ok"]

    calculations = schema.calculation_records
    with app.engine.begin() as conn:
        conn.execute(delete(calculations).where(calculations.c.monitoring_id == "KE001-M002"))
    problem = verify_log(app)["problem"]
    assert (problem["entity"], problem["field"]) == ("calculation KE001-M002", "existence")
    assert (problem["expected"], problem["found"]) == ("present", "absent")


@pytest.mark.parametrize(
    ("kind", "key", "edit", "field"),
    [
        ("project", "KE001", lambda b: {**b, "validator": "someone-else"}, "validator"),
        ("monitoring_period", M1, lambda b: {**b, "verifier": "someone-else"}, "verifier"),
        (
            "monitoring_period",
            M1,
            lambda b: {**b, "lines": [{**b["lines"][0], "quantity": 1}, *b["lines"][1:]]},
            "lines",
        ),
        (
            "monitoring_period",
            M1,
            lambda b: {**b, "decision": {**b["decision"], "vintage": 2024}},
            "decision",
        ),
    ],
)
def test_hand_edits_of_who_acted_and_what_the_jc_decided_are_caught(
    app: App, kind: str, key: str, edit: Callable[[dict[str, Any]], dict[str, Any]], field: str
) -> None:
    run_cycle(app.cycle, app.documents, registries(app), quiet, identity=app.identity)
    aggregates = schema.cycle_aggregates
    row = (aggregates.c.kind == kind) & (aggregates.c.key == key)
    with app.engine.begin() as conn:
        body = conn.execute(select(aggregates.c.body).where(row)).scalar_one()
        conn.execute(update(aggregates).where(row).values(body=edit(body)))

    problem = verify_log(app)["problem"]

    assert (problem["entity"], problem["field"]) == (f"{kind} {key}", field)


def test_relinking_a_period_to_another_registry_decision_is_caught(app: App) -> None:
    run_cycle(app.cycle, app.documents, registries(app), quiet, identity=app.identity)
    aggregates = schema.cycle_aggregates
    row = (aggregates.c.kind == "monitoring_period") & (aggregates.c.key == M1)
    with app.engine.begin() as conn:
        conn.execute(update(aggregates).where(row).values(decision_id=2))

    problem = verify_log(app)["problem"]

    assert (problem["entity"], problem["field"]) == (f"monitoring_period {M1}", "registry_decision")
    assert (problem["expected"], problem["found"]) == (1, 2)


def test_an_edited_calculation_record_no_longer_matches_its_logged_digest(app: App) -> None:
    run_cycle(app.cycle, app.documents, registries(app), quiet, identity=app.identity)
    records = schema.calculation_records
    row = records.c.monitoring_id == M1
    with app.engine.begin() as conn:
        text = conn.execute(select(records.c.record).where(row)).scalar_one()
        assert "1648" in text  # EG_p of 1,648,300 kWh
        conn.execute(update(records).where(row).values(record=text.replace("1648", "1748")))

    problem = verify_log(app)["problem"]

    assert (problem["entity"], problem["field"]) == (f"calculation {M1}", "record sha256")


def forge_register(app: App, w: World, by: str) -> None:
    """Write KE001's registration as if ``by`` had taken it, bypassing the service's checks
    (an insider writing through the storage code): the store and the log agree."""
    step = ke001_before(w, "register")
    with app.unit_of_work() as uow:
        project = uow.cycle.get_project("KE001", lock=True)
        assert project is not None
        jc = uow.cycle.actors_of(JC)[0][0]
        forger = uow.cycle.actors_of(by)[0][0]
        assert step.on is not None
        new, event = advance_project(project, ProjectAction.REGISTER, jc, step.on)
        change = event["change"]
        assert isinstance(change, dict)
        forged_history = replace(
            new.history[-1], organisation_id=by, role=forger.role, side=forger.side
        )
        uow.cycle.put_project(
            replace(new, history=(*new.history[:-1], forged_history)), uow.now, new=False
        )
        uow.ledger.add_event(
            "project.register",
            None,
            {
                **change,
                "actor": {
                    "organisation": by,
                    "role": forger.role.value,
                    "side": forger.side.value if forger.side else None,
                    "partner": forger.partner,
                },
            },
            uow.now,
        )
        uow.commit()


def test_a_logged_step_the_rules_refuse_fails_verification_even_if_the_store_agrees(
    app: App,
) -> None:
    w = world(app)
    forge_register(app, w, "rm-jp")  # a registry manager "registers" a project

    verdict = verify_log(app)

    assert verdict["ok"] is False
    problem = verdict["problem"]
    assert "project.register is refused by the rules on replay: [P1_WRONG_ROLE]" in str(
        problem["found"]
    )
    assert problem["index"] == verdict["entries"] - 1


# -- confidential documents -------------------------------------------------------------------


def test_a_confidential_pdd_is_read_by_those_engaged_and_refused_to_registry_managers(
    app: App,
) -> None:
    w = world(app)
    pdd = ke001_before(w, "submit_pdd")
    stored = app.documents.put_document(
        K.PDD,
        b"PDD of KE001, investment figures: [redacted]\n",
        media_type="text/plain",
        filename="KE001-pdd.txt",
        confidential=b"PDD of KE001, investment figures: KES 120,000,000\n",
    )
    assert stored.confidential is not None
    secret = stored.confidential.sha256
    others = w.docs("KE001", K.MODALITIES_OF_COMMUNICATION, K.MONITORING_PLAN)

    # The confidential version alone does not count as the PDD.
    confidential_only = replace(pdd, documents=(*others, stored.confidential.ref(K.PDD)))
    error = refused(app, lambda: app.cycle.project_step(confidential_only), "P2_MISSING_DOCUMENT")
    assert "Only a confidential version of pdd" in error.message

    app.cycle.project_step(replace(pdd, documents=(*others, *stored.refs())))
    on_file = {(d["kind"], d["visibility"]) for d in doc(app.cycle.project("KE001"))["documents"]}
    assert {("pdd", "public"), ("pdd", "confidential")} <= on_file

    def read(reader: str | None, role: Role | None = None) -> bytes:
        actor = app.cycle.resolve(cc.ActingAs(reader, role)) if reader else None
        return app.documents.read(secret, actor, "KE001")

    full = b"PDD of KE001, investment figures: KES 120,000,000\n"
    for reader in (PP, "demo-ke-factory", SEC, JC):
        assert read(reader) == full
    for outsider in ("rm-ke", "rm-jp", "demo-jp-cooling", "jc-sec-id", "jc-id", TPE, None):
        error = refusal(partial(read, outsider))
        assert error.code == "K4_NOT_VISIBLE", outsider
    # The TPE may read it once it is engaged as the project's validator.
    app.cycle.project_step(project_steps(w)[2])  # open_public_input by demo-tpe
    assert read(TPE) == full
    assert (
        app.documents.read(stored.public.sha256)
        == b"PDD of KE001, investment figures: [redacted]\n"
    )


def test_details_a_step_does_not_take_are_refused_not_dropped(app: App) -> None:
    w = world(app)
    step = ke001_before(w, "open_public_input")
    shares = (AllocationShare(w.accounts["ke_pp"], Decimal(100)),)

    error = refused(
        app, lambda: app.cycle.project_step(replace(step, shares=shares)), "P8_UNEXPECTED_PAYLOAD"
    )

    assert error.details["unused"] == ["allocation shares"]
    app.cycle.project_step(step)
    assert doc(app.cycle.project("KE001"))["state"] == "public_input"


def test_the_jc_designates_a_tpe_and_a_withdrawn_designation_stops_it_acting(app: App) -> None:
    w = world(app)
    enrol(app.identity, app.cycle, [cc.RegisterActor("tpe-new", Role.TPE, "New TPE")], None)
    step = ke001_before(w, "open_public_input")
    by_new_tpe = replace(step, by=cc.ActingAs("tpe-new"))
    refused(app, lambda: app.cycle.project_step(by_new_tpe), "P1_TPE_NOT_DESIGNATED")

    def designate(by: str, partner: str = "KE", withdraw: bool = False) -> TpeDesignated:
        return app.cycle.designate_tpe(
            cc.DesignateTpe(
                "tpe-new",
                partner,
                (1,),
                (TpeFunction.VALIDATION,),
                cc.ActingAs(by),
                date(2022, 8, 1),
                withdraw,
            )
        )

    refused(app, lambda: designate("jc-id"), "P1_WRONG_JC")
    refused(app, lambda: designate(SEC), "P1_WRONG_ROLE")
    granted = designate(JC)
    assert granted.actor["designations"] == [
        {"partner": "KE", "scope": 1, "function": "validation"}
    ]
    assert doc(granted.decision)["actor"]["organisation"] == JC
    app.cycle.project_step(by_new_tpe)  # now designated: it opens public input
    designate(JC, withdraw=True)

    start = replace(project_steps(w)[3], by=cc.ActingAs("tpe-new"))
    refused(app, lambda: app.cycle.project_step(start), "P1_TPE_NOT_DESIGNATED")
    assert verify_log(app)["ok"]
