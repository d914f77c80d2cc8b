"""Signing in and out through the browser, and what a new session must do first.

The sign-in form starts a session exactly as the API's ``POST /api/v1/session`` does (the
same service, cookie name and flags) and also sets the CSRF cookie whose token the pages
repeat in their forms. A session that must still change its one-time password or confirm a
second factor may only do that (``OWN_SESSION``: the page reads its own cookie); every other
signed-in page sends it here (see ``errors.restricted_redirect``).

An unknown login, a wrong password and a wrong code look the same; a refusal for too many
attempts says how long to wait. ``next`` is followed only to a path of this site.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlsplit

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jcm.domain.errors import InvalidInput, RateLimited, Unauthenticated
from jcm.domain.identity.actions import IDENTITY as RULES
from jcm.domain.identity.actions import OWN_SESSION
from jcm.domain.identity.cycle_actions import CYCLE_ROLES
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.api.routing import context
from jcm.entrypoints.api.security import SESSION_COOKIE
from jcm.entrypoints.web.i18n import N_
from jcm.entrypoints.web.listing import refuse_unknown_filter
from jcm.entrypoints.web.pages import CSRF_COOKIE, CSRF_FIELD, PageRouter
from jcm.entrypoints.web.render import page

router = PageRouter()
F = TypeVar("F", bound=Callable[..., Any])

PASSWORD_PAGE = "/account/password"
SECOND_FACTOR_PAGE = "/account/second-factor"
_MAX_NEXT = 1000
Next = Annotated[str | None, Query(max_length=_MAX_NEXT)]
CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=512)]
NextField = Annotated[str, Form(max_length=_MAX_NEXT)]

WRONG_CREDENTIALS = N_("The login, the password or the code is not right.")
WAIT = N_("Too many failed attempts. Wait %(seconds)s seconds before trying again.")
WRONG_PASSWORD = N_("The current password is not right.")
MISMATCH = N_("The two new passwords are not the same.")
WEAK_PASSWORD = N_(
    "The new password must be 12 to 256 characters long and differ from the old one."
)
BAD_CODE = N_("The code does not match. Enter the code your app shows now.")


def local_target(given: str | None, fallback: str) -> str:
    """``given`` if it is a path on this site, else ``fallback``: never another site (no
    scheme, no host, no ``//`` or backslash a browser would read as one, no control
    characters)."""
    if not given or len(given) > _MAX_NEXT:
        return fallback
    if not given.startswith("/") or given.startswith("//") or "\\" in given:
        return fallback
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in given):
        return fallback
    parts = urlsplit(given)
    if parts.scheme or parts.netloc:
        return fallback
    return given


def with_next(path: str, target: str) -> str:
    return f"{path}?next={quote(target, safe='')}"


def _anonymous(request: Request) -> Caller:
    """The sign-in form never reads the session cookie: a stale or restricted one must not
    stop anyone from signing in again."""
    return Caller(None, frozenset(), frozenset(), context(request).services(None))


def _public_form(method: str, path: str) -> Callable[[F], F]:
    return router.endpoint(
        method,
        path,
        access=RULES["login"],
        response_class=HTMLResponse,
        include_in_schema=False,
        caller_dependency=_anonymous,
        refuse_unknown=refuse_unknown_filter,
    )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"  # as the API's session route: Secure outside loopback


def _landing(request: Request, organisation: str) -> str:
    """Where a signed-in person goes by default: its work queue when it has cycle work."""
    roles = context(request).identity.roles_of(organisation)
    return "/work" if roles & CYCLE_ROLES else "/"


# -- signing in -----------------------------------------------------------------------------
@_public_form("GET", "/login")
def login_page(request: Request, next: Next = None) -> HTMLResponse:
    return page(request, "sign_in/login.html", {"next": local_target(next, "")})


@_public_form("POST", "/login")
def login(
    request: Request,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    totp: Annotated[str, Form(max_length=12)] = "",
    next: NextField = "",
) -> Response:
    client = request.client.host if request.client else "unknown"
    shown = {"next": local_target(next, ""), "login": login}
    try:
        started = context(request).identity.login(login, password, client, totp.strip() or None)
    except RateLimited as refused:
        wait = refused.details.get("retry_after", "")
        problem = {"message": WAIT, "seconds": wait, "code": refused.code}
        headers = {"Retry-After": str(wait)} if wait != "" else {}
        return page(
            request,
            "sign_in/login.html",
            {**shown, "problem": problem},
            status_code=429,
            headers=headers,
        )
    except Unauthenticated as refused:
        problem = {"message": WRONG_CREDENTIALS, "code": refused.code}
        return page(request, "sign_in/login.html", {**shown, "problem": problem}, status_code=401)
    target = local_target(next, _landing(request, started.principal.organisation_id))
    if started.must_change_password:
        target = with_next(PASSWORD_PAGE, target)
    elif started.second_factor_owed:
        target = with_next(SECOND_FACTOR_PAGE, target)
    response = RedirectResponse(target, status_code=303)
    for name, value in ((SESSION_COOKIE, started.session_token), (CSRF_COOKIE, started.csrf_token)):
        response.set_cookie(
            name, value, httponly=True, samesite="strict", secure=_secure(request), path="/"
        )
    return response


@router.page("POST", "/logout", access=OWN_SESSION)
def logout(request: Request, csrf: CsrfField = "") -> Response:
    identity = context(request).identity
    token = _own_session(request, csrf)
    identity.logout(token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def _own_session(request: Request, csrf: str | None = None) -> str:
    """The caller's session token; with ``csrf`` (a form post), the form's token checked."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 512:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in first.")
    if csrf is not None:
        context(request).identity.check_csrf(token, csrf)
    return token


def _own_page(
    request: Request, template: str, values: dict[str, object], status: int = 200
) -> HTMLResponse:
    """A page of the caller's own session: its forms repeat the CSRF cookie's token."""
    request.state.csrf_token = request.cookies.get(CSRF_COOKIE)
    return page(request, template, values, status_code=status)


def _after_restriction(request: Request, token: str, next_: str) -> RedirectResponse:
    """The next thing the session owes, or the page it was going to."""
    status = context(request).identity.session_status(token)
    target = local_target(next_, _landing(request, status.principal.organisation_id))
    if status.must_change_password:
        target = with_next(PASSWORD_PAGE, target)
    elif status.second_factor_owed:
        target = with_next(SECOND_FACTOR_PAGE, target)
    return RedirectResponse(target, status_code=303)


# -- the one-time password ------------------------------------------------------------------
@router.page("GET", PASSWORD_PAGE, access=OWN_SESSION)
def password_page(request: Request, next: Next = None) -> HTMLResponse:
    status = context(request).identity.session_status(_own_session(request))
    values = {"next": local_target(next, ""), "status": status}
    return _own_page(request, "sign_in/password.html", values)


@router.page("POST", PASSWORD_PAGE, access=OWN_SESSION)
def change_password(
    request: Request,
    old: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
    confirm: Annotated[str, Form(max_length=1024)],
    csrf: CsrfField = "",
    next: NextField = "",
) -> Response:
    token = _own_session(request, csrf)
    identity = context(request).identity
    message = MISMATCH if new != confirm else None
    if message is None:
        try:
            identity.change_password(token, old, new)
        except Unauthenticated:
            message = WRONG_PASSWORD
        except InvalidInput as refused:
            if refused.code != "K5_WEAK_PASSWORD":
                raise
            message = WEAK_PASSWORD
    if message is not None:
        values = {
            "next": local_target(next, ""),
            "status": identity.session_status(token),
            "problem": {"message": message},
        }
        return _own_page(request, "sign_in/password.html", values, status=422)
    return _after_restriction(request, token, next)


# -- the second factor ----------------------------------------------------------------------
@router.page("GET", SECOND_FACTOR_PAGE, access=OWN_SESSION)
def second_factor_page(request: Request, next: Next = None) -> HTMLResponse:
    status = context(request).identity.session_status(_own_session(request))
    values = {"next": local_target(next, ""), "status": status}
    return _own_page(request, "sign_in/second_factor.html", values)


@router.page("POST", SECOND_FACTOR_PAGE, access=OWN_SESSION)
def enrol(request: Request, csrf: CsrfField = "", next: NextField = "") -> HTMLResponse:
    """A new secret, shown once in this answer (as the API's ``POST /session/totp``)."""
    token = _own_session(request, csrf)
    identity = context(request).identity
    enrolment = identity.enrol_totp(token)
    values = {
        "next": local_target(next, ""),
        "status": identity.session_status(token),
        "enrolment": enrolment,
    }
    return _own_page(request, "sign_in/second_factor.html", values)


@router.page("POST", SECOND_FACTOR_PAGE + "/confirm", access=OWN_SESSION)
def confirm(
    request: Request,
    code: Annotated[str, Form(max_length=12)],
    csrf: CsrfField = "",
    next: NextField = "",
) -> Response:
    token = _own_session(request, csrf)
    identity = context(request).identity
    try:
        identity.confirm_totp(token, code.strip())
    except InvalidInput as refused:
        if refused.code != "K5_BAD_TOTP":
            raise
        values = {
            "next": local_target(next, ""),
            "status": identity.session_status(token),
            "confirming": True,
            "problem": {"message": BAD_CODE},
        }
        return _own_page(request, "sign_in/second_factor.html", values, status=422)
    return _after_restriction(request, token, next)
