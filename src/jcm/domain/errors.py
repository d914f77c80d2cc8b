"""The one exception tree of the registry.

Every refusal the registry makes is a :class:`JcmError` with a stable ``code`` (from the
check catalogue in ``docs/checks.md``, modelled on the Kyoto ITL checks), a message that
names the values at fault and how to fix it, and ``details`` with those values as data.

    JcmError
    ├── InvalidInput            G1  malformed or out-of-range input
    ├── NotFound                G4  registry, account, decision or serial does not exist
    ├── RuleViolation               a registry rule refuses the command
    │   ├── AccountRuleViolation    A*  account types, terminal accounts, account state
    │   ├── UnitRuleViolation       U*  serials not held, overlapping, cancelled …
    │   ├── IssuanceRuleViolation   I*  double issuance, overlapping monitoring periods …
    │   └── Article6RuleViolation   T*  authorisation, first transfer, corresponding adjustment
    ├── IdempotencyConflict     G2  a key reused for a different command
    └── ConcurrencyConflict     G9  the database stayed busy; the command may be retried

Entry points map the tree to their medium (CLI exit status, HTTP problem+json) and never
show a traceback for these.
"""

from __future__ import annotations

from typing import Any


class JcmError(Exception):
    """A refused command. Nothing was changed."""

    http_status = 400

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InvalidInput(JcmError):
    http_status = 422


class NotFound(JcmError):
    http_status = 404


class RuleViolation(JcmError):
    http_status = 409


class AccountRuleViolation(RuleViolation):
    pass


class UnitRuleViolation(RuleViolation):
    pass


class IssuanceRuleViolation(RuleViolation):
    pass


class Article6RuleViolation(RuleViolation):
    pass


class IdempotencyConflict(JcmError):
    http_status = 409


class ConcurrencyConflict(JcmError):
    http_status = 503
