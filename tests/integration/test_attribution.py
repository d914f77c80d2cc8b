"""Who took each step: log entries record the principal a unit of work acts for, and
`jcm log verify` replays with it (SQLite and PostgreSQL).

An entry made through ``app.acting(principal)`` carries ``actor`` (organisation, channel,
user, token) in its hashed form; a step attributed to an organisation that may not take it
fails verification even when an insider wrote the store and the log consistently; the CLI
logs its steps as the operator's, on the organisation's behalf.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from aef_support import register_authorisation
from sqlalchemy import create_engine, select, text, update
from test_project_cycle import (
    JC,
    PP,
    ke001_before,
    quiet,
    refused,
    registries,
    verify_log,
    world,
)
from typer.testing import CliRunner

from jcm.adapters import schema
from jcm.bootstrap import App
from jcm.domain.cycle import ProjectAction, Role, Side, advance_project
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Actor
from jcm.domain.identity.principal import (
    OPERATOR,
    Channel,
    Principal,
    operator_for,
)
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.entrypoints.cli import cli
from jcm.entrypoints.console import StepByStepCycle
from jcm.entrypoints.demo_cycle import run_cycle
from jcm.service_layer.cycle import handlers as cycle_handlers
from jcm.service_layer.registry import handlers as registry_handlers


def api(organisation: str, user: str = "alice", token: str | None = None) -> Principal:
    return Principal(organisation, user, Channel.API, token_id=token)


def entries(app: App) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        rows = conn.execute(select(schema.events.c.entry).order_by(schema.events.c.log_index))
        return [json.loads(entry) for (entry,) in rows]


def holder_world(app: App) -> dict[str, str]:
    """JP and KE set up by the operator; KE's participant holds 500 units."""
    r = app.acting(OPERATOR).registry
    r.create_registry(c.CreateRegistry("JP"))
    r.create_registry(c.CreateRegistry("KE"))
    org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    other = r.create_organisation(c.CreateOrganisation("KE", "Other Ltd")).organisation
    ke = r.open_account(c.OpenAccount("KE", org, AccountType.ENTITY_HOLDING, "Solar")).account
    decision = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 1, 1),
            date(2023, 12, 31),
            2023,
            1000,
            (AllocationShare("JP-GOV-0001", Decimal(50)), AllocationShare(ke, Decimal(50))),
        )
    ).decision
    r.issue(c.Issue(decision, "KE"))
    return {"holder": org, "other": other, "account": ke}


def test_an_entry_made_for_a_principal_records_it_and_verifies(app: App) -> None:
    w = holder_world(app)
    acting = app.acting(api(w["holder"], "alice", "tok_1"))
    with acting.unit_of_work(read_only=True) as uow:
        assert uow.principal == api(w["holder"], "alice", "tok_1")

    acting.registry.transfer(c.Move(w["account"], "KE-GOV-0001", quantity=40))

    logged = entries(app)
    assert logged[-1]["actor"] == {
        "organisation": w["holder"],
        "via": "api",
        "user": "alice",
        "token": "tok_1",
    }
    assert logged[-1]["schema"] == 2
    assert logged[0]["actor"] == {"via": "operator"}  # the operator's own set-up
    with app.engine.connect() as conn:
        stored = conn.execute(
            select(schema.events.c.entry).order_by(schema.events.c.log_index.desc())
        ).first()
    assert stored is not None
    assert stored.entry.encode() == rfc8785.dumps(logged[-1])
    assert verify_log(app)["ok"] is True


def test_an_unattributed_entry_keeps_its_old_form_and_still_verifies(app: App) -> None:
    app.registry.create_registry(c.CreateRegistry("JP"))  # no principal: server code, tests

    (entry,) = entries(app)

    assert set(entry) == {"type", "schema", "timestamp", "change"}
    assert entry["schema"] == 1
    assert verify_log(app)["ok"] is True


def test_tampering_the_actor_of_a_stored_entry_breaks_the_hash_chain(app: App) -> None:
    w = holder_world(app)
    app.acting(api(w["holder"])).registry.transfer(c.Move(w["account"], "KE-GOV-0001", quantity=1))
    last = len(entries(app)) - 1
    with app.engine.begin() as conn:
        entry = conn.execute(
            select(schema.events.c.entry).where(schema.events.c.log_index == last)
        ).scalar_one()
        forged = entry.replace('"user":"alice"', '"user":"bob"')
        assert forged != entry
        conn.execute(
            update(schema.events).where(schema.events.c.log_index == last).values(entry=forged)
        )

    problem = verify_log(app)["problem"]

    assert (problem["index"], problem["field"]) == (last, "leaf hash")


def test_a_move_through_the_api_from_an_account_not_the_callers_is_refused_and_changes_nothing(
    app: App,
) -> None:
    w = holder_world(app)
    intruder = app.acting(api(w["other"])).registry

    refused(
        app,
        lambda: intruder.transfer(c.Move(w["account"], "KE-GOV-0001", quantity=1)),
        "K4_NOT_VISIBLE",
    )


MOVES: dict[TransactionKind, dict[str, Any]] = {
    TransactionKind.TRANSFER: {"destination": "KE-GOV-0001"},
    TransactionKind.EXTERNAL_TRANSFER: {"destination": "JP-GOV-0001"},
    TransactionKind.CANCELLATION: {"purpose": CancellationPurpose.VOLUNTARY},
    TransactionKind.RETIREMENT: {},
}


@pytest.mark.parametrize("kind", list(MOVES))
def test_a_move_attributed_through_the_api_to_a_non_holder_fails_verification(
    app: App, kind: TransactionKind
) -> None:
    w = holder_world(app)
    # An insider writes the move through the storage code, attributed to another
    # organisation: the store and the log agree.
    with app.unit_of_work() as uow:
        uow.ledger.log.actor = api(w["other"], "mallory").attribution()
        cmd = c.Move(w["account"], quantity=5, **MOVES[kind])
        registry_handlers.move_one(uow, cmd, kind)
        uow.commit()

    verdict = verify_log(app)

    assert verdict["ok"] is False
    problem = verdict["problem"]
    assert (problem["index"], problem["field"]) == (verdict["entries"] - 1, "actor")
    assert problem["entity"].endswith(f"({kind.value} from {w['account']})")
    assert problem["expected"] == (
        f"the holder of {w['account']} ({w['holder']}) or an administrator of registry KE"
    )
    assert problem["found"] == {"organisation": w["other"], "via": "api", "user": "mallory"}
    assert (problem["table"], problem["column"]) == ("events", "entry")


def test_an_authorisation_through_the_api_needs_the_registry_administrators_role(
    app: App,
) -> None:
    w = holder_world(app)
    register_authorisation(app, "KE", "LoA-1")
    authorise = c.Authorise(w["account"], frozenset({AuthorisedUse.NDC}), "LoA-1", quantity=5)
    holder = app.acting(api(w["holder"])).registry

    refused(app, lambda: holder.authorise(authorise), "K2_FORBIDDEN")
    with app.unit_of_work() as uow:  # an insider logs it anyway, as the holder's
        uow.ledger.log.actor = api(w["holder"]).attribution()
        registry_handlers.authorise(uow, authorise)
        uow.commit()

    problem = verify_log(app)["problem"]
    assert (problem["field"], problem["expected"]) == (
        "actor",
        "an organisation holding registry_admin",
    )
    assert problem["entity"].endswith(f"(authorisation from {w['account']})")


def test_a_registry_administrator_may_move_units_of_its_registry_and_it_verifies(
    app: App,
) -> None:
    w = holder_world(app)
    app.identity.register_actor(
        cc.RegisterActor("ke-admin", Role.REGISTRY_ADMIN, "Kenya registry admin", partner="KE"),
        OPERATOR,
    )

    app.acting(api("ke-admin")).registry.transfer(c.Move(w["account"], "KE-GOV-0001", quantity=3))

    assert entries(app)[-1]["actor"]["organisation"] == "ke-admin"
    assert verify_log(app)["ok"] is True


def test_a_cycle_walked_through_the_api_step_by_step_records_each_organisation_and_verifies(
    app: App,
) -> None:
    accounts = registries(app)
    cycle = StepByStepCycle(app, lambda org: api(org, f"user@{org}"))

    run_cycle(cycle, app.documents, accounts, quiet, identity=app.identity)

    steps = [
        e for e in entries(app) if e["type"].partition(".")[0] in ("project", "monitoring_period")
    ]
    assert steps
    for entry in steps:
        assert entry["actor"]["via"] == "api"
        assert entry["actor"]["organisation"] == entry["change"]["actor"]["organisation"]
    decisions = [e for e in entries(app) if e["type"] in ("decision_recorded", "issuance")]
    assert {e["actor"]["organisation"] for e in decisions} == {
        "jc-ke",
        "jc-id",
        "rm-jp",
        "rm-ke",
        "rm-id",
    }
    assert verify_log(app)["ok"] is True


def test_a_cycle_step_for_another_organisation_than_the_callers_is_refused(app: App) -> None:
    w = world(app)
    step = ke001_before(w, "register")  # the JC's step
    caller = app.acting(api(PP)).cycle

    refused(app, lambda: caller.project_step(step), "K2_OTHER_ORGANISATION")


def test_a_cycle_step_attributed_to_another_organisation_fails_verification(app: App) -> None:
    w = world(app)
    step = ke001_before(w, "register")
    # An insider takes the JC's step through the handler, logged as the participant's.
    with app.unit_of_work() as uow:
        uow.ledger.log.actor = api(PP).attribution()
        cycle_handlers.project_step(uow, step)
        uow.commit()

    verdict = verify_log(app)

    problem = verdict["problem"]
    assert (problem["index"], problem["field"]) == (verdict["entries"] - 1, "actor")
    assert (problem["expected"], problem["found"]["organisation"]) == (JC, PP)
    assert (
        problem["entity"]
        == f"log entry {problem['index']} (project.register taken by jc-ke as jc_member)"
    )


def test_a_cycle_step_attributed_to_an_organisation_without_the_role_fails_verification(
    app: App,
) -> None:
    w = world(app)
    step = ke001_before(w, "register")
    # An insider logs the JC's registration as taken by registry manager rm-jp acting as a
    # JC member (a role it does not hold), consistently in the store and the log.
    with app.unit_of_work() as uow:
        uow.ledger.log.actor = operator_for("rm-jp").attribution()
        project = uow.cycle.get_project("KE001", lock=True)
        assert project is not None
        assert step.on is not None
        posing = Actor("rm-jp", Role.JC_MEMBER, Side.JAPAN, "KE")
        new, event = advance_project(project, ProjectAction.REGISTER, posing, step.on)
        uow.cycle.put_project(new, uow.now, new=False)
        change = event["change"]
        assert isinstance(change, dict)
        uow.ledger.add_event("project.register", None, change, uow.now)
        uow.commit()

    verdict = verify_log(app)

    problem = verdict["problem"]
    assert (problem["index"], problem["field"]) == (verdict["entries"] - 1, "actor")
    assert problem["expected"] == "rm-jp holding jc_member"
    assert problem["found"] == {"organisation": "rm-jp", "via": "operator"}
    assert "project.register taken by rm-jp as jc_member" in problem["message"]


def test_registering_an_actor_through_the_api_is_an_administrators_act(app: App) -> None:
    register = cc.RegisterActor(
        "intruder", Role.JC_MEMBER, "Intruder", Side.JAPAN, "KE", decision="JC decision 9"
    )
    app.identity.register_actor(
        cc.RegisterActor("root-org", Role.ADMINISTRATOR, "Platform admin"), OPERATOR
    )

    refused(app, lambda: app.identity.register_actor(register, api("intruder")), "K2_FORBIDDEN")
    app.identity.register_actor(register, api("root-org"))

    assert entries(app)[-1]["actor"]["organisation"] == "root-org"
    assert verify_log(app)["ok"] is True


# -- the operator's console --------------------------------------------------------------------

runner = CliRunner()


def test_cli_steps_are_logged_as_the_operators_on_the_organisations_behalf(
    database_url: str, tmp_path: Path
) -> None:
    def jcm(*args: str) -> str:
        result = runner.invoke(
            cli, ["--data-dir", str(tmp_path / "d"), "--database-url", database_url, *args]
        )
        assert result.exit_code == 0, result.stdout + result.stderr
        return result.stdout

    jcm("demo", "--json")
    jcm("transfer", "--from", "KE-ENT-0004", "--to", "KE-GOV-0001", "--quantity", "2")
    verdict = json.loads(jcm("log", "verify", "--json"))

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            logged = [
                json.loads(e)
                for (e,) in conn.execute(text("SELECT entry FROM events ORDER BY log_index"))
            ]
            holder = conn.execute(
                text("SELECT organisation_id FROM accounts WHERE id = 'KE-ENT-0004'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert verdict["ok"] is True, verdict
    assert all(e["actor"]["via"] == "operator" for e in logged)
    setup = [e for e in logged if e["type"] in ("registry_created", "account_created")]
    assert setup
    assert all(e["actor"] == {"via": "operator"} for e in setup)
    steps = [e for e in logged if e["type"].startswith(("project.", "monitoring_period."))]
    assert steps
    assert all(
        e["actor"] == {"via": "operator", "organisation": e["change"]["actor"]["organisation"]}
        for e in steps
    )
    assert logged[-1]["type"] == "transfer"
    assert logged[-1]["actor"] == {"via": "operator", "organisation": holder}
