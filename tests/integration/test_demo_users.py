"""The main job's people: one demo user per role, with one-time passwords that work."""

from __future__ import annotations

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.entrypoints.demo import run_demo
from jcm.entrypoints.demo_users import DEMO_HOLDERS, demo_account_holders, demo_users


def test_the_demo_makes_one_user_per_role_and_a_rerun_gives_new_one_time_passwords(
    app: App,
) -> None:
    run_demo(
        app.registry,
        app.cycle,
        app.documents,
        app.log,
        progress=False,
        identity=app.identity,
        register=app.aef.register,
    )

    first = demo_users(app.identity)
    again = demo_users(app.identity)
    started = app.identity.login(first[0].login, again[0].password, "127.0.0.1")

    assert sorted(u.role for u in first) == sorted(r.value for r in Role)
    assert [u.login for u in again] == [u.login for u in first]
    assert all(a.password != b.password for a, b in zip(first, again, strict=True))
    assert started.must_change_password
    assert app.log.verify(app.log_verifiers()).ok


def test_the_demo_gives_each_demo_account_holder_a_login_of_the_holding_organisation(
    app: App,
) -> None:
    run_demo(
        app.registry,
        app.cycle,
        app.documents,
        app.log,
        progress=False,
        identity=app.identity,
        register=app.aef.register,
    )

    holders = demo_account_holders(app.registry)
    logins = [u for u in demo_users(app.identity, holders) if u.role == "account_holder"]
    held = {a.organisation for a in app.registry.accounts() if a.type.value == "entity_holding"}

    assert sorted(holders) == sorted(DEMO_HOLDERS)
    assert sorted(u.login for u in logins) == sorted(DEMO_HOLDERS)
    assert {u.organisation for u in logins} <= held
