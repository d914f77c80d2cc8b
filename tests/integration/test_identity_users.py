"""Users, sessions and API tokens: hashed secrets, one-time passwords, a second factor, rate
limits with backoff, and tokens that expire and can be revoked."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from jcm.adapters import schema
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import Role, Side
from jcm.domain.errors import JcmError
from jcm.domain.identity import register as reg
from jcm.domain.identity.principal import Channel, Scope, operator_for
from jcm.entrypoints.cli import cli
from jcm.service_layer.identity.accounts import CreateUser

OPERATOR = operator_for(reg.PLATFORM_ORGANISATION)
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[App]:
    application = bootstrap(Settings(tmp_path, database_url), clock=clock)
    identity = application.identity
    identity.register_organisation(reg.RegisterOrganisation("tpe-a", "TPE A"), OPERATOR)
    identity.grant_role(reg.GrantRole("tpe-a", Role.TPE), OPERATOR)
    identity.register_organisation(reg.RegisterOrganisation("jc-ke", "JC"), OPERATOR)
    member = reg.GrantRole("jc-ke", Role.JC_MEMBER, Side.JAPAN, "KE", "JC decision 1")
    identity.grant_role(member, OPERATOR)
    yield application
    application.close()


def refused(action: Callable[[], object], code: str) -> JcmError:
    with pytest.raises(JcmError) as caught:
        action()
    assert caught.value.code == code, caught.value.message
    return caught.value


def database_text(app: App) -> str:
    """Every stored value of every table, as text (to look for secrets)."""
    parts = []
    with app.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in conn.execute(select(table))]
    return "\n".join(parts)


def ready_user(app: App, organisation: str = "tpe-a", login: str = "alice") -> str:
    """A user who changed the one-time password; returns the new password."""
    created = app.identity.create_user(CreateUser(organisation, login, login.title()), OPERATOR)
    session = app.identity.login(login, created.password, "10.0.0.1")
    app.identity.change_password(session.session_token, created.password, "correct horse 1")
    return "correct horse 1"


# -- passwords ---------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_and_never_logged(app: App) -> None:
    created = app.identity.create_user(CreateUser("tpe-a", "alice", "Alice"), OPERATOR)
    assert created.must_change_password
    with app.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert created.password not in database_text(app).replace(stored, "")
    with app.engine.connect() as conn:
        entry = conn.execute(text("SELECT entry FROM events ORDER BY log_index DESC")).first()
    assert entry is not None
    logged = json.loads(entry.entry)
    assert logged["type"] == "user_created"
    assert set(logged["change"]) == {
        "user",
        "organisation",
        "login",
        "name",
        "organisation_admin",
        "created_by",
    }
    assert app.log.verify(dict(app.log_verifiers())).ok


def test_the_one_time_password_must_be_changed_before_anything_else(app: App) -> None:
    created = app.identity.create_user(CreateUser("tpe-a", "alice", "Alice"), OPERATOR)
    session = app.identity.login("alice", created.password, "10.0.0.1")
    assert session.must_change_password
    token = session.session_token
    refused(lambda: app.identity.authenticate_session(token), "K2_PASSWORD_CHANGE_REQUIRED")
    assert app.identity.session_status(token).must_change_password
    refused(
        lambda: app.identity.change_password(token, created.password, "short"),
        "K5_WEAK_PASSWORD",
    )
    refused(
        lambda: app.identity.change_password(token, "wrong", "a long new password"),
        "K1_UNAUTHENTICATED",
    )
    app.identity.change_password(token, created.password, "a long new password")
    principal = app.identity.authenticate_session(token)
    assert (principal.organisation_id, principal.channel) == ("tpe-a", Channel.API)
    refused(lambda: app.identity.login("alice", created.password, "10.0.0.1"), "K1_UNAUTHENTICATED")
    assert not app.identity.login("alice", "a long new password", "10.0.0.1").must_change_password


def test_an_unknown_login_and_a_wrong_password_get_the_same_answer(app: App) -> None:
    ready_user(app)
    unknown = refused(
        lambda: app.identity.login("nobody", "x" * 12, "1.1.1.1"), "K1_UNAUTHENTICATED"
    )
    wrong = refused(lambda: app.identity.login("alice", "x" * 12, "1.1.1.1"), "K1_UNAUTHENTICATED")
    assert (unknown.message, unknown.details) == (wrong.message, wrong.details)


def test_only_an_administrator_of_the_organisation_or_platform_creates_users(app: App) -> None:
    password = ready_user(app)
    principal = app.identity.authenticate_session(
        app.identity.login("alice", password, "1.1.1.1").session_token
    )
    admin_password = app.identity.create_user(
        CreateUser("tpe-a", "olga", "Olga", organisation_admin=True), OPERATOR
    ).password
    admin = app.identity.login("olga", admin_password, "1.1.1.2")
    app.identity.change_password(admin.session_token, admin_password, "olga's new passphrase")
    olga = app.identity.authenticate_session(admin.session_token)

    made = app.identity.create_user(CreateUser("tpe-a", "bea", "Bea"), olga)
    reset = app.identity.reset_password("alice", olga)

    refused(
        lambda: app.identity.create_user(CreateUser("tpe-a", "mallory", "M"), principal),
        "K2_NOT_ORGANISATION_ADMIN",
    )
    refused(
        lambda: app.identity.create_user(CreateUser("jc-ke", "eve", "E"), olga), "K4_NOT_VISIBLE"
    )
    assert olga.organisation_admin
    assert not principal.organisation_admin
    assert made.organisation == "tpe-a"
    assert reset.login == "alice"
    refused(
        lambda: app.identity.create_user(CreateUser("tpe-a", "alice", "A"), OPERATOR),
        "K5_LOGIN_TAKEN",
    )


# -- rate limits -------------------------------------------------------------------------------


def test_failed_logins_for_one_login_back_off_doubling(app: App, clock: Clock) -> None:
    password = ready_user(app)
    for n in range(5):  # below the threshold: each failure is only a failure
        refused(
            partial(app.identity.login, "alice", f"wrong {n}", f"10.1.0.{n}"),
            "K1_UNAUTHENTICATED",
        )
    blocked = refused(
        lambda: app.identity.login("alice", password, "10.2.0.1"), "K3_TOO_MANY_ATTEMPTS"
    )
    assert blocked.details == {"retry_after": 1}
    clock.advance(seconds=1)
    refused(lambda: app.identity.login("alice", "wrong", "10.2.0.1"), "K1_UNAUTHENTICATED")
    again = refused(
        lambda: app.identity.login("alice", password, "10.2.0.2"), "K3_TOO_MANY_ATTEMPTS"
    )
    assert again.details == {"retry_after": 2}
    clock.advance(seconds=2)
    assert app.identity.login("alice", password, "10.2.0.3").session_token


def test_failed_logins_from_one_client_address_back_off_for_every_login(
    app: App, clock: Clock
) -> None:
    password = ready_user(app)
    for n in range(20):
        refused(partial(app.identity.login, f"guess{n}", "wrong", "6.6.6.6"), "K1_UNAUTHENTICATED")
    refused(lambda: app.identity.login("alice", password, "6.6.6.6"), "K3_TOO_MANY_ATTEMPTS")
    assert app.identity.login("alice", password, "7.7.7.7").session_token
    clock.advance(hours=2)
    assert app.identity.login("alice", password, "6.6.6.6").session_token


# -- the second factor -------------------------------------------------------------------------


def test_a_jc_member_needs_a_confirmed_second_factor(app: App, clock: Clock) -> None:
    password = ready_user(app, "jc-ke", "member")
    session = app.identity.login("member", password, "10.0.0.1")
    assert session.second_factor_owed
    token = session.session_token
    refused(lambda: app.identity.authenticate_session(token), "K2_SECOND_FACTOR_REQUIRED")
    enrolment = app.identity.enrol_totp(token)
    assert enrolment.uri.startswith("otpauth://totp/")
    refused(lambda: app.identity.confirm_totp(token, "000000"), "K5_BAD_TOTP")
    code = pyotp.TOTP(enrolment.secret).at(clock.now)
    app.identity.confirm_totp(token, code)
    assert app.identity.authenticate_session(token).organisation_id == "jc-ke"
    refused(lambda: app.identity.enrol_totp(token), "K5_TOTP_ENABLED")
    # from now on the code is part of the login
    clock.advance(minutes=5)
    refused(lambda: app.identity.login("member", password, "10.0.0.1"), "K1_UNAUTHENTICATED")
    later = pyotp.TOTP(enrolment.secret).at(clock.now)
    again = app.identity.login("member", password, "10.0.0.1", later)
    assert not again.second_factor_owed
    assert app.identity.authenticate_session(again.session_token).user_id is not None


def test_sessions_end_on_logout_and_expiry_and_check_their_csrf_token(
    app: App, clock: Clock
) -> None:
    password = ready_user(app)
    session = app.identity.login("alice", password, "10.0.0.1")
    app.identity.check_csrf(session.session_token, session.csrf_token)
    refused(lambda: app.identity.check_csrf(session.session_token, "forged"), "K2_CSRF")
    app.identity.logout(session.session_token)
    refused(lambda: app.identity.authenticate_session(session.session_token), "K1_UNAUTHENTICATED")
    other = app.identity.login("alice", password, "10.0.0.1")
    clock.advance(hours=12, seconds=1)
    refused(lambda: app.identity.authenticate_session(other.session_token), "K1_UNAUTHENTICATED")
    assert session.session_token not in database_text(app)


# -- API tokens --------------------------------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_and_authenticates_with_its_scopes(app: App) -> None:
    created = app.identity.create_token(
        OPERATOR, "tpe-a", "robot", frozenset({Scope.CYCLE_VERIFY}), 30
    )
    secret = created.token.split("_", 2)[2]
    assert secret not in database_text(app)
    principal = app.identity.authenticate_token(created.token)
    assert principal.scopes == {Scope.CYCLE_VERIFY}
    assert (principal.organisation_id, principal.channel, principal.token_id) == (
        "tpe-a",
        Channel.API,
        created.token_id,
    )
    listed = app.identity.tokens("tpe-a")
    assert [t.token_id for t in listed] == [created.token_id]
    assert created.token not in json.dumps([str(t) for t in listed])


def test_expired_revoked_unknown_and_forged_tokens_are_refused_alike(
    app: App, clock: Clock
) -> None:
    scopes = frozenset({Scope.REGISTRY_READ})
    short = app.identity.create_token(OPERATOR, "tpe-a", "short", scopes, 1)
    revoked = app.identity.create_token(OPERATOR, "tpe-a", "revoked", scopes, 30)
    app.identity.revoke_token(OPERATOR, revoked.token_id)
    refused(lambda: app.identity.revoke_token(OPERATOR, revoked.token_id), "K5_TOKEN_REVOKED")
    forged = revoked.token[:-4] + "AAAA"
    for token in (revoked.token, forged, "jcm_0000_secret", "garbage", ""):
        refused(partial(app.identity.authenticate_token, token), "K1_UNAUTHENTICATED")
    assert app.identity.authenticate_token(short.token).token_id == short.token_id
    clock.advance(days=1)
    refused(lambda: app.identity.authenticate_token(short.token), "K1_UNAUTHENTICATED")
    kinds = [json.loads(e)["type"] for e in _entries(app)]
    assert kinds[-3:] == ["token_created", "token_created", "token_revoked"]
    assert not any(short.token.split("_", 2)[2] in e for e in _entries(app))
    assert app.log.verify(dict(app.log_verifiers())).ok


def test_token_scopes_stay_within_the_organisations_roles(app: App) -> None:
    issue = frozenset({Scope.REGISTRY_ISSUE})
    refused(
        lambda: app.identity.create_token(OPERATOR, "tpe-a", "x", issue, 30), "K2_SCOPE_NOT_ALLOWED"
    )
    refused(
        lambda: app.identity.create_token(
            OPERATOR, "tpe-a", "x", frozenset({Scope.CYCLE_VERIFY}), 0
        ),
        "K5_BAD_TOKEN",
    )
    token = app.identity.create_token(OPERATOR, "tpe-a", "x", frozenset({Scope.CYCLE_VERIFY}), 30)
    app.identity.revoke_role(reg.RevokeRole("tpe-a", Role.TPE), OPERATOR)
    assert app.identity.authenticate_token(token.token).scopes == frozenset()


def test_an_organisations_own_user_manages_only_its_own_tokens(app: App) -> None:
    password = ready_user(app)
    alice = app.identity.authenticate_session(
        app.identity.login("alice", password, "1.1.1.1").session_token
    )
    mine = app.identity.create_token(alice, "tpe-a", "mine", frozenset({Scope.CYCLE_VERIFY}), 30)
    assert app.identity.tokens("tpe-a")[0].user == alice.user_id
    refused(
        lambda: app.identity.create_token(
            alice, "jc-ke", "theirs", frozenset({Scope.REGISTRY_READ}), 30
        ),
        "K4_NOT_VISIBLE",
    )
    theirs = app.identity.create_token(
        OPERATOR, "jc-ke", "theirs", frozenset({Scope.REGISTRY_READ}), 30
    )
    refused(lambda: app.identity.revoke_token(alice, theirs.token_id), "K4_NOT_VISIBLE")
    app.identity.revoke_token(alice, mine.token_id)


def _entries(app: App) -> list[str]:
    with app.engine.connect() as conn:
        return [r.entry for r in conn.execute(text("SELECT entry FROM events ORDER BY log_index"))]


# -- the CLI -----------------------------------------------------------------------------------


def test_the_first_administrator_and_tokens_from_the_cli(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "--database-url", database_url, "--json"]

    def jcm(*args: str) -> tuple[int, object]:
        result = runner.invoke(cli, [*base, *args])
        return result.exit_code, json.loads(result.stdout)

    code, created = jcm("user", "create", "--administrator", "--login", "root")
    assert code == 0
    assert isinstance(created, dict)
    assert created["organisation"] == reg.PLATFORM_ORGANISATION
    assert len(created["password"]) >= 20
    code, again = jcm("user", "create", "--administrator", "--login", "root")
    assert (code, again) == (
        1,
        {
            "error": {
                "code": "K5_LOGIN_TAKEN",
                "message": "The login root is already taken.",
                "details": {"login": "root"},
            }
        },
    )
    code, users = jcm("user", "list")
    assert code == 0
    assert str(created["password"]) not in json.dumps(users)
    assert "argon2" not in json.dumps(users)
    code, token = jcm(
        "token", "create", "--organisation", "platform", "--name", "ci", "--scope", "admin",
        "--expires-days", "7",
    )  # fmt: skip
    assert code == 0
    assert isinstance(token, dict)
    code, tokens = jcm("token", "list")
    assert str(token["token"]) not in json.dumps(tokens)
    code, revoked = jcm("token", "revoke", str(token["token_id"]))
    assert (code, isinstance(revoked, dict) and revoked["token_id"]) == (0, token["token_id"])
    code, refusal = jcm(
        "token", "create", "--organisation", "platform", "--name", "x", "--scope", "nope"
    )
    assert code == 1
    assert isinstance(refusal, dict)
    assert refusal["error"]["code"] == "K5_BAD_TOKEN"


def test_the_cli_makes_an_organisations_own_administrator(
    database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "--database-url", database_url, "--json"]
    runner.invoke(cli, [*base, "org", "register", "acme", "--name", "Acme"])

    made = runner.invoke(
        cli,
        [*base, "user", "create", "--organisation", "acme", "--login", "ana",
         "--organisation-admin"],
    )  # fmt: skip
    listed = json.loads(runner.invoke(cli, [*base, "user", "list"]).stdout)

    assert made.exit_code == 0, made.stdout
    assert [(u["login"], u["organisation_admin"]) for u in listed] == [("ana", True)]
