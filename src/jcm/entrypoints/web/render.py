"""Render a template in the request's language, as a whole page or an HTMX fragment.

One Jinja environment per locale, built once (never mutated per request), each with its
catalogue installed; autoescaping on. A request with ``HX-Request`` gets the template's
``content`` block only, so one URL serves the page and its partial update.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jcm.entrypoints.web import i18n
from jcm.entrypoints.web.pages import CSRF_FIELD

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",)),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda value: i18n.number(value, locale)
    env.filters["day"] = lambda value: i18n.day(value, locale)
    env.filters["moment"] = lambda value: i18n.moment(value, locale)
    env.filters["country"] = lambda code: i18n.country_name(code, locale)
    env.globals["locale"] = locale
    env.globals["locales"] = i18n.LOCALES
    env.globals["csrf_field"] = CSRF_FIELD
    return env


def locale_of(request: Request) -> str:
    cached = getattr(request.state, "locale", None)
    if isinstance(cached, str):
        return cached
    locale = i18n.negotiate(
        request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
    )
    request.state.locale = locale
    return locale


def translate(request: Request, message: str) -> str:
    """A message in the request's language (for text built in Python, e.g. headers)."""
    return i18n.translations(locale_of(request)).gettext(message)


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """``template`` rendered with ``context`` plus what every page needs: the request, the
    signed-in user's name and CSRF token (when signed in), the current path."""
    env = environment(locale_of(request))
    values: dict[str, Any] = {
        "request": request,
        "path": request.url.path,
        "query": str(request.url.query),
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": getattr(request.state, "csrf_token", None),
        "fragment": request.headers.get("hx-request") == "true",
    }
    values.update(context or {})
    body = env.get_template(template).render(values)
    return HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))
