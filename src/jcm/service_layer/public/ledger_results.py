"""What the public ledger views return: issuances, cancellations and retirements, the serial
search, each as frozen dataclasses the pages, their exports and the API render alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

JAPAN = "JP"  # Japan's registry; every other registry is a partner country's


@dataclass(frozen=True)
class Article6Status:
    """The Article 6.2 state of a transaction's units as they are now: how many are
    authorised (and for which uses), first-transferred, and correspondingly adjusted."""

    quantity: int
    authorised: int
    uses: tuple[str, ...]  # the authorised uses found among the units (ndc, oimp)
    first_transferred: int
    ca_applied: int
    ca_pending: int


@dataclass(frozen=True)
class IssuanceFilter:
    """The issuance list's filters (every field optional; upper-case codes)."""

    registry: str | None = None
    country: str | None = None  # the project's partner country
    project: str | None = None
    year: int | None = None  # calendar year (UTC) of the issuance


@dataclass(frozen=True)
class RetirementFilter:
    """The list of cancellations and retirements: its filters."""

    registry: str | None = None
    kind: str | None = None  # cancellation | retirement
    purpose: str | None = None  # a cancellation's purpose: ndc | oimp | voluntary
    project: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class IssuanceRow:
    transaction_id: int
    issued_at: datetime
    project: str
    project_title: str | None
    partner: str  # the project's partner country (ISO 3166-1 alpha-2)
    registry: str  # the issuing registry
    side: str  # "japan" or "partner": whose share of the JC decision this is
    decision_id: int
    decision_reference: str | None
    vintage: int
    period_seq: int
    period_start: date
    period_end: date
    quantity: int
    serials: tuple[str, ...]
    article6: Article6Status


@dataclass(frozen=True)
class RetirementRow:
    transaction_id: int
    at: datetime
    kind: str  # cancellation | retirement
    purpose: str | None  # a cancellation's: ndc | oimp | voluntary
    registry: str
    account: str | None  # the account the units came from
    projects: tuple[str, ...]
    partners: tuple[str, ...]
    vintages: tuple[int, ...]
    quantity: int
    serials: tuple[str, ...]
    beneficiary: str | None
    note: str | None
    article6: Article6Status


SEPARATOR = "; "  # between several values (projects, serial ranges) in one exported cell

# A cancellation or retirement as the exports write it: flat cells named by
# RETIREMENT_CELLS, several values already joined, the date as ISO text.
RetirementCells: TypeAlias = tuple[
    str,  # date
    int,  # transaction_id
    str,  # kind
    str | None,  # purpose
    str,  # registry
    str | None,  # account
    str,  # project_ids
    str,  # countries
    str,  # vintages
    int,  # quantity
    str,  # serial_numbers
    str | None,  # beneficiary
    str | None,  # reason
    str,  # article6_authorised_uses
    int,  # article6_authorised_quantity
    int,  # article6_first_transferred_quantity
    int,  # article6_adjusted_quantity
]
RETIREMENT_CELLS = (
    "date",
    "transaction_id",
    "kind",
    "purpose",
    "registry",
    "account",
    "project_ids",
    "countries",
    "vintages",
    "quantity",
    "serial_numbers",
    "beneficiary",
    "reason",
    "article6_authorised_uses",
    "article6_authorised_quantity",
    "article6_first_transferred_quantity",
    "article6_adjusted_quantity",
)


@dataclass(frozen=True)
class IssuancePage:
    rows: tuple[IssuanceRow, ...]
    next_cursor: int | None  # the ``_cursor`` of the next page (older rows); None at the end
    size: int


@dataclass(frozen=True)
class RetirementPage:
    rows: tuple[RetirementRow, ...]
    next_cursor: int | None
    size: int


@dataclass(frozen=True)
class BlockEvent:
    """One transaction that touched a block's units."""

    transaction_id: int
    kind: str
    at: datetime
    registry: str
    source: str | None
    destination: str | None
    serials: str  # the range the transaction touched (it contains the block)


@dataclass(frozen=True)
class FoundBlock:
    """A homogeneous block of the searched units: where it is now and its whole history."""

    serials: str  # the part of the block inside the searched range
    quantity: int
    registry: str
    account: str
    account_type: str
    account_status: str
    status: str  # held | cancelled | retired
    authorised_uses: tuple[str, ...]
    first_transferred: bool
    ca_status: str
    history: tuple[BlockEvent, ...]  # oldest first
    certificate: int | None  # the cancellation or retirement that put the units here


@dataclass(frozen=True)
class SerialSearch:
    query: str  # the range searched, normalised
    project: str
    partner: str
    vintage: int
    period_seq: int
    requested: int  # units in the searched range
    found: int  # units of the range found in the blocks shown
    blocks: tuple[FoundBlock, ...]
    truncated: bool  # more blocks (or history) than one search shows: narrow the range
