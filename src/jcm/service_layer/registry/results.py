"""What the registry's use cases return: frozen dataclasses, one per kind of answer.

Field names are the keys of the JSON form (``jcm.service_layer.results.to_json``), which is
what the CLI prints as JSON, what the idempotency store keeps and, for set-up
changes, the change recorded in the transparency log, so renaming a field changes all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from jcm.domain.registry.accounts import (
    Account,
    AccountStatus,
    AccountType,
    Organisation,
    OrganisationKind,
    Registry,
)
from jcm.domain.registry.issuance import DecisionStatus
from jcm.domain.registry.transactions import TransactionKind, TransactionRecord
from jcm.service_layer.results import OMIT_WHEN_DEFAULT, ChangeResult, JsonObject

# -- registries, organisations, accounts ----------------------------------------------------


@dataclass(frozen=True)
class RegistryInfo:
    registry: str
    name: str
    active: bool

    @classmethod
    def of(cls, registry: Registry) -> RegistryInfo:
        return cls(registry.code, registry.name, registry.active)


@dataclass(frozen=True)
class AccountInfo:
    account: str
    registry: str
    type: AccountType
    organisation: str
    name: str
    status: AccountStatus

    @classmethod
    def of(cls, account: Account) -> AccountInfo:
        return cls(
            account.id,
            account.registry,
            account.type,
            account.organisation_id,
            account.name,
            account.status,
        )


@dataclass(frozen=True)
class AccountOpened(AccountInfo, ChangeResult):
    pass


@dataclass(frozen=True)
class OrganisationInfo:
    organisation: str
    registry: str
    name: str
    kind: OrganisationKind

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationInfo:
        return cls(organisation.id, organisation.registry, organisation.name, organisation.kind)


@dataclass(frozen=True)
class OrganisationCreated(OrganisationInfo, ChangeResult):
    pass


@dataclass(frozen=True)
class RegistryCreated(ChangeResult):
    registry: str
    name: str
    government: str
    government_name: str
    accounts: tuple[AccountInfo, ...]


@dataclass(frozen=True)
class RegistryStatusChanged(ChangeResult):
    registry: str
    active: bool
    reason: str | None


@dataclass(frozen=True)
class AccountStatusChanged(ChangeResult):
    account: str
    status: AccountStatus
    previous: AccountStatus
    reason: str | None


# -- decisions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionLineInfo:
    line: int
    account: str
    registry: str
    share_pct: Decimal
    quantity: int
    receives_remainder: bool
    serials: str | None
    issued_in_transaction: int | None


@dataclass(frozen=True)
class DecisionInfo:
    decision: int
    project: str
    period_start: date
    period_end: date
    vintage: int
    period_seq: int
    amount: int
    status: DecisionStatus
    reference: str | None
    lines: tuple[DecisionLineInfo, ...]


@dataclass(frozen=True)
class DecisionRecorded(DecisionInfo, ChangeResult):
    pass


# -- transactions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TransactionResult(ChangeResult):
    """One committed transaction: issuance, a move, an authorisation or an adjustment."""

    transaction: int
    kind: TransactionKind
    registry: str
    source: str | None
    destination: str | None
    quantity: int
    serials: tuple[str, ...]
    detail: JsonObject
    # External transfers only: whether it was the units' first transfer (they are ITMOs).
    first_transfer: bool | None = field(default=None, kw_only=True, metadata=OMIT_WHEN_DEFAULT)

    @classmethod
    def of(cls, record: TransactionRecord) -> TransactionResult:
        assert record.id is not None, "a transaction has its id once flushed"
        return cls(
            record.id,
            record.kind,
            record.registry,
            record.source,
            record.destination,
            record.quantity,
            tuple(r.serial for r in record.ranges),
            dict(record.detail),
        )


@dataclass(frozen=True)
class IssuanceResult(TransactionResult):
    decision_status: DecisionStatus


@dataclass(frozen=True)
class BatchResult(ChangeResult):
    transactions: tuple[int, ...]
    count: int
    quantity: int


# -- reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """Units of one project, vintage and Article 6 status held in one account."""

    account: str
    registry: str
    type: AccountType
    project: str
    vintage: int
    period_seq: int
    origin: str
    authorised_uses: str
    first_transferred: bool
    ca_status: str
    quantity: int
    blocks: int


@dataclass(frozen=True)
class UnitLocation:
    serials: str
    quantity: int
    registry: str
    account: str
    authorised_uses: tuple[str, ...]
    authorisation_ref: str | None
    first_transfer_at: str | None
    first_transferred: bool
    corresponding_adjustment: str


@dataclass(frozen=True)
class HistoryEntry:
    transaction: int
    kind: TransactionKind
    at: datetime | None
    registry: str
    source: str | None
    destination: str | None
    serials: str
    detail: JsonObject


@dataclass(frozen=True)
class SerialLookup:
    serials: str
    decision: int
    project: str
    vintage: int
    requested: int
    issued: int
    locations: tuple[UnitLocation, ...]
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class TransactionRow:
    id: int
    kind: TransactionKind
    registry: str
    source: str | None
    destination: str | None
    quantity: int
    detail: JsonObject
    created_at: datetime


@dataclass(frozen=True)
class AuditReport:
    ok: bool
    problems: tuple[str, ...]
    decisions: int
    issued: int
    held: int
    cancelled: int
    retired: int
