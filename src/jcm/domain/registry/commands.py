"""Commands: what a user asks the registry to do. Each is validated before any change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jcm.domain.registry.accounts import AccountStatus, AccountType, OrganisationKind
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger
from jcm.domain.registry.transactions import CancellationPurpose


@dataclass(frozen=True)
class CreateRegistry:
    code: str
    name: str | None = None


@dataclass(frozen=True)
class CreateOrganisation:
    registry: str
    name: str
    kind: OrganisationKind = OrganisationKind.COMPANY


@dataclass(frozen=True)
class OpenAccount:
    registry: str
    organisation_id: str
    type: AccountType
    name: str


@dataclass(frozen=True)
class SetRegistryActive:
    code: str
    active: bool
    reason: str | None = None


@dataclass(frozen=True)
class SetAccountStatus:
    account_id: str
    status: AccountStatus
    reason: str | None = None


@dataclass(frozen=True)
class RecordDecision:
    project_id: str
    period_start: date
    period_end: date
    vintage: int
    amount: int
    shares: tuple[AllocationShare, ...]
    remainder_to: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Issue:
    decision_id: int
    registry: str


@dataclass(frozen=True)
class Move:
    """Transfer, external transfer, cancellation or retirement of units from ``source``.

    Either ``quantity`` (lowest serials first: oldest decision, then lowest serial) or
    ``serials`` (one explicit serial range) selects the units.
    """

    source: str
    destination: str | None = None  # None: the registry's cancellation/retirement account
    quantity: int | None = None
    serials: str | None = None
    purpose: CancellationPurpose | None = None
    beneficiary: str | None = None
    note: str | None = None
    ndc_year: int | None = None  # a use towards an NDC: the year it counts for (T8)


@dataclass(frozen=True)
class Authorise:
    """Units authorised under a registered authorisation (``reference``: its id), which
    gives the uses and the first-transfer trigger; given here too, they must be its."""

    account_id: str
    uses: frozenset[AuthorisedUse] | None = None
    reference: str = ""
    trigger: FirstTransferTrigger | None = None
    quantity: int | None = None
    serials: str | None = None


@dataclass(frozen=True)
class ApplyCorrespondingAdjustment:
    serials: str
    reporting_year: int
    note: str | None = None


@dataclass(frozen=True)
class Batch:
    """Moves of one kind committed together: all or nothing."""

    moves: tuple[Move, ...] = field(default_factory=tuple)
