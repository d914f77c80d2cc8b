"""Ledger rows to domain objects and back (registries, accounts, decisions, unit blocks)."""

from typing import Any

from sqlalchemy import (
    Row,
)

from jcm.adapters import schema as t
from jcm.domain.registry.accounts import (
    Account,
    AccountStatus,
    AccountType,
)
from jcm.domain.registry.article6 import Article6, AuthorisedUse, CaStatus, FirstTransferTrigger
from jcm.domain.registry.blocks import UnitBlock
from jcm.domain.registry.issuance import (
    DecisionStatus,
    IssuanceDecision,
    MonitoringPeriod,
)

_B = t.unit_blocks.c


ARTICLE6_CACHE: dict[tuple[Any, ...], Article6] = {}


def article6(row: Row[Any]) -> Article6:
    return article6_of(
        row.authorised_uses,
        row.authorisation_ref,
        row.first_transfer_trigger,
        bool(row.first_transferred),
        row.ca_status,
    )


def article6_of(
    uses: str, reference: str | None, trigger: str | None, first: bool, ca: str
) -> Article6:
    # Nearly all blocks share a handful of attribute combinations: build each once.
    key = (uses, reference, trigger, first, ca)
    found = ARTICLE6_CACHE.get(key)
    if found is None:
        uses, ref, trigger, first, ca = key
        found = Article6(
            frozenset(AuthorisedUse(u) for u in uses.split(",")) if uses else frozenset(),
            ref,
            FirstTransferTrigger(trigger) if trigger else None,
            first,
            CaStatus(ca),
        )
        if len(ARTICLE6_CACHE) < 10_000:
            ARTICLE6_CACHE[key] = found
    return found


def block_from_row(row: Row[Any]) -> UnitBlock:
    return UnitBlock(
        row.decision_id,
        row.serial_start,
        row.serial_end,
        row.origin_registry,
        row.registry,
        row.account_id,
        article6(row),
        row.id,
    )


# Column positions of unit_blocks rows read on the driver path (table order).
BLOCK_FIELDS = [c.name for c in t.unit_blocks.c]
assert BLOCK_FIELDS[:7] == [
    "id",
    "decision_id",
    "serial_start",
    "serial_end",
    "origin_registry",
    "registry",
    "account_id",
], "unit_blocks column order changed: update block_from_tuple"


def block_from_tuple(row: tuple[Any, ...]) -> UnitBlock:
    return UnitBlock(
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        article6_of(row[7], row[8], row[9], bool(row[10]), row[11]),
        row[0],
    )


def block_values(block: UnitBlock) -> dict[str, Any]:
    a6 = block.article6
    return {
        "decision_id": block.decision_id,
        "serial_start": block.start,
        "serial_end": block.end,
        "origin_registry": block.origin_registry,
        "registry": block.registry,
        "account_id": block.account_id,
        "authorised_uses": ",".join(sorted(u.value for u in a6.authorised_uses)),
        "authorisation_ref": a6.authorisation_ref,
        "first_transfer_trigger": a6.first_transfer_trigger.value
        if a6.first_transfer_trigger
        else None,
        "first_transferred": a6.first_transferred,
        "ca_status": a6.ca_status.value,
    }


def account_from_row(row: Row[Any]) -> Account:
    return Account(
        row.id,
        row.registry,
        AccountType(row.type),
        row.organisation_id,
        row.name,
        AccountStatus(row.status),
    )


def decision_from_row(row: Row[Any]) -> IssuanceDecision:
    return IssuanceDecision(
        row.id,
        row.project_id,
        MonitoringPeriod(row.period_start, row.period_end),
        row.vintage,
        row.period_seq,
        row.amount,
        DecisionStatus(row.status),
        row.reference,
    )
