"""Every route × every role and anonymous: each access rule holds both ways.

For each route of the app and each subject (an organisation holding exactly one role, with
an API token carrying every scope that role allows, or no credentials at all):

* a subject the route's rule admits gets past authorisation (any answer but 401 and 403:
  the dummy inputs may well be refused after that, with 404 or 422);
* a subject with credentials the rule does not admit gets 403;
* an anonymous caller gets 401, except on public routes.

Routes that read the caller's own session cookie are a case of their own: bearer tokens do
not make sessions, so every subject but the public login gets 401 there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Tokens
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.access import AccessRule
from jcm.domain.identity.actions import OWN_SESSION
from jcm.domain.identity.credentials import allowed_scopes
from jcm.domain.registry import commands as c
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.app import PREFIX, routers
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.api.routing import access_of

ROUTES = [
    (route, access)
    for router in routers()
    for route in router.routes
    if isinstance(route, APIRoute) and (access := access_of(route)) is not None
]
SUBJECTS = [None, *Role]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[Role, dict[str, str]]]]:
    tmp: Path = tmp_path_factory.mktemp("matrix")
    app: App = bootstrap(Settings(tmp, f"sqlite:///{tmp / 'm.sqlite3'}"), announce=None)
    for code in ("JP", "KE"):
        app.registry.create_registry(c.CreateRegistry(code))
    tokens = Tokens(app)
    headers = {role: tokens.add(f"t-{role.value}", f"org-{role.value}", role) for role in Role}
    with TestClient(
        create_app(ApiContext(app, app.identity)), raise_server_exceptions=False
    ) as client:
        yield client, headers
    app.close()


def admits(access: AccessRule, role: Role) -> bool:
    by_role = not access.roles or role in access.roles
    by_scope = access.scope is None or access.scope in allowed_scopes({role})
    return by_role and by_scope


def expected(access: AccessRule, subject: Role | None) -> str:
    if access is OWN_SESSION:
        return "401"
    if access.public:
        return "pass"
    if subject is None:
        return "401"
    return "pass" if admits(access, subject) else "403"


def path_of(route: APIRoute) -> str:
    return PREFIX + re.sub(r"\{[^}]+\}", "X", route.path)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("route", "access"), ROUTES, ids=[f"{sorted(r.methods or ())[0]} {r.path}" for r, _ in ROUTES]
)
def test_each_route_admits_exactly_the_subjects_its_rule_names(
    world: tuple[TestClient, dict[Role, dict[str, str]]], route: APIRoute, access: AccessRule
) -> None:
    client, headers = world
    method = sorted(route.methods or ())[0]
    wrong = []
    for subject in SUBJECTS:
        given = headers[subject] if subject is not None else {}
        response = client.request(
            method, path_of(route), headers=given, json={} if method in ("POST", "PUT") else None
        )
        want = expected(access, subject)
        got = str(response.status_code)
        ok = got not in ("401", "403") if want == "pass" else got == want
        if not ok:
            wrong.append(f"{subject}: want {want}, got {got} {response.text[:160]}")

    assert wrong == []
