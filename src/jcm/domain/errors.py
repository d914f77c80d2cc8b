"""The one exception tree of the product.

Everything the product raises to a user is a :class:`JcmError` with a stable ``code`` from
the catalogue in :mod:`jcm.domain.codes` (modelled on the Kyoto ITL checks), a message that
names the values at fault, and ``details`` with those values as data. Messages never name a
command of one entry point: the CLI and the HTTP API add their own hints.

    JcmError
    ├── Refusal                     a command is refused; nothing was changed
    │   ├── InvalidInput            malformed, out-of-range or incomplete input (422)
    │   │   └── BadQuery            H2  a list's unknown filter or column (400)
    │   ├── NotFound                a registry, account, decision, project … does not exist (404)
    │   ├── RuleViolation           a rule refuses the command (409)
    │   │   ├── AccountRuleViolation    A*, and the registry-wide G3–G7 checks
    │   │   ├── UnitRuleViolation       U*  serials not held, overlapping …
    │   │   ├── IssuanceRuleViolation   I*  double issuance, overlapping periods …
    │   │   └── Article6RuleViolation   T*  authorisation, first transfer, adjustment
    │   ├── Unauthenticated         K1  no valid credentials were presented (401)
    │   ├── Forbidden               K2  the caller is known but may not do this (403)
    │   ├── RateLimited             K3  too many attempts; retry after a pause (429)
    │   ├── IdempotencyConflict     G2  a key reused for a different command (409)
    │   └── ConcurrencyConflict     G9  the database stayed busy; retry (503)
    └── DataCorruption              stored data fails its own check (500): not the caller's
                                    fault, and never answered as a refusal

Which class each code is raised with is part of the catalogue, and a test checks every raise
site against it. Entry points map the tree to their medium (CLI exit status, HTTP
problem+json) and never show a traceback for these.
"""

from __future__ import annotations

from typing import Any


class JcmError(Exception):
    """Something the product tells a user, with a stable code."""

    http_status = 500

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class Refusal(JcmError):
    """A refused command. Nothing was changed."""

    http_status = 400


class InvalidInput(Refusal):
    http_status = 422


class BadQuery(InvalidInput):
    """A list was asked for a filter or a column it does not have: answered 400, as the
    public registry promises (never silently ignored)."""

    http_status = 400


class NotFound(Refusal):
    http_status = 404


class RuleViolation(Refusal):
    http_status = 409


class AccountRuleViolation(RuleViolation):
    pass


class UnitRuleViolation(RuleViolation):
    pass


class IssuanceRuleViolation(RuleViolation):
    pass


class Article6RuleViolation(RuleViolation):
    pass


class Unauthenticated(Refusal):
    """No credentials, or credentials that are unknown, expired or revoked."""

    http_status = 401


class Forbidden(Refusal):
    """The caller is authenticated but its organisation, role or scope does not allow this."""

    http_status = 403


class RateLimited(Refusal):
    """Too many attempts (logins); ``details['retry_after']`` says how many seconds to wait."""

    http_status = 429


class IdempotencyConflict(Refusal):
    http_status = 409


class ConcurrencyConflict(Refusal):
    http_status = 503


class DataCorruption(JcmError):
    """Stored data (a record, a document) fails its own integrity check."""

    http_status = 500
