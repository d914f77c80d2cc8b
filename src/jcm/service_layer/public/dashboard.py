"""Use cases of the dashboard views: every figure the public dashboard draws, computed in
one read-only unit of work from the ledger, the cycle, the funded portfolio and the partner
list, beside the programme's published reference figures (``domain.programme.facts``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta, timezone

from jcm.domain.programme import facts
from jcm.domain.programme.facts import ProgrammeFact, Target
from jcm.domain.programme.figures import (
    Flow,
    FlowTotals,
    FunnelStage,
    PartnerDate,
    PartnerSigning,
    Progress,
    Stage,
    cumulative,
    fiscal_year_of,
    funnel,
    furthest_stage,
    partner_dates,
    partner_series,
    progress_to,
    sector_key,
    stage_counts,
    straight_line,
    tally,
)
from jcm.service_layer.public.dashboard_ports import CycleProjectRow, PortfolioRow, Watermark
from jcm.service_layer.public.dashboard_tally import FlowTally, ProjectFlow
from jcm.service_layer.public.ports import PublicUnitOfWorkFactory

JAPAN = timezone(timedelta(hours=9))  # fiscal years and "today" are Japan's


@dataclass(frozen=True, slots=True)
class CreditFigures:
    """Credits issued, cancelled and retired: totals, and per partner, sector, fiscal year."""

    total: FlowTotals
    by_partner: tuple[FlowTotals, ...]
    by_sector: tuple[FlowTotals, ...]
    by_fiscal_year: tuple[FlowTotals, ...]


@dataclass(frozen=True, slots=True)
class TargetFigures:
    """Cumulative credits issued per fiscal year against the FY2030 target, and the
    straight line still needed from today."""

    target: Target
    progress: Progress
    cumulative: tuple[tuple[int, int], ...]  # (fiscal year, issued up to its end or today)
    path: tuple[tuple[date, int], ...]


@dataclass(frozen=True, slots=True)
class PartnerFigures:
    target: Target
    series: tuple[tuple[int, int], ...]  # (calendar year, partners at its end)
    partners: tuple[PartnerDate, ...]


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    today: date  # in Japan
    credits: CreditFigures
    reductions: tuple[ProgrammeFact, ...]  # the programme's reference figures
    issued_here: int  # credits issued in this registry (the ledger)
    target: TargetFigures
    partners: PartnerFigures
    funnel: tuple[FunnelStage, ...]
    funnel_reference: tuple[ProgrammeFact, ...]


class DashboardViews:
    """The figures are kept until something they depend on changes (a log entry, the
    portfolio's table, the day): a page view then costs two small reads."""

    def __init__(self, uow: PublicUnitOfWorkFactory) -> None:
        self.uow = uow
        self._tally = FlowTally()
        self._kept: tuple[tuple[Watermark, date], DashboardFigures] | None = None

    def figures(self) -> DashboardFigures:
        with self.uow(read_only=True) as uow:
            q = uow.public.dashboard
            key = (q.watermark(), uow.now.astimezone(JAPAN).date())
            kept = self._kept
            if kept is not None and kept[0] == key:
                return kept[1]
            flows = self._tally.flows(q, key[0])
            cycle = q.cycle_projects()
            portfolio = q.portfolio()
            signings = q.partner_signings()
        figures = _figures(key[1], flows, cycle, portfolio, signings)
        self._kept = (key, figures)
        return figures


def _figures(
    today: date,
    flows: Sequence[ProjectFlow],
    cycle: Sequence[CycleProjectRow],
    portfolio: Sequence[PortfolioRow],
    signings: Sequence[PartnerSigning],
) -> DashboardFigures:
    credits = _credits(flows, cycle, portfolio)
    return DashboardFigures(
        today,
        credits,
        (facts.PORTFOLIO_REDUCTIONS, facts.PROGRAMME_CREDITS_ISSUED),
        credits.total.issued,
        _target(flows, today),
        _partners(partner_dates(signings, facts.PARTNER_COUNTS), today),
        tuple(funnel(stage_counts(_stages(flows, cycle, portfolio)))),
        (facts.FUNDED_PROJECTS, facts.OPERATING_PROJECTS, facts.REGISTERED_PROJECTS),
    )


def _credits(
    flows: Sequence[ProjectFlow],
    cycle: Sequence[CycleProjectRow],
    portfolio: Sequence[PortfolioRow],
) -> CreditFigures:
    scopes = {c.project: c.sectoral_scope for c in cycle}
    sectors = {p.cycle_project: p.sector for p in portfolio if p.cycle_project}
    sector = {f.project: sector_key(scopes.get(f.project), sectors.get(f.project)) for f in flows}
    total = tally(("all", f.flow, f.quantity) for f in flows)
    years = tally((str(f.fiscal_year), f.flow, f.quantity) for f in flows)
    return CreditFigures(
        total[0] if total else FlowTotals("all", 0, 0, 0),
        tuple(tally((f.partner, f.flow, f.quantity) for f in flows)),
        tuple(tally((sector[f.project], f.flow, f.quantity) for f in flows)),
        tuple(sorted(years, key=lambda t: int(t.key))),
    )


def _target(flows: Sequence[ProjectFlow], today: date) -> TargetFigures:
    issued: dict[int, int] = {}
    for f in flows:
        if f.flow is Flow.ISSUED:
            issued[f.fiscal_year] = issued.get(f.fiscal_year, 0) + f.quantity
    now = fiscal_year_of(today)
    first = min([*issued, now])
    series = cumulative(issued, first, now)
    achieved = series[-1][1] if series else 0
    progress = progress_to(facts.REDUCTIONS_TARGET, achieved, today)
    return TargetFigures(
        facts.REDUCTIONS_TARGET, progress, tuple(series), tuple(straight_line(progress))
    )


def _partners(dates: list[PartnerDate], today: date) -> PartnerFigures:
    target = facts.PARTNERS_TARGET
    last = max(today.year, target.by.year)
    return PartnerFigures(
        target, tuple(partner_series(dates, facts.FIRST_YEAR, last)), tuple(dates)
    )


def _stages(
    flows: Sequence[ProjectFlow],
    cycle: Sequence[CycleProjectRow],
    portfolio: Sequence[PortfolioRow],
) -> list[tuple[Stage, bool]]:
    issued = {f.project for f in flows if f.flow is Flow.ISSUED and f.quantity > 0}
    registered = {c.project for c in cycle if c.registered}
    linked = {p.cycle_project for p in portfolio if p.cycle_project}
    out: list[tuple[Stage, bool]] = []
    for p in portfolio:
        ref = p.cycle_project
        stage = furthest_stage(p.state, ref in registered, ref in issued)
        if stage is not None:
            out.append((stage, True))
    for project in sorted((registered | issued) - linked):
        stage = furthest_stage(None, project in registered, project in issued)
        if stage is not None:
            out.append((stage, False))
    return out
