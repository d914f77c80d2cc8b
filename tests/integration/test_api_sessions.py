"""People over HTTP: sign-in, the one-time password, CSRF, the second factor, tokens and
webhook subscriptions managed through the API, and the login rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pyotp
import pytest
from api_support import is_problem
from fastapi.testclient import TestClient

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role, Side
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext
from jcm.service_layer.identity.accounts import CreateUser

API = "/api/v1"
NEW_PASSWORD = "correct horse battery staple"
FIXED_NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # the app fixture's clock (conftest)


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    identity = app.identity
    identity.register_organisation(RegisterOrganisation("pp-one", "PP One"), OPERATOR)
    identity.grant_role(GrantRole("pp-one", Role.PROJECT_PARTICIPANT, Side.PARTNER), OPERATOR)
    identity.register_organisation(RegisterOrganisation("jc-ke", "JC Kenya"), OPERATOR)
    member = GrantRole("jc-ke", Role.JC_MEMBER, Side.JAPAN, "KE", "JC decision 7")
    identity.grant_role(member, OPERATOR)
    with TestClient(create_app(ApiContext(app, identity)), raise_server_exceptions=False) as c:
        yield c


def user(app: App, org: str, login: str) -> str:
    return app.identity.create_user(CreateUser(org, login, login), OPERATOR).password


def sign_in(client: TestClient, login: str, password: str) -> httpx.Response:
    response: httpx.Response = client.post(
        f"{API}/session", json={"login": login, "password": password}
    )
    return response


def signed_in(app: App, client: TestClient, org: str, login: str) -> dict[str, str]:
    """A new user of ``org`` signed in with its one-time password changed: the CSRF header."""
    password = user(app, org, login)
    started = sign_in(client, login, password)
    csrf = {"X-CSRF-Token": started.json()["csrf_token"]}
    change = {"old": password, "new": NEW_PASSWORD}
    assert client.put(f"{API}/session/password", json=change, headers=csrf).status_code == 204
    return csrf


def test_a_person_signs_in_changes_the_one_time_password_under_csrf_then_works(
    app: App, client: TestClient
) -> None:
    password = user(app, "pp-one", "ana")
    started = sign_in(client, "ana", password)
    csrf = {"X-CSRF-Token": started.json()["csrf_token"]}
    cookie = started.headers["set-cookie"].lower()
    change = {"old": password, "new": NEW_PASSWORD}

    before = client.get(f"{API}/accounts")
    no_csrf = client.put(f"{API}/session/password", json=change)
    changed = client.put(f"{API}/session/password", json=change, headers=csrf)
    after = client.get(f"{API}/accounts")

    assert started.status_code == 201
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert started.json()["must_change_password"] is True
    assert is_problem(before, 403, "K2_PASSWORD_CHANGE_REQUIRED")
    assert is_problem(no_csrf, 403, "K2_CSRF")
    assert changed.status_code == 204, changed.text
    assert after.status_code == 200
    assert after.json() == []


def test_a_wrong_password_and_an_unknown_login_get_the_same_answer_then_429(
    app: App, client: TestClient
) -> None:
    user(app, "pp-one", "bob")

    wrong = sign_in(client, "bob", "not the password")
    unknown = sign_in(client, "nobody", "not the password")
    answers = [sign_in(client, "bob", "not the password") for _ in range(6)]

    assert is_problem(wrong, 401, "K1_UNAUTHENTICATED")
    assert wrong.json()["detail"] == unknown.json()["detail"]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert is_problem(limited[0], 429, "K3_TOO_MANY_ATTEMPTS")
    assert int(limited[0].headers["retry-after"]) >= 1


def test_a_jc_member_must_enrol_a_second_factor_before_anything_else(
    app: App, client: TestClient
) -> None:
    password = user(app, "jc-ke", "carla")
    started = sign_in(client, "carla", password)
    csrf = {"X-CSRF-Token": started.json()["csrf_token"]}
    client.put(f"{API}/session/password", json={"old": password, "new": NEW_PASSWORD}, headers=csrf)

    blocked = client.get(f"{API}/work-queue")
    enrolment = client.post(f"{API}/session/totp", headers=csrf)
    code = pyotp.TOTP(enrolment.json()["secret"]).at(FIXED_NOW)
    confirmed = client.post(f"{API}/session/totp/confirm", json={"code": code}, headers=csrf)
    allowed = client.get(f"{API}/work-queue")

    assert started.json()["second_factor_owed"] is True
    assert is_problem(blocked, 403, "K2_SECOND_FACTOR_REQUIRED")
    assert enrolment.json()["uri"].startswith("otpauth://totp/")
    assert confirmed.status_code == 204, confirmed.text
    assert allowed.status_code == 200, allowed.text


def test_an_organisation_makes_an_api_token_once_uses_it_and_revokes_it(
    app: App, client: TestClient
) -> None:
    csrf = signed_in(app, client, "pp-one", "dan")
    body = {"name": "robot", "scopes": ["registry:read"], "expires_in_days": 30}

    made = client.post(f"{API}/organisations/pp-one/tokens", json=body, headers=csrf)
    other = client.post(f"{API}/organisations/jc-ke/tokens", json=body, headers=csrf)
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}  # the bearer wins the cookie
    listed = client.get(f"{API}/organisations/pp-one/tokens")
    works = client.get(f"{API}/accounts", headers=bearer)
    client.delete(f"{API}/organisations/pp-one/tokens/{made.json()['token_id']}", headers=csrf)
    revoked = client.get(f"{API}/accounts", headers=bearer)

    assert made.status_code == 201, made.text
    assert is_problem(other, 404, "K4_NOT_VISIBLE")
    assert made.json()["token"] not in listed.text
    assert works.status_code == 200
    assert is_problem(revoked, 401, "K1_UNAUTHENTICATED")


def test_an_organisation_subscribes_to_webhooks_and_sees_only_its_own(
    app: App, client: TestClient
) -> None:
    csrf = signed_in(app, client, "pp-one", "eve")
    body = {"url": "http://127.0.0.1:9/hook", "event_types": ["units.transferred_in"]}

    made = client.post(f"{API}/organisations/pp-one/webhooks", json=body, headers=csrf)
    theirs = client.post(f"{API}/organisations/jc-ke/webhooks", json=body, headers=csrf)
    listed = client.get(f"{API}/organisations/pp-one/webhooks")
    deliveries = client.get(f"{API}/organisations/pp-one/webhook-deliveries")

    assert made.status_code == 201, made.text
    assert made.json()["secret"].startswith("whsec_")
    assert is_problem(theirs, 404)
    assert [s["url"] for s in listed.json()] == [body["url"]]
    assert made.json()["secret"] not in listed.text
    assert deliveries.status_code == 200
    assert deliveries.json() == []
