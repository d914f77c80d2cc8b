"""Use cases of the project views: importing the funded portfolio, the public project list
and project pages, and the partner-country pages.

Importing is a change of the registry's state: each partner country and funded project
added is one log entry (``jcm.domain.portfolio.entries``), written in the same database
transaction as its row, so verifying the log rebuilds both tables from it. A repeat
import finds every row already there, identical, and changes nothing; an import that would
change a stored row is refused whole (``P8_PORTFOLIO_CHANGED``): rows are never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from jcm.domain.cycle.documents import DocumentRef
from jcm.domain.cycle.project import Project
from jcm.domain.errors import InvalidInput, NotFound, RuleViolation
from jcm.domain.portfolio import entries
from jcm.domain.portfolio.model import (
    FundedProject,
    PartnerCountry,
    check_portfolio,
    country_from_row,
    project_from_row,
)
from jcm.service_layer.cycle import lookups as lk
from jcm.service_layer.cycle.results import MonitoringSummary
from jcm.service_layer.public.kept import Kept
from jcm.service_layer.public.ports import PublicUnitOfWork, PublicUnitOfWorkFactory
from jcm.service_layer.public.project_filters import check_filters, check_page, check_sort
from jcm.service_layer.public.project_ports import ReferenceData
from jcm.service_layer.public.project_results import (
    CountryDetail,
    CountryView,
    CycleStep,
    PortfolioImported,
    ProjectDetail,
    ProjectFilter,
    ProjectPage,
    ProjectRow,
    PublicDocument,
)

MAX_COUNTRY_PROJECTS = 1000  # a country page lists them all (Thailand has 51)


class ProjectViews:
    def __init__(
        self, uow: PublicUnitOfWorkFactory, reference: ReferenceData | None = None
    ) -> None:
        self.uow = uow
        self.reference = reference
        self._kept = Kept()  # lists and country pages, until the log or portfolio changes

    def acting(self, uow: PublicUnitOfWorkFactory) -> ProjectViews:
        """The same views over another unit of work: one acting for a principal, so that
        the import's log entries record who imported (the console: the operator)."""
        return ProjectViews(uow, self.reference)

    # -- importing --------------------------------------------------------------------------
    def read_lists(
        self, projects_text: str | None = None, countries_text: str | None = None
    ) -> tuple[list[FundedProject], list[PartnerCountry]]:
        """Parse and check the seed lists (the packaged copies when no text is given)."""
        if self.reference is None:
            raise RuntimeError("no reference data wired (bootstrap)")
        projects = [project_from_row(n, r) for n, r in self.reference.project_rows(projects_text)]
        countries = [country_from_row(n, r) for n, r in self.reference.country_rows(countries_text)]
        check_portfolio(projects, countries)
        return projects, countries

    def import_portfolio(
        self,
        projects: Sequence[FundedProject],
        countries: Sequence[PartnerCountry],
        links: Mapping[str, str] | None = None,
    ) -> PortfolioImported:
        """Add the countries and projects not yet stored, each with its log entry; link a
        funded project to its cycle project (``links``: funded id → cycle id)."""
        check_portfolio(list(projects), list(countries))
        links = dict(links or {})
        unknown = sorted(set(links) - {p.id for p in projects})
        if unknown:
            raise NotFound(
                "P8_UNKNOWN_FUNDED_PROJECT",
                f"No funded project {unknown[0]} to link.",
                project=unknown[0],
            )
        with self.uow() as uow:
            added_countries = sum(_import_country(uow, c) for c in countries)
            added, linked = 0, 0
            for project in projects:
                was_added, was_linked = _import_project(uow, project, links.get(project.id))
                added += was_added
                linked += was_linked
            uow.commit()
        return PortfolioImported(
            added_countries, len(countries) - added_countries, added,
            len(projects) - added, linked,
        )  # fmt: skip

    # -- the list -------------------------------------------------------------------------------
    def projects(
        self, filters: ProjectFilter, limit: int = 50, offset: int = 0, sort: str = "country"
    ) -> ProjectPage:
        """A page of the list; ``sort``: country (default), capacity, credits or state, a
        leading ``-`` for descending."""
        check_filters(filters)
        check_sort(sort)
        check_page(limit, offset)

        def read(uow: PublicUnitOfWork) -> ProjectPage:
            rows = uow.public.projects.list_projects(filters, limit, offset, sort)
            total = uow.public.projects.count_projects(filters)
            return ProjectPage(tuple(rows), total, limit, offset)

        return self._kept.answer(self.uow, ("projects", filters, limit, offset, sort), read)

    def methodologies(self) -> list[str]:
        """The methodologies the list's projects apply (the methodology filter's choices)."""
        with self.uow(read_only=True) as uow:
            return uow.public.projects.methodologies()

    # -- a project page --------------------------------------------------------------------------
    def project(self, project_id: str) -> ProjectDetail:
        with self.uow(read_only=True) as uow:
            row = uow.public.projects.project_row(project_id)
            if row is None:
                raise NotFound(
                    "P8_UNKNOWN_FUNDED_PROJECT",
                    f"No project {project_id[:40]}.",
                    project=project_id[:40],
                )
            stored = uow.portfolio.get_project(row.id) if row.kind == "funded" else None
            detail = ProjectDetail(
                row=row,
                eco_lease=stored.project.eco_lease if stored else None,
                storage_mwh=stored.project.storage_mwh if stored else None,
                note=stored.project.note if stored else "",
            )
            if row.cycle_project_id is not None:
                detail = _with_cycle(uow, detail, row.cycle_project_id)
        return detail

    # -- partner countries ----------------------------------------------------------------------
    def countries(self) -> list[CountryView]:
        return list(self._kept.answer(self.uow, "countries", _countries))

    def country(self, code: str) -> CountryDetail:
        return self._kept.answer(self.uow, ("country", code), lambda uow: _country(uow, code))


def _countries(uow: PublicUnitOfWork) -> tuple[CountryView, ...]:
    totals = uow.public.projects.country_totals()
    countries = uow.portfolio.list_countries()
    return tuple(
        CountryView(
            c,
            totals[c.code].projects if c.code in totals else 0,
            totals[c.code].credits_issued if c.code in totals else 0,
        )
        for c in countries
    )


def _country(uow: PublicUnitOfWork, code: str) -> CountryDetail:
    country = uow.portfolio.get_country(code)
    if country is None:
        raise NotFound("P8_UNKNOWN_PARTNER", f"No partner country {code[:8]!r}.", country=code[:8])
    rows = uow.public.projects.list_projects(ProjectFilter(country=code), MAX_COUNTRY_PROJECTS, 0)
    return CountryDetail(country, sum(r.credits_issued for r in rows), tuple(rows))


def _import_country(uow: PublicUnitOfWork, country: PartnerCountry) -> bool:
    stored = uow.portfolio.get_country(country.code)
    if stored is not None:
        if stored != country:
            raise RuleViolation(
                "P8_PORTFOLIO_CHANGED",
                f"Partner country {country.code} is already imported with other details.",
                country=country.code,
            )
        return False
    uow.portfolio.add_country(country, uow.now)
    uow.ledger.add_event(entries.COUNTRY_RECORDED, None, entries.country_change(country), uow.now)
    return True


def _check_link(uow: PublicUnitOfWork, project: FundedProject, cycle_id: str) -> None:
    cycle = lk.project_or_404(uow, cycle_id)
    if cycle.id[:2] != project.country:
        raise InvalidInput(
            "P8_PORTFOLIO_COUNTRY",
            f"Funded project {project.id} cannot stand for {cycle.id}, a project in another "
            "country.",
            project=project.id,
            cycle_project=cycle.id,
        )


def _import_project(
    uow: PublicUnitOfWork, project: FundedProject, cycle_id: str | None
) -> tuple[bool, bool]:
    """(added, linked) for one project; refuses a change to a stored one."""
    if cycle_id is not None:
        _check_link(uow, project, cycle_id)
    stored = uow.portfolio.get_project(project.id)
    if stored is None:
        uow.portfolio.add_project(project, cycle_id, uow.now)
        change = entries.project_change(project, cycle_id)
        uow.ledger.add_event(entries.PROJECT_IMPORTED, None, change, uow.now)
        return True, cycle_id is not None
    differs = stored.project != project
    relinked = cycle_id is not None and stored.cycle_project_id not in (None, cycle_id)
    if differs or relinked:
        raise RuleViolation(
            "P8_PORTFOLIO_CHANGED",
            f"Funded project {project.id} is already imported with other details.",
            project=project.id,
        )
    if cycle_id is None or stored.cycle_project_id == cycle_id:
        return False, False
    uow.portfolio.link_project(project.id, cycle_id)
    change = {"project": project.id, "cycle_project": cycle_id}
    uow.ledger.add_event(entries.PROJECT_LINKED, None, change, uow.now)
    return False, True


def _documents(refs: Sequence[DocumentRef]) -> tuple[PublicDocument, ...]:
    return tuple(
        PublicDocument(d.kind.value, d.sha256, d.media_type, d.filename, d.size)
        for d in refs
        if d.is_public
    )


def _history(project: Project) -> tuple[CycleStep, ...]:
    return tuple(
        CycleStep(
            h.action,
            h.target,
            h.on,
            h.organisation_id,
            h.role.value,
            tuple(d.sha256 for d in h.documents if d.is_public),
        )
        for h in project.history
    )


def _with_cycle(uow: PublicUnitOfWork, detail: ProjectDetail, cycle_id: str) -> ProjectDetail:
    """The cycle's part of a project page: history, public documents, monitoring periods
    and each side's issuances."""
    project = uow.cycle.get_project(cycle_id)
    if project is None:
        return detail
    periods = tuple(
        MonitoringSummary.of(r, d) for r, d in uow.cycle.monitoring_of_project(cycle_id)
    )
    lines = tuple(uow.public.projects.issuance_lines(cycle_id))
    japan = sum(line.quantity for line in lines if line.registry == "JP")
    return replace(
        detail,
        history=_history(project),
        documents=_documents(project.documents),
        monitoring_periods=periods,
        issuances=lines,
        issued_japan=japan,
        issued_partner=sum(line.quantity for line in lines) - japan,
    )


__all__ = ["ProjectRow", "ProjectViews"]
