"""The API's contract: every route has an access rule, and the committed OpenAPI is current."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from jcm.entrypoints.api import openapi
from jcm.entrypoints.api.app import operation_id, routers
from jcm.entrypoints.api.routing import access_of

ROOT = Path(__file__).resolve().parents[2]


def api_routes() -> list[APIRoute]:
    """Every route of every area's router (FastAPI includes routers lazily, so the app's
    own route list does not show them one by one)."""
    return [r for router in routers() for r in router.routes if isinstance(r, APIRoute)]


def test_every_route_has_an_access_rule() -> None:
    missing = [f"{r.methods} {r.path}" for r in api_routes() if access_of(r) is None]

    assert len(api_routes()) > 10
    assert missing == []


def test_operation_ids_are_unique_and_stable() -> None:
    ids = [operation_id(r) for r in api_routes()]

    assert len(ids) == len(set(ids))
    assert all(":" in i for i in ids)


def test_the_committed_openapi_document_matches_the_app() -> None:
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")

    assert committed == openapi.text(), (
        "openapi.json is stale: run python -m jcm.entrypoints.api.openapi openapi.json"
    )


def test_every_private_operation_documents_its_security_and_problems() -> None:
    paths = openapi.document()["paths"]

    for path in paths.values():
        for operation in path.values():
            responses = operation["responses"]
            assert "application/problem+json" in responses["422"]["content"]
            if operation["x-jcm-access"] != "public":
                assert operation["security"] == [{"token": []}, {"session": []}]
                assert {"401", "403"} <= set(responses)
