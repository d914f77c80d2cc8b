"""Every cycle, monitoring, document and methodology route both ways at the door: anonymous
callers get 401 on private routes and never on public ones; an organisation holding none
of a route's roles gets 403 before anything else is looked at."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from api_support import Tokens, is_problem
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.registry import commands as c
from jcm.entrypoints.api import (
    create_app,
    cycle_routes,
    document_routes,
    methodology_routes,
    monitoring_routes,
)
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.api.routing import access_of

ROUTES = [
    r
    for module in (cycle_routes, monitoring_routes, document_routes, methodology_routes)
    for r in module.router.routes
    if isinstance(r, APIRoute)
]


def method(route: APIRoute) -> str:
    return sorted(route.methods or {"GET"})[0]


def label(route: APIRoute) -> str:
    return f"{method(route)} {route.path}"


def call(client: TestClient, route: APIRoute, headers: dict[str, str]) -> httpx.Response:
    path = "/api/v1" + re.sub(r"\{[^}]+\}", "X1", route.path)
    response: httpx.Response = client.request(method(route), path, json={}, headers=headers)
    return response


@pytest.fixture
def client(app: App) -> Iterator[tuple[TestClient, Tokens]]:
    app.registry.create_registry(c.CreateRegistry("KE"))  # a registry admin's registry
    identity = Tokens(app)
    with TestClient(
        create_app(ApiContext(app, app.identity)), raise_server_exceptions=False
    ) as http:
        yield http, identity


def test_anonymous_callers_get_401_on_every_private_route_and_never_on_public_ones(
    client: tuple[TestClient, Tokens],
) -> None:
    http, _ = client
    for route in ROUTES:
        rule = access_of(route)
        assert rule is not None, label(route)

        response = call(http, route, {})

        if rule.public:
            assert response.status_code != 401, label(route)
        else:
            assert is_problem(response, 401, "K1_UNAUTHENTICATED"), label(route)


def test_an_organisation_without_the_routes_roles_gets_403_before_its_body_is_read(
    client: tuple[TestClient, Tokens],
) -> None:
    http, identity = client
    headers = identity.add("registry-admin", "ke-registry-admin", Role.REGISTRY_ADMIN)
    checked = 0
    for route in ROUTES:
        rule = access_of(route)
        assert rule is not None
        if rule.public or not rule.roles:
            continue

        response = call(http, route, headers)

        assert is_problem(response, 403, "K2_FORBIDDEN"), label(route)
        checked += 1
    assert checked >= 10


def test_no_route_answers_a_server_error_to_an_empty_or_garbage_request(
    client: tuple[TestClient, Tokens],
) -> None:
    http, identity = client
    headers = identity.add("pp", "pp-org", Role.PROJECT_PARTICIPANT, Role.TPE)
    for route in ROUTES:
        response = call(http, route, headers)

        assert response.status_code < 500, label(route)
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
