"""Signing in through the browser: the form, its cookies, its refusals, and the forced
password change and second factor a new session must go through first."""

from __future__ import annotations

import re

import httpx
import pyotp
from fastapi.testclient import TestClient
from web_support import FIXED_NOW, NEW_PASSWORD, ensure_organisation, site

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role, Side
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole
from jcm.entrypoints.web.pages import CSRF_FIELD
from jcm.service_layer.identity.accounts import CreateUser


def user(app: App, org: str, login: str, *grants: GrantRole) -> str:
    """A user of ``org`` (registered with ``grants``); returns its one-time password."""
    ensure_organisation(app, org, *grants)
    return app.identity.create_user(CreateUser(org, login, login), OPERATOR).password


def log_in(client: TestClient, login: str, password: str, **extra: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/login", data={"login": login, "password": password, **extra}
    )
    return response


def cookie_header(response: httpx.Response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0].lower()


def test_signing_in_sets_the_session_and_csrf_cookies_http_only_and_strict(app: App) -> None:
    password = user(
        app, "pacific-pv", "ana", GrantRole("pacific-pv", Role.PROJECT_PARTICIPANT, Side.JAPAN)
    )
    client = site(app)

    form = client.get("/login")
    response = log_in(client, "ana", password)

    assert form.status_code == 200
    assert '<label for="login">' in form.text
    assert '<label for="password">' in form.text
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password?next=%2Fwork"
    for name in ("jcm_session", "jcm_csrf"):
        header = cookie_header(response, name)
        assert "httponly" in header
        assert "samesite=strict" in header
        assert "path=/" in header
        assert "secure" not in header  # plain http on loopback


def test_over_https_the_cookies_are_also_secure(app: App) -> None:
    password = user(app, "pacific-pv", "ana")
    client = site(app)
    client.base_url = httpx.URL("https://testserver")

    response = log_in(client, "ana", password)

    assert response.status_code == 303
    assert "secure" in cookie_header(response, "jcm_session")
    assert "secure" in cookie_header(response, "jcm_csrf")


def problem_of(page: httpx.Response) -> str:
    found = re.search(r'<div class="problem".*?</div>', page.text, re.S)
    assert found is not None, page.text
    return found.group(0)


def test_a_wrong_password_and_an_unknown_login_get_the_same_page(app: App) -> None:
    user(app, "pacific-pv", "ana")
    client = site(app)

    wrong = log_in(client, "ana", "not the password")
    unknown = log_in(client, "nobody", "not the password")

    assert wrong.status_code == unknown.status_code == 401
    assert problem_of(wrong) == problem_of(unknown)
    assert "The login, the password or the code is not right." in wrong.text
    assert "jcm_session" not in wrong.headers.get("set-cookie", "")


def test_too_many_failures_get_a_page_that_says_how_long_to_wait(app: App) -> None:
    password = user(app, "pacific-pv", "ana")
    client = site(app, language="ja")

    for _ in range(5):
        assert log_in(client, "ana", "wrong password").status_code == 401
    blocked = log_in(client, "ana", password)  # even the right password waits

    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "1"
    assert 'data-code="K3_TOO_MANY_ATTEMPTS"' in blocked.text
    assert "1 秒待ってから" in blocked.text
    assert "jcm_session" not in blocked.headers.get("set-cookie", "")


def test_next_is_followed_only_to_a_path_of_this_site(app: App) -> None:
    grant = GrantRole("pacific-pv", Role.PROJECT_PARTICIPANT, Side.JAPAN)
    password = user(app, "pacific-pv", "ana", grant)
    client = site(app)
    log_in(client, "ana", password)
    csrf = client.cookies["jcm_csrf"]
    changed = client.post(
        "/account/password",
        data={"old": password, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD, CSRF_FIELD: csrf},
    )
    assert changed.status_code == 303

    def target(given: str) -> str:
        response = log_in(site(app), "ana", NEW_PASSWORD, next=given)
        assert response.status_code == 303, response.text
        return response.headers["location"]

    assert target("/projects?partner=KE") == "/projects?partner=KE"
    for hostile in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/work\r\nSet-Cookie: x=1",
    ):
        assert target(hostile) == "/work", hostile
    page = site(app).get("/login?next=https://evil.example/")
    assert '<input type="hidden" name="next" value="">' in page.text


def test_a_new_session_changes_its_password_then_enrols_totp_before_any_other_page(
    app: App,
) -> None:
    grant = GrantRole("jc-ke", Role.JC_MEMBER, Side.JAPAN, "KE", "JC decision 1")
    password = user(app, "jc-ke", "kenji", grant)
    client = site(app)

    signed = log_in(client, "kenji", password, next="/work")
    csrf = client.cookies["jcm_csrf"]
    held_back = client.get("/work")
    form = client.get(held_back.headers["location"])
    mismatch = client.post(
        "/account/password",
        data={"old": password, "new": NEW_PASSWORD, "confirm": "another one", CSRF_FIELD: csrf},
    )
    changed = client.post(
        "/account/password",
        data={
            "old": password,
            "new": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            CSRF_FIELD: csrf,
            "next": "/work",
        },
    )
    still_held = client.get("/work")
    enrolled = client.post("/account/second-factor", data={CSRF_FIELD: csrf, "next": "/work"})
    secret = re.search(r'<code id="totp-secret">([A-Z2-7=]+)</code>', enrolled.text)
    assert secret is not None, enrolled.text
    bad = client.post("/account/second-factor/confirm", data={"code": "000000", CSRF_FIELD: csrf})
    code = pyotp.TOTP(secret.group(1)).at(FIXED_NOW)
    confirmed = client.post(
        "/account/second-factor/confirm", data={"code": code, CSRF_FIELD: csrf, "next": "/work"}
    )

    assert signed.headers["location"] == "/account/password?next=%2Fwork"
    assert held_back.status_code == 303
    assert held_back.headers["location"] == "/account/password?next=%2Fwork"
    assert form.status_code == 200
    assert 'id="password-required"' in form.text
    assert mismatch.status_code == 422
    assert changed.headers["location"] == "/account/second-factor?next=%2Fwork"
    assert still_held.headers["location"] == "/account/second-factor?next=%2Fwork"
    assert 'id="totp-uri">otpauth://totp/' in enrolled.text
    assert bad.status_code == 422
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/work"
    assert client.get("/work").status_code == 200
    again = log_in(site(app), "kenji", NEW_PASSWORD, totp=code)
    assert again.headers["location"] == "/work"


def test_signing_out_ends_the_session_and_needs_the_forms_csrf_token(app: App) -> None:
    grant = GrantRole("pacific-pv", Role.PROJECT_PARTICIPANT, Side.JAPAN)
    password = user(app, "pacific-pv", "ana", grant)
    client = site(app)
    log_in(client, "ana", password)
    csrf = client.cookies["jcm_csrf"]
    client.post(
        "/account/password",
        data={"old": password, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD, CSRF_FIELD: csrf},
    )
    stale = client.cookies["jcm_session"]

    forged = client.post("/logout", data={})
    out = client.post("/logout", data={CSRF_FIELD: csrf})
    after = client.get("/work")
    client.cookies.set("jcm_session", stale)
    public_with_stale = client.get("/")
    login_with_stale = site(app)
    login_with_stale.cookies.set("jcm_session", stale)

    assert forged.status_code == 403
    assert "K2_CSRF" in forged.text
    assert out.status_code == 303
    assert out.headers["location"] == "/"
    assert 'jcm_session=""' in out.headers.get("set-cookie", "")
    assert after.headers["location"] == "/login?next=%2Fwork"
    assert public_with_stale.status_code == 303  # the stale cookie is dropped on the way
    assert 'jcm_session=""' in public_with_stale.headers.get("set-cookie", "")
    assert login_with_stale.get("/login").status_code == 200
