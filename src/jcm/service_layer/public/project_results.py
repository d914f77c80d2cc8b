"""Typed results of the project views (the pages, their exports and the CLI render them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jcm.domain.portfolio.model import PartnerCountry
from jcm.service_layer.cycle.results import MonitoringSummary


@dataclass(frozen=True)
class ProjectFilter:
    """The list's filters (each None: not filtered). ``state`` is the cycle state of a cycle
    project or of a funded project linked to one, else the funded project's seed state."""

    country: str | None = None
    sector: str | None = None
    technology: str | None = None
    methodology: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class ProjectRow:
    """One project of the public list: a funded project (with its cycle project's state and
    methodology when linked) or a cycle project that no funded project stands for."""

    id: str
    kind: str  # funded | cycle
    country: str
    title_ja: str
    title_en: str
    sector: str | None
    technology: str | None
    methodology: str | None
    state: str
    capacity_mw: Decimal | None
    support_scheme: str | None
    cycle_project_id: str | None
    registered_on: date | None
    credits_issued: int

    def title(self, language: str) -> str:
        return self.title_ja if language == "ja" else self.title_en


@dataclass(frozen=True)
class ProjectPage:
    rows: tuple[ProjectRow, ...]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class CycleStep:
    """One step of a cycle project's history, as the public sees it."""

    action: str
    state: str
    on: date
    organisation: str
    role: str
    documents: tuple[str, ...]  # sha256 of the public versions attached


@dataclass(frozen=True)
class PublicDocument:
    kind: str
    sha256: str
    media_type: str | None
    filename: str | None
    size: int | None


@dataclass(frozen=True)
class IssuanceLine:
    """One side's issuance of one JC decision."""

    decision: int
    vintage: int
    period_seq: int
    period_start: date
    period_end: date
    registry: str  # the issuing registry: JP (Japan's side) or the partner's
    quantity: int
    serials: str
    issued_on: date | None


@dataclass(frozen=True)
class ProjectDetail:
    row: ProjectRow
    eco_lease: bool | None
    storage_mwh: Decimal | None
    note: str
    history: tuple[CycleStep, ...] = ()
    documents: tuple[PublicDocument, ...] = ()
    monitoring_periods: tuple[MonitoringSummary, ...] = ()
    issuances: tuple[IssuanceLine, ...] = ()
    issued_japan: int = 0
    issued_partner: int = 0


@dataclass(frozen=True)
class CountryTotals:
    projects: int
    credits_issued: int


@dataclass(frozen=True)
class CountryView:
    country: PartnerCountry
    projects: int
    credits_issued: int


@dataclass(frozen=True)
class CountryDetail:
    country: PartnerCountry
    credits_issued: int
    projects: tuple[ProjectRow, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PortfolioImported:
    """What an import changed: counts of rows added (0 on a repeat) and links made."""

    countries_added: int
    countries_unchanged: int
    projects_added: int
    projects_unchanged: int
    links_made: int
