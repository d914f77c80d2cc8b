"""Users and API tokens: created by an administrator (tokens also by the organisation's own
users), each creation and revocation a log entry without any secret or hash.

The one-time password and the token are in the result only: these commands take no
idempotency key, so no secret ever reaches the idempotency store.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import cast

from jcm.domain.cycle.actors import Role
from jcm.domain.errors import NotFound, RuleViolation
from jcm.domain.identity import credentials as cr
from jcm.domain.identity.access import Resource, decide, rule
from jcm.domain.identity.actions import IDENTITY
from jcm.domain.identity.principal import Channel, Principal, Scope
from jcm.domain.identity.register import (
    PLATFORM_ORGANISATION,
    GrantRole,
    RegisterOrganisation,
    check_name,
)
from jcm.service_layer.identity.register import (
    check_administrator,
    grant_role,
    organisation_or_404,
    register_organisation,
    roles_held,
)
from jcm.service_layer.identity.results import (
    OrganisationAdminSet,
    PasswordReset,
    TokenCreated,
    TokenRevoked,
    TokenSummary,
    UserCreated,
    UserSummary,
)
from jcm.service_layer.ports import PasswordHasher, UnitOfWork
from jcm.service_layer.results import JsonObject, to_json_object

OWN_TOKENS = rule(Scope.ADMIN, resource=Resource.OWN_ORGANISATION)


@dataclass(frozen=True)
class CreateUser:
    organisation_id: str
    login: str
    name: str
    organisation_admin: bool = False  # manages the people of its own organisation


@dataclass(frozen=True)
class CreateToken:
    organisation_id: str
    name: str
    scopes: frozenset[Scope]
    expires_in_days: int


def one_time_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


def check_people_admin(uow: UnitOfWork, by: Principal, organisation: str) -> None:
    """The organisation's people are managed by its own administrators or the platform's
    (the operator's console on the server, too): the API's and the pages' own rule."""
    if by.channel is Channel.OPERATOR:
        return
    decide(
        IDENTITY["create_user"], by, roles_held(uow, by.organisation_id), organisation=organisation
    )


def create_user(
    uow: UnitOfWork, cmd: CreateUser, by: Principal, passwords: PasswordHasher
) -> UserCreated:
    check_people_admin(uow, by, cmd.organisation_id)
    organisation_or_404(uow, cmd.organisation_id)
    login = cr.check_login(cmd.login)
    name = check_name(cmd.name, cmd.organisation_id)
    if uow.identity.user_by_login(login) is not None:
        raise RuleViolation("K5_LOGIN_TAKEN", f"The login {login} is already taken.", login=login)
    password = one_time_password()
    user = cr.UserRecord(
        id="u" + secrets.token_hex(8),
        organisation_id=cmd.organisation_id,
        login=login,
        display_name=name,
        password_hash=passwords.hash(password),
        must_change_password=True,
        totp_secret=None,
        totp_enabled=False,
        status="active",
        created_at=uow.now,
        organisation_admin=cmd.organisation_admin,
    )
    uow.identity.add_user(user)
    change: JsonObject = {
        "user": user.id,
        "organisation": user.organisation_id,
        "login": login,
        "name": name,
        "organisation_admin": cmd.organisation_admin,
        "created_by": _by(by),
    }
    uow.ledger.add_event("user_created", None, change, uow.now)
    return UserCreated(user.id, user.organisation_id, login, name, password)


def reset_password(
    uow: UnitOfWork, login: str, by: Principal, passwords: PasswordHasher
) -> PasswordReset:
    user = uow.identity.user_by_login(login)
    if user is None:
        check_administrator(uow, by)  # only the platform's administrator learns who is absent
        raise NotFound("K5_UNKNOWN_USER", f"There is no user {login!r}.", login=login[:80])
    check_people_admin(uow, by, user.organisation_id)
    password = one_time_password()
    uow.identity.update_user(
        user.id, password_hash=passwords.hash(password), must_change_password=True
    )
    uow.identity.delete_sessions(user_id=user.id)
    change: JsonObject = {"user": user.id, "login": user.login, "reset_by": _by(by)}
    uow.ledger.add_event("user_password_reset", None, change, uow.now)
    return PasswordReset(user.id, user.login, password)


def set_organisation_admin(
    uow: UnitOfWork,
    login: str,
    organisation_admin: bool,
    by: Principal,
    organisation: str | None = None,
) -> OrganisationAdminSet:
    """Grant or withdraw the flag that lets a user manage its organisation's people, by
    the same rule as creating users; a logged act, and nothing when the flag is already so.
    It takes effect at the user's next request: sessions read the user each time."""
    user = uow.identity.user_by_login(login)
    if user is None or organisation not in (None, user.organisation_id):
        # Only who manages the people of the organisation asked about (the platform's, when
        # none is named) learns that the login is absent; others are refused for that.
        check_people_admin(uow, by, organisation or PLATFORM_ORGANISATION)
        raise NotFound("K5_UNKNOWN_USER", f"There is no user {login!r}.", login=login[:80])
    check_people_admin(uow, by, user.organisation_id)
    if user.organisation_admin == organisation_admin:
        return OrganisationAdminSet(
            user.id, user.organisation_id, user.login, organisation_admin, changed=False
        )
    uow.identity.update_user(user.id, organisation_admin=organisation_admin)
    change: JsonObject = {
        "user": user.id,
        "organisation": user.organisation_id,
        "login": user.login,
        "organisation_admin": organisation_admin,
        "changed_by": _by(by),
    }
    uow.ledger.add_event("user_admin_changed", None, change, uow.now)
    return OrganisationAdminSet(
        user.id, user.organisation_id, user.login, organisation_admin, changed=True
    )


def user_summary(user: cr.UserRecord) -> UserSummary:
    return UserSummary(
        user.id,
        user.organisation_id,
        user.login,
        user.display_name,
        user.status,
        user.must_change_password,
        user.totp_enabled,
        user.created_at,
        user.organisation_admin,
    )


# -- API tokens --------------------------------------------------------------------------------


def check_token_manager(uow: UnitOfWork, by: Principal, organisation_id: str) -> None:
    """The operator, an administrator, or the organisation's own session or admin token."""
    if by.channel is Channel.OPERATOR:
        return
    decide(OWN_TOKENS, by, roles_held(uow, by.organisation_id), organisation=organisation_id)


def create_token(
    uow: UnitOfWork, cmd: CreateToken, by: Principal, policy: cr.IdentityPolicy
) -> TokenCreated:
    check_token_manager(uow, by, cmd.organisation_id)
    organisation_or_404(uow, cmd.organisation_id)
    name = check_name(cmd.name, cmd.organisation_id)
    cr.check_scopes(cmd.organisation_id, cmd.scopes, roles_held(uow, cmd.organisation_id))
    expires_at = policy.token_expiry(uow.now, cmd.expires_in_days)
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    user = by.user_id if by.organisation_id == cmd.organisation_id else None
    scopes = tuple(sorted(cmd.scopes))
    uow.identity.add_token(
        cr.TokenRecord(
            token_id,
            cr.digest(secret),
            cmd.organisation_id,
            user,
            name,
            frozenset(scopes),
            uow.now,
            expires_at,
            None,
            None,
        )
    )
    change: JsonObject = {
        "token": token_id,
        "organisation": cmd.organisation_id,
        "user": user,
        "name": name,
        "scopes": [s.value for s in scopes],
        "expires_at": expires_at.isoformat(),
        "created_by": _by(by),
    }
    uow.ledger.add_event("token_created", None, change, uow.now)
    token = f"{cr.TOKEN_PREFIX}_{token_id}_{secret}"
    return TokenCreated(token_id, token, cmd.organisation_id, name, scopes, expires_at)


def revoke_token(uow: UnitOfWork, token_id: str, by: Principal) -> TokenRevoked:
    found = uow.identity.token(token_id)
    if found is None:
        raise NotFound("K5_UNKNOWN_TOKEN", f"There is no API token {token_id!r}.", token=token_id)
    check_token_manager(uow, by, found.organisation_id)
    if found.revoked_at is not None:
        raise RuleViolation(
            "K5_TOKEN_REVOKED", f"API token {token_id} is already revoked.", token=token_id
        )
    uow.identity.update_token(token_id, revoked_at=uow.now)
    result = TokenRevoked(token_id, found.organisation_id, _by(by))
    uow.ledger.add_event("token_revoked", None, to_json_object(result), uow.now)
    return result


def token_summary(token: cr.TokenRecord) -> TokenSummary:
    return TokenSummary(
        token.id,
        token.organisation_id,
        token.user_id,
        token.name,
        tuple(sorted(token.scopes)),
        token.created_at,
        token.expires_at,
        token.revoked_at,
        token.last_used_at,
    )


def _by(principal: Principal) -> JsonObject:
    return cast(JsonObject, principal.attribution())


def create_administrator(
    uow: UnitOfWork, cmd: CreateUser, by: Principal, passwords: PasswordHasher
) -> UserCreated:
    """A user of the platform's organisation, registered (and granted the administrator
    role) first if absent: how the first administrator is made, in one unit of work."""
    check_administrator(uow, by)
    oid = cmd.organisation_id
    if uow.identity.find_organisation(oid) is None:
        register_organisation(uow, RegisterOrganisation(oid, "Platform administration"), by)
    if Role.ADMINISTRATOR not in roles_held(uow, oid):
        grant_role(uow, GrantRole(oid, Role.ADMINISTRATOR), by)
    return create_user(uow, cmd, by, passwords)
