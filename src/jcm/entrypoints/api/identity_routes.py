"""Sessions (people), the register of organisations, users, API tokens and webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from jcm.domain.cycle.actors import Role, Side
from jcm.domain.errors import Unauthenticated
from jcm.domain.identity.actions import IDENTITY as RULES
from jcm.domain.identity.principal import Principal, Scope
from jcm.domain.identity.register import GrantRole, RegisterOrganisation, RevokeRole
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, IdempotencyKey, Router, context, scoped_key
from jcm.entrypoints.api.schemas import Body
from jcm.entrypoints.api.security import CSRF_HEADER, SESSION_COOKIE
from jcm.service_layer.identity.accounts import CreateUser
from jcm.service_layer.results import to_json

router = Router(tags=["identity"])


class LoginBody(Body):
    login: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    totp: str | None = Field(None, max_length=12, description="The 6-digit code, if enrolled.")


class PasswordBody(Body):
    old: str = Field(max_length=1024)
    new: str = Field(max_length=1024)


class CodeBody(Body):
    code: str = Field(max_length=12)


class OrganisationBody(Body):
    organisation: str
    name: str
    registry: str | None = None


class GrantBody(Body):
    role: Role
    side: Side | None = None
    partner: str | None = None
    decision: str | None = Field(None, description="The JC decision appointing a JC member.")


class UserBody(Body):
    login: str
    name: str
    organisation_admin: bool = Field(
        False, description="The user manages its own organisation's people."
    )


class OrganisationAdminBody(Body):
    organisation_admin: bool = Field(
        description="True: the user manages its own organisation's people; false: no longer."
    )


class TokenBody(Body):
    name: str
    scopes: list[Scope]
    expires_in_days: int = Field(90, ge=1, le=366)


class WebhookBody(Body):
    url: str
    event_types: list[str]


def _session_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 512:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in first (POST /api/v1/session).")
    return token


def _own_session(request: Request, *, changes: bool) -> str:
    token = _session_token(request)
    if changes:
        context(request).identity.check_csrf(token, request.headers.get(CSRF_HEADER, "")[:512])
    return token


def _principal(caller: CallerDep) -> Principal:
    assert caller.principal is not None  # the route's rule refused anonymous callers
    return caller.principal


# -- sessions -------------------------------------------------------------------------------
@router.endpoint("POST", "/session", access=RULES["login"], status_code=201)
def login(body: LoginBody, request: Request) -> JSONResponse:
    """Sign in: a server-side session in an HTTP-only, SameSite=Strict cookie. Repeat the
    answer's `csrf_token` in `X-CSRF-Token` on every state-changing request."""
    client = request.client.host if request.client else "unknown"
    started = context(request).identity.login(body.login, body.password, client, body.totp)
    response = JSONResponse(
        {
            "organisation": started.principal.organisation_id,
            "user": started.principal.user_id,
            "csrf_token": started.csrf_token,
            "expires_at": started.expires_at.isoformat(),
            "must_change_password": started.must_change_password,
            "second_factor_owed": started.second_factor_owed,
        },
        status_code=201,
    )
    response.set_cookie(
        SESSION_COOKIE,
        started.session_token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.endpoint("GET", "/session", access=RULES["session"])
def session(request: Request) -> JSONResponse:
    """The caller's session: who, until when, and what it still owes."""
    return respond(context(request).identity.session_status(_session_token(request)))


@router.endpoint("DELETE", "/session", access=RULES["session"], status_code=204)
def logout(request: Request) -> Response:
    context(request).identity.logout(_own_session(request, changes=True))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.endpoint("PUT", "/session/password", access=RULES["session"], status_code=204)
def change_password(body: PasswordBody, request: Request) -> Response:
    token = _own_session(request, changes=True)
    context(request).identity.change_password(token, body.old, body.new)
    return Response(status_code=204)


@router.endpoint("POST", "/session/totp", access=RULES["session"], status_code=201)
def enrol_totp(request: Request) -> JSONResponse:
    """Start a second factor: the secret and otpauth URI for an authenticator app (once)."""
    enrolment = context(request).identity.enrol_totp(_own_session(request, changes=True))
    return JSONResponse(to_json(enrolment), status_code=201)


@router.endpoint("POST", "/session/totp/confirm", access=RULES["session"], status_code=204)
def confirm_totp(body: CodeBody, request: Request) -> Response:
    token = _own_session(request, changes=True)
    context(request).identity.confirm_totp(token, body.code)
    return Response(status_code=204)


# -- the register ---------------------------------------------------------------------------
@router.endpoint("GET", "/organisations", access=RULES["list_organisations"])
def list_organisations(
    caller: CallerDep, registry: Annotated[str | None, Query(max_length=2)] = None
) -> JSONResponse:
    """The register with each organisation's roles (others than administrators: their own)."""
    found = caller.services.identity.organisations(registry)
    if Role.ADMINISTRATOR not in caller.roles:
        found = [o for o in found if o.organisation == caller.organisation]
    return respond(found)


@router.endpoint("POST", "/organisations", access=RULES["register_organisation"], status_code=201)
def register_organisation(
    body: OrganisationBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    cmd = RegisterOrganisation(body.organisation, body.name, body.registry)
    result = caller.services.identity.register_organisation(
        cmd, _principal(caller), scoped_key(caller, key)
    )
    return respond(result, 201)


@router.endpoint(
    "POST", "/organisations/{organisation}/roles", access=RULES["grant_role"], status_code=201
)
def grant_role(
    organisation: str, body: GrantBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Grant a role the organisation does not hold (never an overwrite; JC members need
    the JC decision; TPE designations come only from JC decisions, not from grants)."""
    cmd = GrantRole(organisation, body.role, body.side, body.partner, body.decision)
    result = caller.services.identity.grant_role(cmd, _principal(caller), scoped_key(caller, key))
    return respond(result, 201)


@router.endpoint(
    "DELETE", "/organisations/{organisation}/roles/{role}", access=RULES["revoke_role"]
)
def revoke_role(
    organisation: str,
    role: Role,
    caller: CallerDep,
    reason: Annotated[str | None, Query(max_length=500)] = None,
    key: IdempotencyKey = None,
) -> JSONResponse:
    cmd = RevokeRole(organisation, role, reason)
    result = caller.services.identity.revoke_role(cmd, _principal(caller), scoped_key(caller, key))
    return respond(result)


# -- users and tokens -----------------------------------------------------------------------
@router.endpoint("GET", "/organisations/{organisation}/users", access=RULES["list_users"])
def list_users(organisation: str, caller: CallerDep) -> JSONResponse:
    return respond(caller.services.identity.users(organisation))


@router.endpoint(
    "POST", "/organisations/{organisation}/users", access=RULES["create_user"], status_code=201
)
def create_user(organisation: str, body: UserBody, caller: CallerDep) -> JSONResponse:
    """A user with a one-time password, shown in this answer only, to change at first
    login. Not repeatable with an idempotency key: the answer holds a secret."""
    cmd = CreateUser(organisation, body.login, body.name, body.organisation_admin)
    return respond(caller.services.identity.create_user(cmd, _principal(caller)), 201)


@router.endpoint(
    "PUT",
    "/organisations/{organisation}/users/{login}/organisation-admin",
    access=RULES["create_user"],
)
def set_organisation_admin(
    organisation: str, login: str, body: OrganisationAdminBody, caller: CallerDep
) -> JSONResponse:
    """Grant or withdraw the user's organisation-administrator flag (by the same rule as
    creating users). Setting the flag it already has changes and logs nothing
    (``changed`` false), so a repeat is harmless."""
    result = caller.services.identity.set_organisation_admin(
        login, body.organisation_admin, _principal(caller), organisation=organisation
    )
    return respond(result)


@router.endpoint("GET", "/organisations/{organisation}/tokens", access=RULES["manage_tokens"])
def list_tokens(organisation: str, caller: CallerDep) -> JSONResponse:
    return respond(caller.services.identity.tokens(organisation))


@router.endpoint(
    "POST",
    "/organisations/{organisation}/tokens",
    access=RULES["manage_tokens"],
    status_code=201,
)
def create_token(organisation: str, body: TokenBody, caller: CallerDep) -> JSONResponse:
    """An API token, shown in this answer only (stored hashed), within the scopes the
    organisation's roles allow."""
    result = caller.services.identity.create_token(
        _principal(caller), organisation, body.name, frozenset(body.scopes), body.expires_in_days
    )
    return respond(result, 201)


@router.endpoint(
    "DELETE", "/organisations/{organisation}/tokens/{token_id}", access=RULES["manage_tokens"]
)
def revoke_token(
    organisation: str, token_id: str, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    result = caller.services.identity.revoke_token(
        _principal(caller), token_id, scoped_key(caller, key)
    )
    return respond(result)


# -- webhooks -------------------------------------------------------------------------------
@router.endpoint("GET", "/organisations/{organisation}/webhooks", access=RULES["manage_webhooks"])
def list_webhooks(organisation: str, caller: CallerDep) -> JSONResponse:
    return respond(caller.services.webhooks.subscriptions(_principal(caller), organisation))


@router.endpoint(
    "POST",
    "/organisations/{organisation}/webhooks",
    access=RULES["manage_webhooks"],
    status_code=201,
)
def subscribe(
    organisation: str, body: WebhookBody, caller: CallerDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Subscribe to event types; the answer holds the signing secret (shown once)."""
    result = caller.services.webhooks.subscribe(
        _principal(caller),
        body.url,
        body.event_types,
        organisation=organisation,
        idempotency_key=key,
    )
    return respond(result, 201)


@router.endpoint(
    "DELETE",
    "/organisations/{organisation}/webhooks/{subscription}",
    access=RULES["manage_webhooks"],
)
def unsubscribe(organisation: str, subscription: str, caller: CallerDep) -> JSONResponse:
    return respond(caller.services.webhooks.unsubscribe(_principal(caller), subscription))


@router.endpoint(
    "GET", "/organisations/{organisation}/webhook-deliveries", access=RULES["manage_webhooks"]
)
def deliveries(
    organisation: str,
    caller: CallerDep,
    subscription: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JSONResponse:
    """The delivery log: each delivery with its attempts."""
    found = caller.services.webhooks.deliveries(
        _principal(caller), organisation, subscription, limit
    )
    return respond(found)


@router.endpoint(
    "POST",
    "/organisations/{organisation}/webhook-deliveries/{delivery}/redeliver",
    access=RULES["manage_webhooks"],
    status_code=202,
)
def redeliver(organisation: str, delivery: str, caller: CallerDep) -> JSONResponse:
    return respond(caller.services.webhooks.redeliver(_principal(caller), delivery), 202)
