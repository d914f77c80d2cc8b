"""The authenticated caller of a use case, and what the log records of it.

A ``Principal`` is built by an entry point from credentials it has checked (a session
cookie or an API token over HTTP; the operator's console on the server for the CLI). It
never comes from a request body: the authenticated identity, not a flag, decides who acts.
Roles are not carried here: the service looks the organisation's roles up in the register
when it authorises, so a revoked role takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """What an API token may be used for. A person's session holds every scope; a token
    holds the scopes it was created with (never more than its organisation's roles allow)."""

    REGISTRY_READ = "registry:read"
    REGISTRY_MOVE = "registry:move"
    REGISTRY_ISSUE = "registry:issue"
    CYCLE_SUBMIT = "cycle:submit"
    CYCLE_VERIFY = "cycle:verify"
    CYCLE_DECIDE = "cycle:decide"
    MRV_SUBMIT = "mrv:submit"
    ADMIN = "admin"


ALL_SCOPES = frozenset(Scope)


class Channel(StrEnum):
    """How a step reached the registry: through the API by an authenticated user or token,
    or from the operator's console on the server on an organisation's behalf."""

    API = "api"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Principal:
    organisation_id: str
    user_id: str | None  # None for an API token not tied to a person, or the bare operator
    channel: Channel
    scopes: frozenset[Scope] = ALL_SCOPES
    token_id: str | None = None  # the public id of the API token used, if any
    # A person who manages the users of its own organisation (never an API token).
    organisation_admin: bool = False

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes

    def attribution(self) -> dict[str, str]:
        """What a log entry records of who took the step (never a secret): ``organisation``
        (absent for the operator's own set-up acts), ``via`` (api or operator), ``user`` and
        ``token`` when present."""
        record = {"via": self.channel.value}
        if self.organisation_id:
            record["organisation"] = self.organisation_id
        if self.user_id is not None:
            record["user"] = self.user_id
        if self.token_id is not None:
            record["token"] = self.token_id
        return record


def operator_for(organisation_id: str) -> Principal:
    """The CLI on the server acting on ``organisation_id``'s behalf (logged as such)."""
    return Principal(organisation_id, None, Channel.OPERATOR)


# The operator's console acting for no organisation: set-up (registries, organisations,
# accounts, actors, rule books, Article 6 acts of a Party, key rotation). Its entries say
# ``{"via": "operator"}``.
OPERATOR = Principal("", None, Channel.OPERATOR)

_ATTRIBUTION_KEYS = frozenset({"organisation", "via", "user", "token"})


def principal_of_attribution(record: object) -> Principal:
    """The principal a logged ``actor`` object names (scopes are not logged: every scope).

    Raises ``ValueError`` for a malformed record: not an object, unknown keys, values that
    are not non-empty text, an unknown channel, or an API step with no organisation.
    """
    if not isinstance(record, dict) or not set(record) <= _ATTRIBUTION_KEYS:
        raise ValueError(f"the actor {record!r} is not an attribution object")
    if not all(isinstance(v, str) and v for v in record.values()):
        raise ValueError(f"the actor {record!r} has a value that is not non-empty text")
    try:
        channel = Channel(str(record.get("via")))
    except ValueError:
        raise ValueError(f"the actor {record!r} names no known channel (via)") from None
    organisation = record.get("organisation", "")
    if channel is Channel.API and not organisation:
        raise ValueError(f"the actor {record!r} took a step through the API for no organisation")
    return Principal(organisation, record.get("user"), channel, ALL_SCOPES, record.get("token"))
