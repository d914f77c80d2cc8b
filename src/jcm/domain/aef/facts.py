"""Ledger facts: what the registry recorded, as the AEF derivation reads it.

The same facts come from the database (the adapters read the tables) or from the
transparency log alone (verification replays the entries), so a submitted
report can be derived again and compared. Nothing here is computed: these are the
committed rows, in the order they were made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach


@dataclass(frozen=True, slots=True)
class AccountFact:
    id: str
    registry: str  # alpha-2 of the registry's Party
    type: str  # jcm.domain.registry.accounts.AccountType value
    organisation_id: str


@dataclass(frozen=True, slots=True)
class DecisionFact:
    """A Joint Committee issuance decision: serials 1..amount of a project and vintage."""

    id: int
    project_id: str  # its first two letters are the host (partner) Party
    vintage: int
    amount: int
    period_seq: int = 1  # the project's n-th decision (part of the serial text)

    @property
    def partner(self) -> str:
        return self.project_id[:2]


@dataclass(frozen=True, slots=True)
class RangeFact:
    decision_id: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TransactionFact:
    """A committed transaction: ``at`` is its unit of work's clock; ``detail`` as stored
    (purpose and ``ndc_year`` of a cancellation, ``reference`` of an authorisation, the
    issuance lines' accounts, ``reporting_year`` of a corresponding adjustment)."""

    id: int
    at: datetime
    kind: str  # jcm.domain.registry.transactions.TransactionKind value
    registry: str
    source: str | None
    destination: str | None
    detail: Mapping[str, Any]
    ranges: tuple[RangeFact, ...]


@dataclass(frozen=True)
class Register:
    """The cooperative-approach register as of the facts' time."""

    approaches: Mapping[str, CooperativeApproach] = field(default_factory=dict)
    # Every version of each authorisation, oldest first.
    authorisations: Mapping[str, Sequence[Authorisation]] = field(default_factory=dict)
    entities: Mapping[str, AuthorisedEntity] = field(default_factory=dict)

    def approach_of_partner(self, partner: str) -> CooperativeApproach | None:
        """The cooperative approach of the Japan–``partner`` JCM, if registered."""
        return next((a for a in self.approaches.values() if a.partner == partner), None)

    def authorisation(self, authorisation_id: str, on: datetime | None = None) -> Authorisation:
        """The latest version of an authorisation (made on or before ``on`` if given)."""
        versions = self.authorisations[authorisation_id]
        if on is not None:
            dated = [v for v in versions if v.authorised_on <= on.date()]
            return dated[-1] if dated else versions[0]
        return versions[-1]


@dataclass(frozen=True)
class LedgerFacts:
    accounts: Mapping[str, AccountFact]
    decisions: Mapping[int, DecisionFact]
    transactions: Sequence[TransactionFact]  # in commit order (transaction id)
    register: Register
