"""Refusals on pages: an HTML page with the stable code, or a redirect to sign in.

Everything under ``/api`` and every export (``.csv``, ``.xlsx``, ``.json``) keeps the API's
``application/problem+json``; a page gets the same status and code, rendered in the
reader's language. An anonymous reader of a signed-in page is sent to the sign-in page
(303) with the page to return to.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from jcm.domain.codes import BY_CODE
from jcm.domain.errors import JcmError
from jcm.entrypoints.api import problems
from jcm.entrypoints.api.security import SESSION_COOKIE
from jcm.entrypoints.web.pages import CSRF_COOKIE
from jcm.entrypoints.web.render import page

MACHINE_SUFFIXES = (".csv", ".xlsx", ".json", ".pdf")
SIGN_IN = "/login"
# A session that owes a password change or a second factor is sent to the page that takes
# it (sign_in_pages), then back to the page it asked for.
RESTRICTED = {
    "K2_PASSWORD_CHANGE_REQUIRED": "/account/password",
    "K2_SECOND_FACTOR_REQUIRED": "/account/second-factor",
}

Handler = Callable[[Request, Exception], Response]


def wants_problem(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(MACHINE_SUFFIXES):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def _status_and_code(error: Exception) -> tuple[int, str, str]:
    if isinstance(error, JcmError):
        return error.http_status, error.code, error.message
    if isinstance(error, HTTPException):
        if error.status_code == 404:
            return 404, problems.NOT_FOUND_ROUTE, "No such page."
        if error.status_code == 405:
            return 405, problems.METHOD_NOT_ALLOWED, "Method not allowed."
        return error.status_code, problems.BAD_REQUEST, str(error.detail)
    if isinstance(error, RequestValidationError):
        return 422, problems.BAD_REQUEST, "The form or a parameter is not valid."
    return 500, problems.INTERNAL, "The server failed; the fault is logged."


def html_error(request: Request, error: Exception) -> Response:
    status, code, detail = _status_and_code(error)
    if request.method == "GET" and (status == 401 or code in RESTRICTED):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        to = SIGN_IN if status == 401 else RESTRICTED[code]
        redirect = RedirectResponse(f"{to}?next={quote(target, safe='')}", status_code=303)
        if status == 401:  # an expired or ended session's cookies would refuse every page
            redirect.delete_cookie(SESSION_COOKIE, path="/")
            redirect.delete_cookie(CSRF_COOKIE, path="/")
        return redirect
    entry = BY_CODE.get(code)
    context = {
        "status": status,
        "code": code,
        "detail": detail,
        "meaning": entry.meaning if entry else "",
        "details": error.details if isinstance(error, JcmError) else {},
    }
    return page(request, "error.html", context, status_code=status)


def _either(api_handler: Handler) -> Handler:
    def handle(request: Request, error: Exception) -> Response:
        if wants_problem(request):
            return api_handler(request, error)
        if not isinstance(error, JcmError | HTTPException | RequestValidationError):
            problems.log_fault(request, error)
        return html_error(request, error)

    return handle


def install(app: FastAPI) -> None:
    """Replace the API's handlers by ones that answer pages in HTML."""
    for kind, handler in problems.HANDLERS.items():
        app.add_exception_handler(kind, _either(handler))
