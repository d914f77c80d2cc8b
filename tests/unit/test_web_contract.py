"""Every page has an access rule from the domain, and no page is in the API's document."""

from __future__ import annotations

from fastapi.routing import APIRoute

from jcm.entrypoints.api.routing import access_of
from jcm.entrypoints.web.site import page_routers


def page_routes() -> list[APIRoute]:
    return [r for router in page_routers() for r in router.routes if isinstance(r, APIRoute)]


def test_every_page_has_an_access_rule() -> None:
    missing = [f"{sorted(r.methods or ())} {r.path}" for r in page_routes() if access_of(r) is None]

    assert page_routes()
    assert missing == []


def test_no_page_appears_in_the_api_document() -> None:
    assert [r.path for r in page_routes() if r.include_in_schema] == []


def test_no_page_lives_under_the_api_prefix() -> None:
    assert [r.path for r in page_routes() if r.path.startswith("/api")] == []
