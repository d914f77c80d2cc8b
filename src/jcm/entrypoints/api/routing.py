"""Routes that cannot exist without an access rule, and the caller every route sees.

``Router.endpoint`` is the only way routes are added: it takes the route's
:class:`~jcm.domain.identity.access.AccessRule`, runs it before the endpoint (401 for no
credentials, 403 for a wrong role or scope), documents it in the OpenAPI document
(``x-jcm-access``) and refuses query parameters the route does not declare (a typo in a
filter is a 422 problem, never silently ignored). Rules that need the resource (the
account's holder) are checked by the endpoint with :func:`guard_account`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from jcm.domain import limits
from jcm.domain.errors import InvalidInput, Unauthenticated
from jcm.domain.identity.access import AccessRule, Holding, Resource, decide
from jcm.domain.identity.actions import OWN_SESSION
from jcm.entrypoints.api.context import ApiContext, Caller
from jcm.entrypoints.api.security import SESSION_COOKIE, bearer_token, principal_of

F = TypeVar("F", bound=Callable[..., Any])
# The rule of each endpoint function (routes are copied when routers are included, so the
# rule is kept by endpoint, not on the route object).
_RULES: dict[Callable[..., Any], AccessRule] = {}
_ALLOWED_QUERY: dict[Callable[..., Any], frozenset[str]] = {}
_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD


def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.jcm
    return ctx


def current_caller(request: Request) -> Caller:
    return caller_of(request)


def caller_of(request: Request, csrf: str | None = None) -> Caller:
    """The caller of ``request`` (``csrf``: a form's token, see :func:`principal_of`)."""
    ctx = context(request)
    token = bearer_token(request)
    if token is not None:  # the common machine case: one read for token, roles and registries
        principal, roles, administered = ctx.identity.token_access(token)
        return Caller(principal, roles, administered, ctx.services(principal))
    found = principal_of(request, ctx.identity, csrf)
    if found is None:
        return Caller(None, frozenset(), frozenset(), ctx.services(None))
    org = found.organisation_id
    return Caller(
        found,
        ctx.identity.roles_of(org),
        ctx.identity.registries_administered(org),
        ctx.services(found),
    )


CallerDep = Annotated[Caller, Depends(current_caller)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=120,
        description="Repeat-safe key: the same key with the same body returns the first "
        "response and changes nothing; with another body it is refused (409).",
    ),
]


def scoped_key(caller: Caller, key: str | None) -> str | None:
    """Idempotency keys are the caller's own: two organisations never share one."""
    if key is None:
        return None
    return f"{caller.organisation or 'public'}:{key}"


def _declared_query(route: APIRoute) -> frozenset[str]:
    allowed = _ALLOWED_QUERY.get(route.endpoint)
    if allowed is None:
        allowed = frozenset(_query_names(route.dependant))
        _ALLOWED_QUERY[route.endpoint] = allowed
    return allowed


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route declares, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _refuse_unknown_query(request: Request) -> None:
    unknown = unknown_query(request)
    if unknown:
        raise InvalidInput(
            "H2_UNKNOWN_PARAMETER",
            f"Unknown query parameter {unknown[0]!r}; this route takes "
            + (", ".join(declared_query(request)) or "none")
            + ".",
            unknown=unknown,
            allowed=declared_query(request),
        )


def declared_query(request: Request) -> list[str]:
    route = request.scope.get("route")
    return sorted(_declared_query(route)) if isinstance(route, APIRoute) else []


def unknown_query(request: Request) -> list[str]:
    """The query parameters of ``request`` its route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return []
    return sorted(set(request.query_params.keys()) - _declared_query(route))


def _refuse_control_characters(request: Request) -> None:
    """Path and query values are text like any other input: a control character (a NUL
    byte, say, which PostgreSQL cannot even compare) is refused before any look-up."""
    values = [(f"query parameter {k}", v) for k, v in request.query_params.multi_items()]
    values += [(f"path parameter {k}", str(v)) for k, v in request.path_params.items()]
    for field, value in values:
        limits.check_text(value, field, max_length=limits.MAX_ARGUMENT_LENGTH)


def _checks_only(request: Request) -> None:
    """The caller's own session routes read the cookie themselves (a restricted session may
    change its password or confirm its second factor); the rest of the gate still applies."""
    _refuse_unknown_query(request)
    _refuse_control_characters(request)
    if SESSION_COOKIE not in request.cookies:
        raise Unauthenticated("K1_UNAUTHENTICATED", "Sign in first (POST /api/v1/session).")


def _gate(
    access: AccessRule,
    caller_dependency: Callable[..., Any] = current_caller,
    refuse_unknown: Callable[[Request], None] = _refuse_unknown_query,
) -> Callable[..., None]:
    if access is OWN_SESSION:
        return _checks_only

    def gate(request: Request, caller: Caller) -> None:
        refuse_unknown(request)
        _refuse_control_characters(request)
        if access.resource in (Resource.ACCOUNT_HOLDER, Resource.REGISTRY):
            # The holder is checked with the account in hand (guard_account); the role
            # and scope parts of the rule are checked here.
            decide(
                AccessRule(access.public, access.scope, access.roles),
                caller.principal,
                caller.roles,
                admin_of=caller.admin_of,
            )
        else:
            decide(
                access,
                caller.principal,
                caller.roles,
                admin_of=caller.admin_of,
                organisation=request.path_params.get("organisation"),
            )

    # The caller's dependency varies per gate, so the signature is built here (a string
    # annotation naming a local could not be resolved by FastAPI).
    gate.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", _POSITIONAL, annotation=Request),
            inspect.Parameter(
                "caller", _POSITIONAL, annotation=Annotated[Caller, Depends(caller_dependency)]
            ),
        ],
        return_annotation=None,
    )
    return gate


def guard_account(caller: Caller, access: AccessRule, holder: str, registry: str) -> None:
    """The account's holder (or its registry's administrator) only; others get 404."""
    decide(
        access,
        caller.principal,
        caller.roles,
        holding=Holding(holder, registry),
        admin_of=caller.admin_of,
        registry=registry,
    )


class Router(APIRouter):
    def endpoint(
        self,
        method: str,
        path: str,
        *,
        access: AccessRule,
        status_code: int = 200,
        summary: str | None = None,
        responses: dict[int | str, dict[str, Any]] | None = None,
        response_class: type[Response] = JSONResponse,
        include_in_schema: bool = True,
        caller_dependency: Callable[..., Any] = current_caller,
        refuse_unknown: Callable[[Request], None] = _refuse_unknown_query,
    ) -> Callable[[F], F]:
        """Register ``func`` for ``method path`` under ``access`` (``response_class``: the
        media type the document gives the success response, e.g. ``PlainTextResponse``;
        ``caller_dependency``: how the gate finds the caller, the web pages' reads a form's
        CSRF token; ``refuse_unknown``: how an undeclared query parameter is refused)."""

        def register(func: F) -> F:
            self.add_api_route(
                path,
                func,
                methods=[method],
                status_code=status_code,
                summary=summary,
                include_in_schema=include_in_schema,
                dependencies=[Depends(_gate(access, caller_dependency, refuse_unknown))],
                openapi_extra={"x-jcm-access": access.describe()},
                responses=responses,
                response_class=response_class,
            )
            _RULES[func] = access
            return func

        return register


def access_of(route: APIRoute) -> AccessRule | None:
    return _RULES.get(route.endpoint)
