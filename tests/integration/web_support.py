"""Shared set-up for web page tests: the whole site over httpx, people signed in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.principal import OPERATOR
from jcm.domain.identity.register import GrantRole, RegisterOrganisation
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.web.pages import CSRF_COOKIE
from jcm.entrypoints.web.site import create_site
from jcm.service_layer.identity.accounts import CreateUser

API = "/api/v1"
NEW_PASSWORD = "correct horse battery staple"
FIXED_NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # the app fixture's clock (conftest)


def site(app: App, *, language: str = "en") -> TestClient:
    """The site as a browser in ``language`` sees it (no redirects followed)."""
    client = TestClient(
        create_site(ApiContext(app, app.identity)),
        raise_server_exceptions=False,
        follow_redirects=False,
    )
    client.headers["Accept-Language"] = language
    return client


def ensure_organisation(app: App, org: str, *grants: GrantRole) -> None:
    identity = app.identity
    if org not in {o.organisation for o in identity.organisations()}:
        identity.register_organisation(RegisterOrganisation(org, org), OPERATOR)
    held = identity.roles_of(org)
    for grant in grants:
        if grant.role not in held:
            identity.grant_role(grant, OPERATOR)


def sign_in(
    client: TestClient, app: App, org: str, login: str, *, organisation_admin: bool = False
) -> str:
    """A new user of ``org`` signed in (through the API's session route, as the sign-in page
    does), one-time password changed, second factor enrolled when the roles need one; the
    client holds the session and CSRF cookies. Returns the CSRF token forms must post."""
    made = CreateUser(org, login, login, organisation_admin)
    password = app.identity.create_user(made, OPERATOR).password
    started = client.post(f"{API}/session", json={"login": login, "password": password})
    assert started.status_code == 201, started.text
    body: dict[str, Any] = started.json()
    csrf = str(body["csrf_token"])
    headers = {"X-CSRF-Token": csrf}
    change = {"old": password, "new": NEW_PASSWORD}
    assert client.put(f"{API}/session/password", json=change, headers=headers).status_code == 204
    if body.get("second_factor_owed"):
        secret = client.post(f"{API}/session/totp", headers=headers).json()["secret"]
        code = {"code": pyotp.TOTP(secret).at(FIXED_NOW)}
        confirmed = client.post(f"{API}/session/totp/confirm", json=code, headers=headers)
        assert confirmed.status_code == 204, confirmed.text
    client.cookies.set(CSRF_COOKIE, csrf)
    return csrf


def roles(*grants: GrantRole) -> tuple[GrantRole, ...]:
    return grants


__all__ = ["API", "FIXED_NOW", "Role", "ensure_organisation", "roles", "sign_in", "site"]
