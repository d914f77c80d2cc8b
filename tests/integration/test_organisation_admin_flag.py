"""An organisation's administrator flag can be granted and withdrawn after the user exists:
by the organisation's own administrators or the platform's (the rule that creates users),
as a logged act that `jcm log verify` accepts, taking effect at the user's next request;
from the service, the CLI and the API alike."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import Role
from jcm.domain.errors import JcmError
from jcm.domain.identity import register as reg
from jcm.domain.identity.principal import Principal, operator_for
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.api.security import CSRF_HEADER, SESSION_COOKIE
from jcm.entrypoints.cli import cli
from jcm.service_layer.identity.accounts import CreateUser

OPERATOR = operator_for(reg.PLATFORM_ORGANISATION)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FLAG = "/api/v1/organisations/{org}/users/{login}/organisation-admin"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[App]:
    application = bootstrap(Settings(tmp_path, database_url), clock=lambda: NOW, announce=None)
    for org in ("tpe-a", "tpe-b"):
        application.identity.register_organisation(reg.RegisterOrganisation(org, org), OPERATOR)
        application.identity.grant_role(reg.GrantRole(org, Role.TPE), OPERATOR)
    yield application
    application.close()


def signed_in(app: App, org: str, login: str, admin: bool = False) -> tuple[Principal, str]:
    """A new user of ``org``, its first password changed; its principal and session token."""
    return session_of(app, org, login, admin)[:2]


def session_of(app: App, org: str, login: str, admin: bool) -> tuple[Principal, str, str]:
    """As ``signed_in``, with the session's CSRF token as well."""
    made = app.identity.create_user(CreateUser(org, login, login, admin), OPERATOR)
    started = app.identity.login(login, made.password, "10.0.0.1")
    token = started.session_token
    app.identity.change_password(token, made.password, f"{login}'s own passphrase")
    return app.identity.authenticate_session(token), token, started.csrf_token


def refused(action: Callable[[], object]) -> str:
    with pytest.raises(JcmError) as caught:
        action()
    return caught.value.code


def test_an_organisation_admin_grants_the_flag_and_the_colleague_may_then_create_users(
    app: App,
) -> None:
    olga, _ = signed_in(app, "tpe-a", "olga", admin=True)
    _, bea_session = signed_in(app, "tpe-a", "bea")
    before = app.identity.authenticate_session(bea_session)
    attempt = CreateUser("tpe-a", "carl", "Carl")

    denied = refused(lambda: app.identity.create_user(attempt, before))
    granted = app.identity.set_organisation_admin("bea", True, olga)
    after = app.identity.authenticate_session(bea_session)  # the same session, next request
    made = app.identity.create_user(attempt, after)

    assert denied == "K2_NOT_ORGANISATION_ADMIN"
    assert (granted.organisation_admin, granted.changed) == (True, True)
    assert made.organisation == "tpe-a"


def test_a_withdrawn_flag_stops_the_user_at_its_next_request(app: App) -> None:
    _, olga_session = signed_in(app, "tpe-a", "olga", admin=True)
    app.identity.set_organisation_admin("olga", False, OPERATOR)
    olga = app.identity.authenticate_session(olga_session)

    code = refused(lambda: app.identity.create_user(CreateUser("tpe-a", "x", "X"), olga))

    assert code == "K2_NOT_ORGANISATION_ADMIN"
    assert not olga.organisation_admin


def test_only_the_organisation_s_own_admins_or_the_platform_change_the_flag(app: App) -> None:
    plain, _ = signed_in(app, "tpe-a", "plain")
    other_admin, _ = signed_in(app, "tpe-b", "boss", admin=True)
    signed_in(app, "tpe-a", "bea")

    by_plain = refused(lambda: app.identity.set_organisation_admin("bea", True, plain))
    by_other = refused(lambda: app.identity.set_organisation_admin("bea", True, other_admin))
    unknown = refused(lambda: app.identity.set_organisation_admin("nobody", True, OPERATOR))

    assert by_plain == "K2_NOT_ORGANISATION_ADMIN"
    assert by_other == "K4_NOT_VISIBLE"
    assert unknown == "K5_UNKNOWN_USER"
    assert [u.organisation_admin for u in app.identity.users("tpe-a") if u.login == "bea"] == [
        False
    ]


def test_each_change_is_one_log_entry_a_repeat_logs_nothing_and_the_log_verifies(
    app: App,
) -> None:
    signed_in(app, "tpe-a", "bea")
    size = app.log.verify().entries

    first = app.identity.set_organisation_admin("bea", True, OPERATOR)
    repeat = app.identity.set_organisation_admin("bea", True, OPERATOR)
    withdrawn = app.identity.set_organisation_admin("bea", False, OPERATOR)
    verdict = app.log.verify()

    assert (first.changed, repeat.changed, withdrawn.changed) == (True, False, True)
    assert verdict.problem is None
    assert verdict.entries == size + 2


def test_the_cli_grants_and_withdraws_the_flag_with_json(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "--database-url", database_url, "--json"]
    runner.invoke(cli, [*base, "org", "register", "acme", "--name", "Acme"])
    runner.invoke(cli, [*base, "user", "create", "--organisation", "acme", "--login", "ana"])

    granted = runner.invoke(cli, [*base, "user", "organisation-admin", "ana", "--grant"])
    listed = json.loads(runner.invoke(cli, [*base, "user", "list"]).stdout)
    withdrawn = runner.invoke(cli, [*base, "user", "organisation-admin", "ana", "--withdraw"])
    unknown = runner.invoke(cli, [*base, "user", "organisation-admin", "zed", "--grant"])

    assert granted.exit_code == 0, granted.stdout
    assert json.loads(granted.stdout)["organisation_admin"] is True
    assert [u["organisation_admin"] for u in listed] == [True]
    assert json.loads(withdrawn.stdout)["organisation_admin"] is False
    assert unknown.exit_code == 1
    assert json.loads(unknown.stdout)["error"]["code"] == "K5_UNKNOWN_USER"


def test_the_api_sets_the_flag_for_the_path_s_organisation_only(app: App) -> None:
    _, olga_session, csrf = session_of(app, "tpe-a", "olga", admin=True)
    signed_in(app, "tpe-a", "bea")
    signed_in(app, "tpe-b", "bob")
    client = TestClient(create_app(ApiContext(app, app.identity)), raise_server_exceptions=False)
    client.cookies[SESSION_COOKIE] = olga_session
    headers = {CSRF_HEADER: csrf}

    def put(org: str, login: str, body: object) -> tuple[int, dict[str, object]]:
        answer = client.put(FLAG.format(org=org, login=login), json=body, headers=headers)
        return answer.status_code, answer.json()

    ok = put("tpe-a", "bea", {"organisation_admin": True})
    elsewhere = put("tpe-b", "bob", {"organisation_admin": True})
    wrong_path = put("tpe-a", "bob", {"organisation_admin": True})
    malformed = put("tpe-a", "bea", {"organisation_admin": "maybe"})

    assert ok[0] == 200
    assert (ok[1]["login"], ok[1]["organisation_admin"], ok[1]["changed"]) == ("bea", True, True)
    assert elsewhere[0] == 404
    assert wrong_path[0] == 404
    assert wrong_path[1]["code"] == "K5_UNKNOWN_USER"
    assert malformed[0] == 422
