"""What the identity use cases return: frozen dataclasses (their JSON form is the log's).

No result carries a secret or its hash, except the one-time password and the API token a
creation shows once (``UserCreated.password``, ``TokenCreated.token``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jcm.domain.identity.principal import Principal, Scope
from jcm.domain.registry.accounts import OrganisationKind
from jcm.service_layer.results import ChangeResult, JsonObject


@dataclass(frozen=True)
class OrganisationRegistered(ChangeResult):
    organisation: str
    registry: str | None
    name: str
    kind: OrganisationKind
    registered_by: JsonObject  # the principal's attribution (never a secret)


@dataclass(frozen=True)
class RoleGranted(ChangeResult):
    organisation: str
    role: str
    actor: JsonObject  # the role's codec document (side, partnership, designations)
    decision: str | None  # the JC decision appointing a JC member
    granted_by: JsonObject


@dataclass(frozen=True)
class RoleRevoked(ChangeResult):
    organisation: str
    role: str
    reason: str | None
    revoked_by: JsonObject


@dataclass(frozen=True)
class OrganisationSummary:
    organisation: str
    name: str
    registry: str | None
    kind: OrganisationKind
    roles: tuple[JsonObject, ...]  # each role's codec document


# -- users, sessions, tokens -------------------------------------------------------------------


@dataclass(frozen=True)
class UserCreated(ChangeResult):
    user: str
    organisation: str
    login: str
    name: str
    password: str  # shown once; must be changed at the first login
    must_change_password: bool = True


@dataclass(frozen=True)
class PasswordReset(ChangeResult):
    user: str
    login: str
    password: str  # shown once; must be changed at the next login


@dataclass(frozen=True)
class OrganisationAdminSet(ChangeResult):
    user: str
    organisation: str
    login: str
    organisation_admin: bool  # the flag now
    changed: bool  # False: the flag already was so, and nothing was logged


@dataclass(frozen=True)
class UserSummary:
    user: str
    organisation: str
    login: str
    name: str
    status: str
    must_change_password: bool
    second_factor: bool  # TOTP confirmed
    created_at: datetime
    organisation_admin: bool  # manages the people of its own organisation


@dataclass(frozen=True)
class SessionStarted:
    session_token: str  # for the HTTP-only cookie; stored only as its SHA-256
    csrf_token: str
    expires_at: datetime
    must_change_password: bool
    principal: Principal
    second_factor_owed: bool = False  # the session may only enrol and confirm TOTP


@dataclass(frozen=True)
class SessionStatus:
    """A valid session, including one that is restricted (``authenticate_session`` refuses
    those; ``session_status`` answers for the steps they may take)."""

    principal: Principal
    login: str
    must_change_password: bool
    second_factor_owed: bool
    expires_at: datetime


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # shown once, for the authenticator app
    uri: str  # otpauth:// URI (a QR code of it)


@dataclass(frozen=True)
class TokenCreated(ChangeResult):
    token_id: str
    token: str  # shown once; stored only as the SHA-256 of its secret part
    organisation: str
    name: str
    scopes: tuple[Scope, ...]
    expires_at: datetime


@dataclass(frozen=True)
class TokenRevoked(ChangeResult):
    token_id: str
    organisation: str
    revoked_by: JsonObject


@dataclass(frozen=True)
class TokenSummary:
    token_id: str
    organisation: str
    user: str | None
    name: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
