"""Users, sessions and API tokens: the rules, pure.

* A user belongs to one organisation and logs in with a ``login`` (lower case, bounded) and a
  password (12-256 characters); a created or reset password is shown once and must be
  changed at the first login.
* A second factor (TOTP, RFC 6238) is required, when the policy says so (on by default),
  for users of organisations holding ``registry_manager``, ``jc_member`` or
  ``administrator``: until it is confirmed their session can only enrol it.
* An API token carries scopes within what its organisation's roles allow
  (:data:`ROLE_SCOPES`), expires (1-366 days) and can be revoked.
* Failed logins are counted per login and per client address; past a threshold each further
  attempt waits twice as long as the one before (capped).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from jcm.domain.cycle.actors import Role
from jcm.domain.errors import Forbidden, InvalidInput, RateLimited
from jcm.domain.identity.cycle_actions import SCOPE_OF_ROLE
from jcm.domain.identity.principal import ALL_SCOPES, Scope

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
MIN_PASSWORD, MAX_PASSWORD = 12, 256

# What an organisation's roles allow its API tokens to do. Every organisation may read; each
# cycle role also gets the scope its steps need (cycle_actions.SCOPE_OF_ROLE: one table).
_EXTRA_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.PROJECT_PARTICIPANT: frozenset({Scope.REGISTRY_MOVE, Scope.MRV_SUBMIT}),
    Role.REGISTRY_MANAGER: frozenset({Scope.REGISTRY_ISSUE, Scope.REGISTRY_MOVE}),
    # A registry's administrator sets up its accounts (admin) and takes its Party's Article 6
    # acts (registry:issue: authorisations, corresponding adjustments).
    Role.REGISTRY_ADMIN: frozenset({Scope.REGISTRY_MOVE, Scope.REGISTRY_ISSUE, Scope.ADMIN}),
    Role.ADMINISTRATOR: ALL_SCOPES,
}
ROLE_SCOPES: Mapping[Role, frozenset[Scope]] = MappingProxyType(
    {
        role: _EXTRA_SCOPES.get(role, frozenset())
        | ({SCOPE_OF_ROLE[role]} if role in SCOPE_OF_ROLE else frozenset())
        for role in Role
    }
)
SECOND_FACTOR_ROLES = frozenset({Role.REGISTRY_MANAGER, Role.JC_MEMBER, Role.ADMINISTRATOR})


def allowed_scopes(roles: Iterable[Role]) -> frozenset[Scope]:
    # Every organisation may read, and move units out of the accounts it holds (the
    # account-holder rule still limits a move to the holder's own accounts).
    allowed = {Scope.REGISTRY_READ, Scope.REGISTRY_MOVE}
    for role in roles:
        allowed |= ROLE_SCOPES[role]
    return frozenset(allowed)


def check_scopes(organisation_id: str, scopes: frozenset[Scope], roles: Iterable[Role]) -> None:
    if not scopes:
        raise InvalidInput("K5_BAD_TOKEN", "An API token needs at least one scope.")
    beyond = scopes - allowed_scopes(roles)
    if beyond:
        raise Forbidden(
            "K2_SCOPE_NOT_ALLOWED",
            f"Organisation {organisation_id}'s roles do not allow the scopes "
            + ", ".join(sorted(s.value for s in beyond))
            + ".",
            organisation=organisation_id,
            scopes=sorted(s.value for s in beyond),
        )


@dataclass(frozen=True, slots=True)
class IdentityPolicy:
    """The platform's settings for people and machines (a rule-book-style setting)."""

    second_factor_required: bool = True
    session_hours: int = 12
    login_threshold: int = 5  # failures per login before backoff
    client_threshold: int = 20  # failures per client address before backoff
    first_backoff_seconds: int = 1
    max_backoff_seconds: int = 900
    max_token_days: int = 366
    failure_window_minutes: int = 60  # failures older than this are forgotten

    def needs_second_factor(self, roles: Iterable[Role]) -> bool:
        return self.second_factor_required and bool(SECOND_FACTOR_ROLES & set(roles))

    def backoff(self, failures: int, threshold: int) -> timedelta:
        """How long to wait after ``failures`` consecutive failures: nothing below the
        threshold, then 1 s, 2 s, 4 s … up to the cap."""
        if failures < threshold:
            return timedelta(0)
        exponent = min(failures - threshold, 30)
        seconds = min(self.first_backoff_seconds * 2**exponent, self.max_backoff_seconds)
        return timedelta(seconds=seconds)

    def token_expiry(self, now: datetime, days: int) -> datetime:
        if (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not 1 <= days <= self.max_token_days
        ):
            raise InvalidInput(
                "K5_BAD_TOKEN",
                f"An API token expires after 1 to {self.max_token_days} days, not {days!r}.",
                expires_in_days=repr(days)[:20],
            )
        return now + timedelta(days=days)


def check_login(login: str) -> str:
    if not isinstance(login, str) or not _LOGIN.match(login):
        raise InvalidInput(
            "K5_BAD_LOGIN",
            "A login is 2-64 lower-case letters, digits, dots, dashes, underscores or @, "
            "starting with a letter or digit.",
            login=str(login)[:80],
        )
    return login


def check_new_password(password: str, old: str | None = None) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            "K5_WEAK_PASSWORD",
            f"A password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long.",
        )
    if old is not None and password == old:
        raise InvalidInput("K5_WEAK_PASSWORD", "The new password must differ from the old one.")
    return password


def refuse_while_blocked(blocked_until: datetime | None, now: datetime) -> None:
    if blocked_until is not None and blocked_until > now:
        wait = math.ceil((blocked_until - now).total_seconds())
        raise RateLimited(
            "K3_TOO_MANY_ATTEMPTS",
            f"Too many failed logins; retry in {wait} seconds.",
            retry_after=wait,
        )


# -- stored records (hashes only; ``totp_secret`` is the one secret kept, to check codes) --------


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    organisation_id: str
    login: str
    display_name: str
    password_hash: str
    must_change_password: bool
    totp_secret: str | None
    totp_enabled: bool
    status: str  # active | disabled
    created_at: datetime
    # Manages the people of its own organisation (creates users, resets passwords).
    organisation_admin: bool = False


@dataclass(frozen=True, slots=True)
class SessionRecord:
    token_hash: str
    user_id: str
    csrf_hash: str
    second_factor_passed: bool
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    secret_hash: str
    organisation_id: str
    user_id: str | None
    name: str
    scopes: frozenset[Scope]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


@dataclass(frozen=True, slots=True)
class Attempts:
    failures: int
    last_failure_at: datetime
    blocked_until: datetime | None


def digest(secret: str) -> str:
    """What is stored of a session token, CSRF token or API token secret: its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(secret: str, stored: str) -> bool:
    return hmac.compare_digest(digest(secret), stored)


TOKEN_PREFIX = "jcm"


def split_token(token: str) -> tuple[str, str] | None:
    """``jcm_<public id>_<secret>`` → (public id, secret), or None when malformed."""
    parts = token.split("_", 2) if isinstance(token, str) and len(token) <= 200 else []
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]
