"""Queries of the dashboard views: the ledger's flows of credits, the cycle's and the
funded portfolio's projects, and the partner countries' signing dates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from jcm.domain.programme.figures import Flow, PartnerSigning


@dataclass(frozen=True, slots=True)
class CreditFlowRow:
    """Credits of one project that went through ``flow`` in one month (Japan time)."""

    flow: Flow
    project: str
    partner: str
    year: int
    month: int
    quantity: int


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

    def credit_flows(self) -> list[CreditFlowRow]: ...
    def cycle_projects(self) -> list[CycleProjectRow]: ...
    def portfolio(self) -> list[PortfolioRow]: ...
    def partner_signings(self) -> list[PartnerSigning]: ...
