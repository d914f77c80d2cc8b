"""Credentials on a request: an API token (``Authorization: Bearer``) or a session cookie.

Sessions live on the server; the cookie holds only its random token (HTTP-only,
SameSite=Strict, Secure outside loopback). A state-changing request made with the cookie
must repeat the session's CSRF token in ``X-CSRF-Token``: another site can make a browser
send the cookie, never read the token.
"""

from __future__ import annotations

from fastapi import Request

from jcm.domain.errors import Unauthenticated
from jcm.domain.identity.principal import Principal
from jcm.service_layer.identity.service import IdentityService as Identity

SESSION_COOKIE = "jcm_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_CREDENTIAL = 512


def bearer_token(request: Request) -> str | None:
    """The API token of an ``Authorization: Bearer`` header (None: no such header)."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > _MAX_CREDENTIAL:
        raise Unauthenticated(
            "K1_UNAUTHENTICATED", "The Authorization header must be 'Bearer <API token>'."
        )
    return token.strip()


def principal_of(request: Request, identity: Identity, csrf: str | None = None) -> Principal | None:
    """The authenticated caller, None when no credentials came; bad ones are refused.

    ``csrf``: the CSRF token a web form posted (pages cannot set headers); by default the
    ``X-CSRF-Token`` header."""
    token = bearer_token(request)
    if token is not None:
        return identity.authenticate_token(token)
    session = request.cookies.get(SESSION_COOKIE)
    if session is None:
        return None
    if len(session) > _MAX_CREDENTIAL:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")
    principal = identity.authenticate_session(session)
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER, "") if csrf is None else csrf
        identity.check_csrf(session, given[:_MAX_CREDENTIAL])
    return principal
