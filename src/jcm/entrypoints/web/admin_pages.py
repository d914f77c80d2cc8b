"""The organisation's administration: users, API tokens and webhook subscriptions.

The rules are the API's (``domain/identity/actions.py`` ``IDENTITY``, checked again by the
services): an organisation's own people see its users and manage its tokens and webhooks;
its administrators (users so marked) and the platform's administrator create users and
reset passwords; only the platform's administrator may name another organisation
(``?organisation=`` on a page, the ``organisation`` field of a form). Another
organisation's pages are a 404, as in the API.

Changes are form posts with the CSRF field, answered by a redirect to the list (POST →
redirect → GET); a new password, token or signing secret is instead shown in the post's
own answer, once, never put in a URL or a cookie, and never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jcm.domain.errors import InvalidInput, JcmError
from jcm.domain.identity.access import AccessRule, decide
from jcm.domain.identity.actions import IDENTITY
from jcm.domain.identity.credentials import TOKEN_PREFIX, allowed_scopes
from jcm.domain.identity.principal import Principal, Scope
from jcm.domain.webhooks.events import EventType
from jcm.entrypoints.api.context import Caller
from jcm.entrypoints.web.account_moves import new_confirmation_key
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.service_layer.identity.accounts import CreateUser

router = PageRouter()

LIST_USERS = IDENTITY["list_users"]
CREATE_USER = IDENTITY["create_user"]  # also resetting a password: the organisation's admins
TOKENS = IDENTITY["manage_tokens"]
WEBHOOKS = IDENTITY["manage_webhooks"]
DELIVERIES = 20  # recent webhook deliveries on the page
NO_STORE = {"Cache-Control": "no-store"}

Organisation = Annotated[str | None, Query(max_length=64)]
Field = Annotated[str, Form(max_length=2000)]
OrganisationField = Annotated[str, Form(max_length=64)]


def on_page(rule: AccessRule) -> AccessRule:
    """A rule's role and scope part, for the page's gate; the organisation part is checked
    with the organisation in hand (:func:`organisation_of`), as the API's gate does with
    the organisation in the path."""
    return AccessRule(rule.public, rule.scope, rule.roles)


def organisation_of(caller: Caller, requested: str | None, rule: AccessRule) -> str:
    """The organisation a page is about (default: the caller's), if the caller may see it."""
    organisation = (requested or "").strip() or (caller.organisation or "")
    decide(
        rule,
        caller.principal,
        caller.roles,
        admin_of=caller.admin_of,
        organisation=organisation,
    )
    return organisation


def may_manage_people(caller: Caller, organisation: str) -> bool:
    """Whether the caller manages this organisation's users (the domain's rule)."""
    try:
        organisation_of(caller, organisation, CREATE_USER)
    except JcmError:
        return False
    return True


def principal(caller: Caller) -> Principal:
    assert caller.principal is not None  # every page here refuses anonymous callers first
    return caller.principal


def back_to(path: str, caller: Caller, organisation: str) -> RedirectResponse:
    """The list again (POST → redirect → GET), naming the organisation if not the caller's."""
    if organisation != caller.organisation:
        path += f"?organisation={quote(organisation, safe='')}"
    return RedirectResponse(path, status_code=303)


def _render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    error: JcmError | None = None,
) -> HTMLResponse:
    status = error.http_status if error is not None else 200
    return page(request, template, {**context, "error": error}, status_code=status)


def _refused_or(
    request: Request,
    listing: Callable[[], tuple[str, Mapping[str, Any]]],
    action: Callable[[], Response],
) -> Response:
    """``action``'s answer, or its refusal shown on the list page (code and message)."""
    try:
        return action()
    except JcmError as refusal:
        template, context = listing()
        return _render(request, template, context, refusal)


# -- users --------------------------------------------------------------------------------------


def _users(caller: Caller, organisation: str) -> tuple[str, dict[str, Any]]:
    return "admin/users.html", {
        "organisation": organisation,
        "users": caller.services.identity.users(organisation),
        "may_create": may_manage_people(caller, organisation),
    }


@router.page("GET", "/organisation/users", access=on_page(LIST_USERS))
def users(request: Request, caller: WebCallerDep, organisation: Organisation = None) -> Response:
    chosen = organisation_of(caller, organisation, LIST_USERS)
    template, context = _users(caller, chosen)
    return _render(request, template, context)


@router.page("POST", "/organisation/users", access=on_page(CREATE_USER))
def create_user(
    request: Request,
    caller: WebCallerDep,
    login: Annotated[str, Form(max_length=200)] = "",
    name: Field = "",
    organisation: OrganisationField = "",
    organisation_admin: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """A user with a one-time password, shown in this answer only."""
    chosen = organisation_of(caller, organisation, LIST_USERS)

    def create() -> Response:
        made = caller.services.identity.create_user(
            CreateUser(chosen, login.strip(), name.strip(), organisation_admin == "yes"),
            principal(caller),
        )
        context = {"organisation": chosen, "user": made, "login": made.login}
        return page(request, "admin/password.html", context, headers=NO_STORE)

    return _refused_or(request, lambda: _users(caller, chosen), create)


@router.page("POST", "/organisation/users/{login}/password", access=on_page(CREATE_USER))
def reset_password(
    login: str,
    request: Request,
    caller: WebCallerDep,
    organisation: OrganisationField = "",
) -> Response:
    """A new one-time password (the user's sessions end), shown in this answer only."""
    chosen = organisation_of(caller, organisation, LIST_USERS)

    def reset() -> Response:
        done = caller.services.identity.reset_password(login, principal(caller))
        context = {"organisation": chosen, "user": None, "login": done.login, "reset": done}
        return page(request, "admin/password.html", context, headers=NO_STORE)

    return _refused_or(request, lambda: _users(caller, chosen), reset)


@router.page("POST", "/organisation/users/{login}/organisation-admin", access=on_page(CREATE_USER))
def set_organisation_admin(
    login: str,
    request: Request,
    caller: WebCallerDep,
    organisation: OrganisationField = "",
    organisation_admin: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Grant (``yes``) or withdraw the user's organisation-administrator flag."""
    chosen = organisation_of(caller, organisation, LIST_USERS)

    def change() -> Response:
        caller.services.identity.set_organisation_admin(
            login, organisation_admin == "yes", principal(caller), organisation=chosen
        )
        return back_to("/organisation/users", caller, chosen)

    return _refused_or(request, lambda: _users(caller, chosen), change)


# -- API tokens ---------------------------------------------------------------------------------


def _tokens(caller: Caller, organisation: str) -> tuple[str, dict[str, Any]]:
    roles = caller.services.identity.roles_of(organisation)
    return "admin/tokens.html", {
        "organisation": organisation,
        "tokens": caller.services.identity.tokens(organisation),
        "scopes": sorted(allowed_scopes(roles)),
        "prefix": TOKEN_PREFIX,
    }


def _scopes(values: list[str]) -> frozenset[Scope]:
    try:
        return frozenset(Scope(v) for v in values)
    except ValueError:
        raise InvalidInput(
            "H2_BAD_REQUEST",
            "Unknown scope; choose from " + ", ".join(s.value for s in Scope) + ".",
        ) from None


def _days(text: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 4:
        raise InvalidInput(
            "K5_BAD_TOKEN", f"An API token expires after a whole number of days, not {text!r}."
        )
    return int(text.strip())


@router.page("GET", "/organisation/tokens", access=on_page(TOKENS))
def tokens(request: Request, caller: WebCallerDep, organisation: Organisation = None) -> Response:
    template, context = _tokens(caller, organisation_of(caller, organisation, TOKENS))
    return _render(request, template, context)


@router.page("POST", "/organisation/tokens", access=on_page(TOKENS))
def create_token(
    request: Request,
    caller: WebCallerDep,
    name: Field = "",
    scope: Annotated[list[str] | None, Form(alias="scope")] = None,
    expires_in_days: Annotated[str, Form(max_length=10)] = "90",
    organisation: OrganisationField = "",
) -> Response:
    """An API token, shown in this answer only (stored hashed)."""
    chosen = organisation_of(caller, organisation, TOKENS)

    def create() -> Response:
        made = caller.services.identity.create_token(
            principal(caller),
            chosen,
            name.strip(),
            _scopes(scope or []),
            _days(expires_in_days),
        )
        return page(
            request, "admin/token.html", {"organisation": chosen, "token": made}, headers=NO_STORE
        )

    return _refused_or(request, lambda: _tokens(caller, chosen), create)


@router.page("POST", "/organisation/tokens/{token_id}/revoke", access=on_page(TOKENS))
def revoke_token(
    token_id: str,
    request: Request,
    caller: WebCallerDep,
    organisation: OrganisationField = "",
) -> Response:
    chosen = organisation_of(caller, organisation, TOKENS)

    def revoke() -> Response:
        caller.services.identity.revoke_token(principal(caller), token_id)
        return back_to("/organisation/tokens", caller, chosen)

    return _refused_or(request, lambda: _tokens(caller, chosen), revoke)


# -- webhooks -----------------------------------------------------------------------------------


def _webhooks(caller: Caller, organisation: str) -> tuple[str, dict[str, Any]]:
    hooks = caller.services.webhooks
    return "admin/webhooks.html", {
        "organisation": organisation,
        "subscriptions": hooks.subscriptions(principal(caller), organisation),
        "deliveries": hooks.deliveries(principal(caller), organisation, None, DELIVERIES),
        "event_types": [e.value for e in EventType],
        # A double submission of the subscribe form replays the first (same secret).
        "key": new_confirmation_key(),
    }


@router.page("GET", "/organisation/webhooks", access=on_page(WEBHOOKS))
def webhooks(request: Request, caller: WebCallerDep, organisation: Organisation = None) -> Response:
    template, context = _webhooks(caller, organisation_of(caller, organisation, WEBHOOKS))
    return _render(request, template, context)


@router.page("POST", "/organisation/webhooks", access=on_page(WEBHOOKS))
def subscribe(
    request: Request,
    caller: WebCallerDep,
    url: Field = "",
    event_type: Annotated[list[str] | None, Form(alias="event_type")] = None,
    idempotency_key: Annotated[str, Form(max_length=200)] = "",
    organisation: OrganisationField = "",
) -> Response:
    """Subscribe; the signing secret is shown in this answer only."""
    chosen = organisation_of(caller, organisation, WEBHOOKS)

    def create() -> Response:
        made = caller.services.webhooks.subscribe(
            principal(caller),
            url.strip(),
            event_type or [],
            organisation=chosen,
            idempotency_key=idempotency_key.strip() or None,
        )
        context = {"organisation": chosen, "created": made}
        return page(request, "admin/webhook_secret.html", context, headers=NO_STORE)

    return _refused_or(request, lambda: _webhooks(caller, chosen), create)


@router.page("POST", "/organisation/webhooks/{subscription}/unsubscribe", access=on_page(WEBHOOKS))
def unsubscribe(
    subscription: str,
    request: Request,
    caller: WebCallerDep,
    organisation: OrganisationField = "",
) -> Response:
    chosen = organisation_of(caller, organisation, WEBHOOKS)

    def end() -> Response:
        caller.services.webhooks.unsubscribe(principal(caller), subscription)
        return back_to("/organisation/webhooks", caller, chosen)

    return _refused_or(request, lambda: _webhooks(caller, chosen), end)
