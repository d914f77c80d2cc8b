"""The web application mounted beside the API: static assets, pages, HTML refusals and the
language switch."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.web import errors, i18n
from jcm.entrypoints.web.pages import PageRouter

STATIC = Path(__file__).parent / "static"
LANG_PARAMETER = "lang"
_YEAR = 365 * 24 * 3600


def page_routers() -> tuple[PageRouter, ...]:
    """Every area's pages."""
    from jcm.entrypoints.web import (
        account_pages,
        admin_pages,
        article6_pages,
        article6_party_pages,
        certificate_pages,
        dashboard_pages,
        home_pages,
        ledger_pages,
        project_pages,
        sign_in_pages,
        work_pages,
    )

    return (
        home_pages.router,
        project_pages.router,
        ledger_pages.router,
        dashboard_pages.router,
        certificate_pages.router,
        sign_in_pages.router,
        work_pages.router,
        account_pages.router,
        admin_pages.router,
        article6_pages.router,
        article6_party_pages.router,
    )


class LanguageSwitch:
    """``?lang=ja|en`` on any page sets the language cookie and redirects to the same URL
    without it, so every URL stays canonical (the language is the reader's, not the page's).
    An unknown language is left for the page to refuse as an unknown parameter. A plain ASGI
    middleware: the API's requests pass through at the cost of one prefix test."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        chosen = request.query_params.get(LANG_PARAMETER)
        if chosen not in i18n.LOCALES:
            await self.app(scope, receive, send)
            return
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAMETER]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            i18n.LANG_COOKIE, chosen, max_age=_YEAR, samesite="lax", httponly=True, path="/"
        )
        await response(scope, receive, send)


def mount(app: FastAPI) -> None:
    """Add the pages to the API's application (same process, services and rules)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in page_routers():
        app.include_router(router)
    errors.install(app)
    app.add_middleware(LanguageSwitch)


def create_site(ctx: ApiContext) -> FastAPI:
    """The API under ``/api/v1`` and the pages beside it, in one application."""
    app = create_app(ctx)
    mount(app)
    return app
