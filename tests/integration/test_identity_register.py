"""One register of organisations: registering and granting is an administrator's act, never an
overwrite, and every change is a logged event that `jcm log verify` replays."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from jcm.adapters import migrate
from jcm.adapters.database import make_engine
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import Designation, Role, Side, TpeFunction
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import JcmError
from jcm.domain.identity import register as reg
from jcm.domain.identity.principal import Channel, Principal, Scope, operator_for
from jcm.domain.registry import commands as c
from jcm.entrypoints.cli import cli
from jcm.entrypoints.demo_cycle import actors, enrol

OPERATOR = operator_for(reg.PLATFORM_ORGANISATION)
runner = CliRunner()


def refused(action: Callable[[], object], code: str) -> JcmError:
    with pytest.raises(JcmError) as caught:
        action()
    assert caught.value.code == code, caught.value.message
    return caught.value


def events(app: App) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        rows = conn.execute(text("SELECT entry FROM events ORDER BY log_index")).all()
    return [json.loads(r.entry) for r in rows]


def verified(app: App) -> bool:
    return bool(app.log.verify(dict(app.log_verifiers())).ok)


def cast(app: App) -> None:
    app.registry.create_registry(c.CreateRegistry("KE"))
    enrol(app.identity, app.cycle, actors(("KE",)), None)


def api(organisation: str, *scopes: Scope) -> Principal:
    return Principal(organisation, "someone", Channel.API, frozenset(scopes) or frozenset(Scope))


# -- the attack ------------------------------------------------------------------------


def test_anyone_registering_an_intruder_as_jc_member_is_refused_and_nothing_changes(
    app: App,
) -> None:
    cast(app)
    before = len(events(app))
    app.identity.register_organisation(reg.RegisterOrganisation("intruder", "Intruder"), OPERATOR)
    intruder = api("intruder")
    attack = reg.GrantRole("intruder", Role.JC_MEMBER, Side.JAPAN, "KE", "made up")
    refused(lambda: app.identity.grant_role(attack, intruder), "K2_FORBIDDEN")
    alias = cc.RegisterActor("intruder", Role.JC_MEMBER, "Intruder", Side.JAPAN, "KE")
    refused(lambda: app.identity.register_actor(alias, intruder), "K2_FORBIDDEN")
    # even the operator's console needs the JC decision that appointed a member
    refused(lambda: app.identity.register_actor(alias, OPERATOR), "K5_DECISION_REQUIRED")
    assert app.identity.roles_of("intruder") == frozenset()
    assert len(events(app)) == before + 1  # only the organisation's registration
    # so the intruder cannot take the JC's decisions
    designate = cc.DesignateTpe(
        "demo-tpe", "KE", (2,), (TpeFunction.VALIDATION,), cc.ActingAs("intruder"), None
    )
    refused(lambda: app.cycle.designate_tpe(designate), "P1_UNKNOWN_ACTOR")
    assert verified(app)


def test_the_attack_over_the_cli_is_refused_with_its_code(
    database_url: str, tmp_path: Path
) -> None:
    base = ["--data-dir", str(tmp_path), "--database-url", database_url]
    assert runner.invoke(cli, [*base, "registry", "create", "KE"]).exit_code == 0
    attack = ["actor", "register", "intruder", "--role", "jc_member", "--side", "japan"]
    result = runner.invoke(cli, [*base, "--json", *attack, "--partner", "KE", "--name", "X"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "K5_DECISION_REQUIRED"
    listed = runner.invoke(cli, [*base, "--json", "org", "list"])
    assert "intruder" not in listed.stdout


def test_an_administrator_may_register_and_grant_through_the_api(app: App) -> None:
    app.identity.register_organisation(reg.RegisterOrganisation("ops", "Operations"), OPERATOR)
    app.identity.grant_role(reg.GrantRole("ops", Role.ADMINISTRATOR), OPERATOR)
    admin = api("ops", Scope.ADMIN)
    app.identity.register_organisation(reg.RegisterOrganisation("tpe-x", "TPE X"), admin)
    granted = app.identity.grant_role(reg.GrantRole("tpe-x", Role.TPE), admin)
    assert granted.granted_by == {"organisation": "ops", "via": "api", "user": "someone"}
    without_scope = api("ops", Scope.REGISTRY_READ)
    grant = reg.GrantRole("tpe-x", Role.PROJECT_PARTICIPANT, Side.JAPAN)
    refused(lambda: app.identity.grant_role(grant, without_scope), "K2_MISSING_SCOPE")


# -- never an overwrite ------------------------------------------------------------------------


def test_re_registering_a_tpe_or_a_jc_member_is_refused_and_changes_nothing(app: App) -> None:
    cast(app)
    before = (app.cycle.actors(), len(events(app)))
    again_tpe = cc.RegisterActor("demo-tpe", Role.TPE, "Demo TPE")
    refused(lambda: app.identity.register_actor(again_tpe, OPERATOR), "K5_ROLE_HELD")
    moved = cc.RegisterActor("jc-ke", Role.JC_MEMBER, "JC", Side.PARTNER, "ID", decision="x")
    refused(lambda: app.identity.register_actor(moved, OPERATOR), "K5_ROLE_HELD")
    grant = reg.GrantRole("jc-ke", Role.JC_MEMBER, Side.PARTNER, "ID", "JC decision 7")
    refused(lambda: app.identity.grant_role(grant, OPERATOR), "K5_ROLE_HELD")
    again_org = reg.RegisterOrganisation("JC-KE", "Joint Committee")
    refused(
        lambda: app.identity.register_organisation(again_org, OPERATOR), "K5_ORGANISATION_EXISTS"
    )
    assert (app.cycle.actors(), len(events(app))) == before


def test_designations_come_only_from_the_jc_never_from_a_grant(app: App) -> None:
    cast(app)
    designated = cc.RegisterActor(
        "tpe-new",
        Role.TPE,
        "New TPE",
        designations=frozenset({Designation("KE", 1, TpeFunction.VALIDATION)}),
    )
    refused(lambda: app.identity.register_actor(designated, OPERATOR), "K5_DESIGNATION_BY_GRANT")
    assert app.identity.roles_of("tpe-new") == frozenset()


def test_the_registry_numbering_is_the_registrys_own(app: App) -> None:
    numbered = reg.RegisterOrganisation("KE-ORG-0009", "Squatter")
    refused(lambda: app.identity.register_organisation(numbered, OPERATOR), "K5_BAD_ORGANISATION")


def test_the_registrys_organisations_are_in_the_same_register(app: App) -> None:
    app.registry.create_registry(c.CreateRegistry("KE"))
    org = app.registry.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    again = reg.RegisterOrganisation(org, "Other")
    refused(lambda: app.identity.register_organisation(again, OPERATOR), "K5_ORGANISATION_EXISTS")
    participant = reg.GrantRole(org, Role.PROJECT_PARTICIPANT, Side.PARTNER)
    app.identity.grant_role(participant, OPERATOR)
    listed = {o.organisation: o for o in app.identity.organisations()}
    assert listed[org].registry == "KE"
    assert [r["role"] for r in listed[org].roles] == ["project_participant"]
    registry_side = [o.organisation for o in app.registry.organisations("KE")]
    assert [o.organisation for o in app.identity.organisations("KE")] == registry_side


# -- logged, replayed, effective at once -------------------------------------------------------


def test_grants_and_revocations_are_logged_and_verify(app: App) -> None:
    cast(app)
    app.identity.register_organisation(
        reg.RegisterOrganisation("ke-admin", "KE registry office", "KE"), OPERATOR
    )
    app.identity.grant_role(reg.GrantRole("ke-admin", Role.REGISTRY_ADMIN, partner="KE"), OPERATOR)
    app.identity.revoke_role(reg.RevokeRole("rm-ke", Role.REGISTRY_MANAGER, "moved"), OPERATOR)
    kinds = [e["type"] for e in events(app)]
    assert kinds.count("role.granted") == len(actors(("KE",))) + 1
    assert kinds[-1] == "role.revoked"
    revoked = events(app)[-1]["change"]
    assert revoked == {
        "organisation": "rm-ke",
        "role": "registry_manager",
        "reason": "moved",
        "revoked_by": {"organisation": "platform", "via": "operator"},
    }
    assert app.identity.registries_administered("ke-admin") == frozenset({"KE"})
    assert app.identity.roles_of("rm-ke") == frozenset()
    assert verified(app)


def test_a_revoked_role_can_no_longer_take_a_cycle_step(app: App) -> None:
    cast(app)
    designate = cc.DesignateTpe(
        "demo-tpe", "KE", (2,), (TpeFunction.VALIDATION,), cc.ActingAs("jc-ke"), None
    )
    app.cycle.designate_tpe(designate)
    app.identity.revoke_role(reg.RevokeRole("jc-ke", Role.JC_MEMBER), OPERATOR)
    again = cc.DesignateTpe(
        "demo-tpe", "KE", (4,), (TpeFunction.VALIDATION,), cc.ActingAs("jc-ke"), None
    )
    refused(lambda: app.cycle.designate_tpe(again), "P1_UNKNOWN_ACTOR")
    refused(
        lambda: app.identity.revoke_role(reg.RevokeRole("jc-ke", Role.JC_MEMBER), OPERATOR),
        "K5_ROLE_NOT_HELD",
    )
    assert verified(app)


def test_a_role_granted_in_the_database_but_not_in_the_log_fails_verification(app: App) -> None:
    cast(app)
    with app.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation_roles (organisation_id, role, body, granted_at, "
                "updated_at) VALUES ('jc-ke', 'administrator', :b, :t, :t)"
            ),
            {
                "b": json.dumps(
                    {
                        "organisation": "jc-ke",
                        "role": "administrator",
                        "side": None,
                        "partner": None,
                        "designations": [],
                    }
                ),
                "t": datetime(2026, 1, 1, tzinfo=UTC),
            },
        )
    result = app.log.verify(dict(app.log_verifiers()))
    assert not result.ok
    assert result.problem is not None
    assert result.problem.table == "organisation_roles"


# -- migration 0007 moves the cycle's actors ---------------------------------------------------


@pytest.mark.unmigrated  # it migrates to 0006 itself
def test_migration_0007_moves_actors_into_the_register(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0006")
    t1, t2 = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    body: dict[str, Any] = {"side": None, "partner": None, "designations": []}
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO registries (code, name, active, created_at) VALUES ('KE','K',:a,:t)"),
            {"a": True, "t": t1},
        )
        conn.execute(
            text(
                "INSERT INTO organisations (id, registry, name, kind, created_at) "
                "VALUES ('KE-ORG-0002', 'KE', 'Solar Ltd', 'company', :t)"
            ),
            {"t": t1},
        )
        for oid, role, name, created, updated, extra in [
            ("pacific-pv", "project_participant", "Pacific PV", t1, t1, {"side": "japan"}),
            ("pacific-pv", "tpe", "Pacific PV Verif.", t2, t2, {}),
            ("KE-ORG-0002", "project_participant", "Solar", t1, t2, {"side": "partner"}),
        ]:
            conn.execute(
                text(
                    "INSERT INTO cycle_actors (organisation_id, role, name, body, created_at, "
                    "updated_at) VALUES (:o, :r, :n, :b, :c, :u)"
                ),
                {
                    "o": oid,
                    "r": role,
                    "n": name,
                    "b": json.dumps({**body, **extra, "organisation": oid, "role": role}),
                    "c": created,
                    "u": updated,
                },
            )
    migrate.upgrade(engine)
    engine.dispose()
    app = bootstrap(Settings(tmp_path, database_url))
    try:
        listed = {o.organisation: o for o in app.identity.organisations()}
        assert listed["pacific-pv"].name == "Pacific PV Verif."  # the last registered name
        assert listed["pacific-pv"].registry is None
        assert listed["KE-ORG-0002"].name == "Solar Ltd"  # the registry's name stays
        assert app.identity.roles_of("pacific-pv") == {Role.PROJECT_PARTICIPANT, Role.TPE}
        assert app.identity.roles_of("KE-ORG-0002") == {Role.PROJECT_PARTICIPANT}
        found = app.cycle.actors()
        assert {(a["organisation"], a["name"]) for a in found} >= {
            ("pacific-pv", "Pacific PV Verif.")
        }
    finally:
        app.close()


def test_the_register_from_the_cli_refuses_overwrites_with_codes(
    database_url: str, tmp_path: Path
) -> None:
    base = ["--data-dir", str(tmp_path), "--database-url", database_url, "--json"]

    def jcm(*args: str) -> tuple[int, Any]:
        result = runner.invoke(cli, [*base, *args])
        return result.exit_code, json.loads(result.stdout)

    assert jcm("registry", "create", "KE")[0] == 0
    code, registered = jcm("org", "register", "pacific-pv", "--name", "Pacific PV")
    assert (code, registered["organisation"], registered["registry"]) == (0, "pacific-pv", None)
    code, again = jcm("org", "register", "pacific-pv", "--name", "Other")
    assert (code, again["error"]["code"]) == (1, "K5_ORGANISATION_EXISTS")
    code, granted = jcm("org", "grant", "pacific-pv", "--role", "tpe")
    assert (code, granted["role"], granted["granted_by"]["via"]) == (0, "tpe", "operator")
    code, held = jcm("org", "grant", "pacific-pv", "--role", "tpe")
    assert (code, held["error"]["code"]) == (1, "K5_ROLE_HELD")
    code, listed = jcm("org", "list")
    assert [r["role"] for o in listed if o["organisation"] == "pacific-pv" for r in o["roles"]] == [
        "tpe"
    ]
    code, revoked = jcm("org", "revoke", "pacific-pv", "--role", "tpe", "--reason", "ended")
    assert (code, revoked["reason"]) == (0, "ended")
    code, gone = jcm("org", "revoke", "pacific-pv", "--role", "tpe")
    assert (code, gone["error"]["code"]) == (1, "K5_ROLE_NOT_HELD")
    code, verified_log = jcm("log", "verify")
    assert (code, verified_log["ok"]) == (0, True)
