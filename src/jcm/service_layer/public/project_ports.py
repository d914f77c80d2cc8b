"""Ports of the project views: the funded portfolio as stored, the reference lists, and the
read-only queries of the project list and pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from jcm.domain.portfolio.model import FundedProject, PartnerCountry
from jcm.service_layer.public.project_results import (
    CountryTotals,
    IssuanceLine,
    ProjectFilter,
    ProjectRow,
)

CsvRows = list[tuple[int, dict[str, str]]]  # (line number, row by column name)


@dataclass(frozen=True)
class StoredFundedProject:
    project: FundedProject
    cycle_project_id: str | None
    imported_at: datetime


class PortfolioStore(Protocol):
    """The funded portfolio (pipeline projects) and the partner countries as stored."""

    def get_project(self, project_id: str) -> StoredFundedProject | None: ...
    def list_projects(self) -> list[StoredFundedProject]: ...
    def add_project(
        self, project: FundedProject, cycle_project_id: str | None, now: datetime
    ) -> None: ...
    def link_project(self, project_id: str, cycle_project_id: str) -> None: ...
    def get_country(self, code: str) -> PartnerCountry | None: ...
    def list_countries(self) -> list[PartnerCountry]: ...
    def add_country(self, country: PartnerCountry, now: datetime) -> None: ...


class ReferenceData(Protocol):
    """The seed lists as numbered rows: of ``text`` if given, else the packaged copy."""

    def project_rows(self, text: str | None = None) -> CsvRows: ...
    def country_rows(self, text: str | None = None) -> CsvRows: ...


class ProjectQueries(Protocol):
    """Read-only queries of this area."""

    def list_projects(
        self, filters: ProjectFilter, limit: int, offset: int, sort: str = "country"
    ) -> Sequence[ProjectRow]: ...
    def count_projects(self, filters: ProjectFilter) -> int: ...
    def project_row(self, project_id: str) -> ProjectRow | None: ...
    def issuance_lines(self, cycle_project_id: str) -> Sequence[IssuanceLine]: ...
    def country_totals(self) -> dict[str, CountryTotals]: ...
    def methodologies(self) -> list[str]: ...
