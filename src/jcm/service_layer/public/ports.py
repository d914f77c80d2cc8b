"""The read side the public views need, one query object per area."""

from __future__ import annotations

from typing import Protocol

from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.public.dashboard_ports import DashboardQueries
from jcm.service_layer.public.ledger_ports import LedgerQueries
from jcm.service_layer.public.project_ports import PortfolioStore, ProjectQueries


class PublicQueries(Protocol):
    @property
    def projects(self) -> ProjectQueries: ...
    @property
    def ledger(self) -> LedgerQueries: ...
    @property
    def dashboard(self) -> DashboardQueries: ...


class PublicUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also reads the public views and keeps the funded portfolio
    (``SqlUnitOfWork`` does)."""

    @property
    def public(self) -> PublicQueries: ...
    @property
    def portfolio(self) -> PortfolioStore: ...


class PublicUnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> PublicUnitOfWork: ...
