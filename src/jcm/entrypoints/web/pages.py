"""Pages are routes like the API's: each has its access rule from the domain.

:class:`PageRouter` registers a page with :meth:`page`: the same gate as the API (401,
403, the declared-query check), a caller that may come from the session cookie with the
CSRF token posted in the form's ``csrf_token`` field (pages cannot set headers), and no
entry in the OpenAPI document. Refusals become HTML pages (see ``errors.py``); a page that
needs a signed-in caller redirects an anonymous one to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from jcm.domain.identity.access import AccessRule
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.routing import Router, caller_of
from jcm.entrypoints.api.security import SAFE_METHODS
from jcm.entrypoints.web.listing import refuse_unknown_filter

F = TypeVar("F", bound=Callable[..., Any])
CSRF_FIELD = "csrf_token"
# The session's CSRF token, kept beside the session cookie (HTTP-only, SameSite=Strict) so
# pages can put it in their forms: the server stores only its hash.
CSRF_COOKIE = "jcm_csrf"
_MAX_FORM_TOKEN = 512


async def web_caller(request: Request) -> Caller:
    """The caller; on a form post the CSRF token comes from the form (Starlette keeps the
    parsed form, so the endpoint's ``Form`` parameters read it again for free)."""
    csrf: str | None = None
    if request.method not in SAFE_METHODS and "authorization" not in request.headers:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            csrf = value[:_MAX_FORM_TOKEN] if isinstance(value, str) else ""
    caller = caller_of(request, csrf)
    # What templates show: who is signed in, and the token their forms repeat.
    request.state.viewer = caller if caller.principal is not None else None
    request.state.csrf_token = request.cookies.get(CSRF_COOKIE)
    return caller


WebCallerDep = Annotated[Caller, Depends(web_caller)]


class PageRouter(Router):
    def page(
        self,
        method: str,
        path: str,
        *,
        access: AccessRule,
        response_class: type[Response] = HTMLResponse,
        status_code: int = 200,
    ) -> Callable[[F], F]:
        """Register a page (or an export) at ``method path`` under ``access``."""
        return self.endpoint(
            method,
            path,
            access=access,
            response_class=response_class,
            status_code=status_code,
            include_in_schema=False,
            caller_dependency=web_caller,
            refuse_unknown=refuse_unknown_filter,
        )
