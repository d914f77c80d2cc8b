"""Registries, accounts and the decision of a serial, looked up for the registry and cycle
use cases (NotFound or U1 when absent)."""

from __future__ import annotations

from jcm.domain.errors import (
    NotFound,
    UnitRuleViolation,
)
from jcm.domain.registry import policy
from jcm.domain.registry.accounts import Account, Registry
from jcm.domain.registry.issuance import IssuanceDecision
from jcm.domain.registry.serials import SerialRange
from jcm.service_layer.ports import Ledger


def find_registry(ledger: Ledger, code: str, *, lock: bool = False) -> Registry:
    found = (ledger.lock_registry if lock else ledger.get_registry)(code.upper())
    if found is None:
        raise NotFound(
            "G4_UNKNOWN_REGISTRY",
            f"There is no registry {code!r}.",
            registry=code,
        )
    return found


def active_registry(ledger: Ledger, code: str, *, lock: bool = False) -> Registry:
    """A registry that exists and is active (G4, G3)."""
    found = find_registry(ledger, code, lock=lock)
    policy.check_active(found)
    return found


def active_registries(ledger: Ledger, *codes: str) -> list[Registry]:
    return [find_registry(ledger, code) for code in dict.fromkeys(codes)]


def account_or_404(ledger: Ledger, account_id: str, *, lock: bool = False) -> Account:
    found = ledger.get_account(account_id.upper(), lock=lock)
    if found is None:
        raise NotFound(
            "G4_UNKNOWN_ACCOUNT",
            f"There is no account {account_id!r}.",
            account=account_id,
        )
    return found


def decision_of_serial(ledger: Ledger, text: str) -> tuple[SerialRange, IssuanceDecision]:
    """Parse a serial range and find the JC decision it belongs to (U1 when none does)."""
    serial = SerialRange.parse(text)
    decision = ledger.find_decision(serial.project, serial.period_seq)
    if decision is None or decision.vintage != serial.vintage:
        raise UnitRuleViolation(
            "U1_UNKNOWN_SERIAL",
            f"No issuance matches {serial.format()}: project {serial.project} has no "
            f"monitoring period {serial.period_seq} with vintage {serial.vintage}.",
            serials=serial.format(),
        )
    return serial, decision
