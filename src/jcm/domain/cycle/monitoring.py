"""Monitoring periods and their issuance requests: the states, the actions, the payloads
(verification, JC decision) and the :class:`MonitoringRequest` aggregate.

One :class:`MonitoringRequest` per monitoring period of a registered project: issuance is
decided per project and per monitoring period `[C:S7]`; the JC decides the amount, then each
government's registry manager issues its share in its own registry `[C:S10,S11]`. The
states follow research ``jcm_rules.md`` §1.5 (`[I]`). Which step leads where is in
:data:`~jcm.domain.cycle.monitoring_transitions.MONITORING_TRANSITIONS`; the steps
themselves are in :mod:`jcm.domain.cycle.monitoring_steps`, their guards in
:mod:`jcm.domain.cycle.monitoring_guards`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from jcm.domain.cycle.actors import Side
from jcm.domain.cycle.documents import DocumentRef
from jcm.domain.cycle.machine import HistoryEntry
from jcm.domain.registry.accounts import JAPAN
from jcm.domain.registry.allocation import AllocatedLine, AllocationShare
from jcm.domain.registry.issuance import MonitoringPeriod


class MonitoringState(StrEnum):
    REPORT_SUBMITTED = "report_submitted"
    UNDER_VERIFICATION = "under_verification"
    VERIFIED = "verified"
    NOT_VERIFIED = "not_verified"
    ISSUANCE_REQUESTED = "issuance_requested"
    UNDER_JC_CONSIDERATION = "under_jc_consideration"
    DECIDED = "decided"
    PARTIALLY_ISSUED = "partially_issued"
    ISSUED = "issued"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# States that no longer hold their monitoring period [I].
CLOSED_WITHOUT_DECISION = frozenset(
    {MonitoringState.NOT_VERIFIED, MonitoringState.REJECTED, MonitoringState.WITHDRAWN}
)


class MonitoringAction(StrEnum):
    SUBMIT_REPORT = "submit_report"
    START_VERIFICATION = "start_verification"
    VERIFY = "verify"
    GIVE_NEGATIVE_OPINION = "give_negative_opinion"
    REQUEST_ISSUANCE = "request_issuance"
    ACCEPT_ISSUANCE_REQUEST = "accept_issuance_request"
    DECIDE = "decide"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    RECORD_ISSUANCE = "record_issuance"


@dataclass(frozen=True, slots=True)
class Verification:
    """The TPE's verified emission reductions for the period, in whole tCO2."""

    verified_amount: int


@dataclass(frozen=True, slots=True)
class JcDecision:
    """The JC's issuance decision: amount (≤ verified [I]) and vintage; split per shares."""

    amount: int
    vintage: int
    remainder_to: str | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class MonitoringRequest:
    id: str  # "<project>-M<seq>", e.g. KE001-M001
    project_id: str
    seq: int
    period: MonitoringPeriod
    rule_book: str
    state: MonitoringState
    verifier: str | None = None
    verified_amount: int | None = None
    decision: JcDecision | None = None
    shares: tuple[AllocationShare, ...] = ()  # the project's shares when the JC decided
    lines: tuple[AllocatedLine, ...] = ()
    issued_sides: frozenset[Side] = frozenset()
    documents: tuple[DocumentRef, ...] = field(default_factory=tuple)
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)
    # What of the period's calculation is illustrative ("id", placeholder defaults): set by
    # the report, checked before verification and the JC decision. Empty when none.
    illustrative: tuple[str, ...] = ()

    @property
    def holds_period(self) -> bool:
        return self.state not in CLOSED_WITHOUT_DECISION

    @property
    def last_on(self) -> date | None:
        return self.history[-1].on if self.history else None

    def sides_with_share(self) -> frozenset[Side]:
        """The sides whose registry receives part of the decided amount."""
        return frozenset(
            Side.JAPAN if line.account_id[:2] == JAPAN else Side.PARTNER
            for line in self.lines
            if line.quantity > 0
        )


def monitoring_id(project_id: str, seq: int) -> str:
    return f"{project_id}-M{seq:03d}"
