"""Logging in, sessions, the second factor and API token authentication.

A session's token and CSRF token are random (256 bits) and stored only as SHA-256 hashes.
An unknown login, a wrong password, a disabled user and a missing or wrong TOTP code all get
the same answer (``K1_UNAUTHENTICATED``) and count as a failure for the login and for the
client address; past the policy's thresholds each further attempt must wait twice as long
(``K3_TOO_MANY_ATTEMPTS`` with ``retry_after``), checked before the password is.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from jcm.domain.errors import Forbidden, InvalidInput, JcmError, RuleViolation, Unauthenticated
from jcm.domain.identity import credentials as cr
from jcm.domain.identity.principal import ALL_SCOPES, Channel, Principal
from jcm.service_layer.identity.register import roles_held
from jcm.service_layer.identity.results import SessionStarted, SessionStatus, TotpEnrolment
from jcm.service_layer.ports import PasswordHasher, Totp, UnitOfWork

LOGIN, CLIENT = "login", "client"
LAST_USED_EVERY = timedelta(seconds=60)  # how often a token's last use is written


def unauthenticated() -> Unauthenticated:
    return Unauthenticated("K1_UNAUTHENTICATED", "Sign in or present an API token.")


def refuse_if_blocked(uow: UnitOfWork, login: str, client: str) -> None:
    for kind, subject in ((LOGIN, login), (CLIENT, client)):
        found = uow.identity.attempts(kind, subject)
        cr.refuse_while_blocked(found.blocked_until if found else None, uow.now)


def record_failure(uow: UnitOfWork, policy: cr.IdentityPolicy, login: str, client: str) -> None:
    window = timedelta(minutes=policy.failure_window_minutes)
    for kind, subject, threshold in (
        (LOGIN, login, policy.login_threshold),
        (CLIENT, client, policy.client_threshold),
    ):
        found = uow.identity.locked_attempts(kind, subject, uow.now)
        recent = uow.now - found.last_failure_at < window
        failures = (found.failures if recent else 0) + 1
        wait = policy.backoff(failures, threshold)
        blocked = uow.now + wait if wait else None
        uow.identity.put_attempts(kind, subject, cr.Attempts(failures, uow.now, blocked))


def login(
    uow: UnitOfWork,
    policy: cr.IdentityPolicy,
    passwords: PasswordHasher,
    totp: Totp,
    dummy_hash: str,
    credentials: tuple[str, str, str, str | None],
) -> SessionStarted | JcmError:
    """The session, or the refusal to raise once the failure is committed."""
    login_name, password, client, code = credentials
    login_key, client_key = login_name.strip().lower()[:64], client.strip()[:200] or "unknown"
    refuse_if_blocked(uow, login_key, client_key)
    user = uow.identity.user_by_login(login_key)
    if user is None:
        passwords.verify(dummy_hash, password)  # the same work as for a known login
        ok = False
    else:
        ok = passwords.verify(user.password_hash, password) and user.status == "active"
        if ok and user.totp_enabled:
            ok = (
                code is not None
                and user.totp_secret is not None
                and totp.verify(user.totp_secret, code, uow.now)
            )
    if not ok or user is None:
        record_failure(uow, policy, login_key, client_key)
        return unauthenticated()
    uow.identity.put_attempts(LOGIN, login_key, None)
    if passwords.needs_rehash(user.password_hash):
        uow.identity.update_user(user.id, password_hash=passwords.hash(password))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = uow.now + timedelta(hours=policy.session_hours)
    owed = not user.totp_enabled and policy.needs_second_factor(
        roles_held(uow, user.organisation_id)
    )
    uow.identity.add_session(
        cr.SessionRecord(cr.digest(token), user.id, cr.digest(csrf), not owed, uow.now, expires)
    )
    principal = Principal(
        user.organisation_id,
        user.id,
        Channel.API,
        ALL_SCOPES,
        organisation_admin=user.organisation_admin,
    )
    return SessionStarted(token, csrf, expires, user.must_change_password, principal, owed)


def _session(uow: UnitOfWork, token: str) -> tuple[cr.SessionRecord, cr.UserRecord]:
    if not isinstance(token, str) or not 0 < len(token) <= 200:
        raise unauthenticated()
    found = uow.identity.session(cr.digest(token))
    if found is None or found.expires_at <= uow.now:
        raise unauthenticated()
    user = uow.identity.user(found.user_id)
    if user is None or user.status != "active":
        raise unauthenticated()
    return found, user


def status(uow: UnitOfWork, policy: cr.IdentityPolicy, token: str) -> SessionStatus:
    session, user = _session(uow, token)
    needs = user.totp_enabled or policy.needs_second_factor(roles_held(uow, user.organisation_id))
    return SessionStatus(
        Principal(
            user.organisation_id,
            user.id,
            Channel.API,
            ALL_SCOPES,
            organisation_admin=user.organisation_admin,
        ),
        user.login,
        user.must_change_password,
        needs and not session.second_factor_passed,
        session.expires_at,
    )


def authenticate(found: SessionStatus) -> Principal:
    if found.must_change_password:
        raise Forbidden(
            "K2_PASSWORD_CHANGE_REQUIRED",
            "This session may only change the one-time password; change it first.",
        )
    if found.second_factor_owed:
        raise Forbidden(
            "K2_SECOND_FACTOR_REQUIRED",
            "This organisation's users need a second factor: enrol and confirm TOTP first.",
        )
    return found.principal


def check_csrf(uow: UnitOfWork, token: str, csrf: str) -> None:
    session, _ = _session(uow, token)
    if not isinstance(csrf, str) or not cr.same_digest(csrf, session.csrf_hash):
        raise Forbidden("K2_CSRF", "The form's CSRF token is missing or does not match.")


def change_password(
    uow: UnitOfWork, passwords: PasswordHasher, token: str, old: str, new: str
) -> None:
    session, user = _session(uow, token)
    if not passwords.verify(user.password_hash, old):
        raise unauthenticated()
    cr.check_new_password(new, old)
    uow.identity.update_user(user.id, password_hash=passwords.hash(new), must_change_password=False)
    # every other session of the user ends (a reset password may have leaked)
    uow.identity.delete_sessions(user_id=user.id)
    uow.identity.add_session(replace(session, created_at=uow.now))


def enrol_totp(uow: UnitOfWork, totp: Totp, token: str) -> TotpEnrolment:
    _, user = _session(uow, token)
    if user.totp_enabled:
        raise RuleViolation(
            "K5_TOTP_ENABLED", "A second factor is already confirmed for this user."
        )
    secret = totp.new_secret()
    uow.identity.update_user(user.id, totp_secret=secret)
    return TotpEnrolment(secret, totp.uri(secret, user.login))


def confirm_totp(uow: UnitOfWork, totp: Totp, token: str, code: str) -> None:
    session, user = _session(uow, token)
    if user.totp_enabled:
        raise RuleViolation(
            "K5_TOTP_ENABLED", "A second factor is already confirmed for this user."
        )
    if user.totp_secret is None:
        raise InvalidInput("K5_BAD_TOTP", "Enrol a second factor before confirming it.")
    if not isinstance(code, str) or not totp.verify(user.totp_secret, code, uow.now):
        raise InvalidInput("K5_BAD_TOTP", "The code does not match; use the current one.")
    uow.identity.update_user(user.id, totp_enabled=True)
    uow.identity.update_session(session.token_hash, second_factor_passed=True)


def authenticate_token(uow: UnitOfWork, token: str, now: datetime) -> tuple[Principal, bool]:
    """The token's principal, and whether its last use is due to be written (at most once a
    minute, so reading a token is not a write on every request)."""
    parts = cr.split_token(token)
    found = uow.identity.token(parts[0]) if parts else None
    if parts is None or found is None or not cr.same_digest(parts[1], found.secret_hash):
        raise unauthenticated()
    if not found.usable(now):
        raise unauthenticated()
    touch = found.last_used_at is None or now - found.last_used_at >= LAST_USED_EVERY
    # roles revoked since the token was made narrow it at once
    allowed = cr.allowed_scopes(roles_held(uow, found.organisation_id))
    principal = Principal(
        found.organisation_id, found.user_id, Channel.API, found.scopes & allowed, found.id
    )
    return principal, touch
