"""Queries of the dashboard views: the ledger's flows of credits, the cycle's and the
funded portfolio's projects, and the partner countries' signing dates."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from jcm.domain.programme.figures import Flow, PartnerSigning


@dataclass(frozen=True, slots=True)
class CreditFlowRow:
    """Credits of one JC decision that went through ``flow`` in one month (Japan time)."""

    flow: Flow
    decision: int
    year: int
    month: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Watermark:
    """What the figures were computed from: the log's size (every committed change of the
    ledger and the cycle is an entry, in commit order), the last event (the same when the
    log is on) and a signature of the funded portfolio's table."""

    log_size: int
    last_event: int
    portfolio: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class CycleProjectRow:
    project: str
    registered: bool
    sectoral_scope: int | None


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """A funded project: its seed state (funded, operating, registered), its sector and the
    cycle project it became, if linked."""

    id: str
    state: str
    sector: str
    cycle_project: str | None


class DashboardQueries(Protocol):
    """Read-only queries of this area."""

    def watermark(self) -> Watermark: ...
    def credit_flows(self, logged: tuple[int, int] | None) -> list[CreditFlowRow]:
        """Flows of the transactions whose log entries are ``logged`` = [first, end) (every
        transaction when None)."""
        ...

    def decision_projects(self, decisions: Collection[int]) -> dict[int, tuple[str, str]]:
        """Each decision's project and partner country."""
        ...

    def cycle_projects(self) -> list[CycleProjectRow]: ...
    def portfolio(self) -> list[PortfolioRow]: ...
    def partner_signings(self) -> list[PartnerSigning]: ...
