"""The front page: what the registry is, and where to go."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from jcm.domain.identity.access import PUBLIC
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page

router = PageRouter()


@router.page("GET", "/", access=PUBLIC)
def home(request: Request, caller: WebCallerDep) -> HTMLResponse:
    return page(request, "home.html", {"registries": caller.services.registry.registries()})
