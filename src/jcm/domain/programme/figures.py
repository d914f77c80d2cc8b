"""Pure computations behind the dashboard: Japanese fiscal years (April to March),
cumulative series, progress to a target with the straight-line path still needed, partner
countries over time and the projects' funnel. Quantities are whole tonnes (ints);
percentages are Decimals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from jcm.domain.programme.facts import ProgrammeFact, Target

FISCAL_YEAR_FIRST_MONTH = 4  # Japan's fiscal year N runs from 1 April N to 31 March N+1
_CENT = Decimal("0.01")
_DAYS_PER_YEAR = Decimal("365.25")


def fiscal_year(year: int, month: int) -> int:
    """The Japanese fiscal year of a calendar month: March 2027 is FY2026, April 2027 FY2027."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1-12")
    return year if month >= FISCAL_YEAR_FIRST_MONTH else year - 1


def fiscal_year_of(day: date) -> int:
    return fiscal_year(day.year, day.month)


def fiscal_year_end(fy: int) -> date:
    return date(fy + 1, 3, 31)


def cumulative(per_period: Mapping[int, int], first: int, last: int) -> list[tuple[int, int]]:
    """Running totals for every period ``first..last`` (periods without a value add 0); values
    before ``first`` are carried into the first total, values after ``last`` are left out."""
    running = sum(v for k, v in per_period.items() if k < first)
    out: list[tuple[int, int]] = []
    for period in range(first, last + 1):
        running += per_period.get(period, 0)
        out.append((period, running))
    return out


def percentage(part: int | Decimal, whole: int | Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, to two places (0 when the whole is 0)."""
    if whole == 0:
        return Decimal(0).quantize(_CENT)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far ``achieved`` is towards ``target`` on ``today`` and what is still needed."""

    achieved: int
    target: int
    by: date
    today: date
    share: Decimal  # percent of the target
    remaining: int
    days_left: int
    per_year_needed: int  # the straight line's slope from today to the target's date


def progress_to(target: Target, achieved: int, today: date) -> Progress:
    goal = int(target.value)
    remaining = max(goal - achieved, 0)
    days_left = max((target.by - today).days, 0)
    if remaining == 0:
        per_year = 0
    elif days_left == 0:
        per_year = remaining  # the date has passed: everything left is overdue
    else:
        per_year = int(
            (Decimal(remaining) * _DAYS_PER_YEAR / days_left).to_integral_value(ROUND_HALF_UP)
        )
    return Progress(
        achieved, goal, target.by, today, percentage(achieved, goal), remaining, days_left, per_year
    )


def straight_line(progress: Progress) -> list[tuple[date, int]]:
    """The path needed from today to the target: today's total, then one point at the end of
    each fiscal year up to the target's, on a straight line in time (empty once reached or
    past the date)."""
    if progress.remaining == 0 or progress.days_left == 0:
        return []
    points = [(progress.today, progress.achieved)]
    for fy in range(fiscal_year_of(progress.today), fiscal_year_of(progress.by) + 1):
        end = min(fiscal_year_end(fy), progress.by)
        days = (end - progress.today).days
        if days <= 0:
            continue
        share = Decimal(days) / Decimal(progress.days_left)
        value = progress.achieved + Decimal(progress.remaining) * share
        points.append((end, int(value.to_integral_value(ROUND_HALF_UP))))
    return points


# -- partner countries over time ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartnerSigning:
    """A partner country in the signing order; ``signed_on`` is None where no source dates it."""

    order: int
    country: str
    signed_on: date | None


@dataclass(frozen=True, slots=True)
class PartnerDate:
    """When a partner is counted from: its signing date, or else the first dated count in the
    sources that includes it (``known_from`` names that count)."""

    signing: PartnerSigning
    counted_from: date | None
    known_from: ProgrammeFact | None


def partner_dates(
    signings: Iterable[PartnerSigning], counts: Sequence[ProgrammeFact]
) -> list[PartnerDate]:
    by_date = sorted(counts, key=lambda f: f.as_of)
    out: list[PartnerDate] = []
    for signing in sorted(signings, key=lambda s: s.order):
        if signing.signed_on is not None:
            out.append(PartnerDate(signing, signing.signed_on, None))
            continue
        fact = next((f for f in by_date if f.value >= signing.order), None)
        out.append(PartnerDate(signing, fact.as_of if fact else None, fact))
    return out


def partners_at(dates: Iterable[PartnerDate], day: date) -> int:
    return sum(1 for d in dates if d.counted_from is not None and d.counted_from <= day)


def partner_series(dates: Sequence[PartnerDate], first: int, last: int) -> list[tuple[int, int]]:
    """Partner countries at the end of each calendar year ``first..last``."""
    return [(year, partners_at(dates, date(year, 12, 31))) for year in range(first, last + 1)]


# -- the projects' funnel ----------------------------------------------------------------------


class Stage(StrEnum):
    """A project's stages in order: financed, in operation, registered by the Joint
    Committee, credits issued."""

    FUNDED = "funded"
    OPERATING = "operating"
    REGISTERED = "registered"
    ISSUED = "issued"


STAGES = tuple(Stage)


@dataclass(frozen=True, slots=True)
class FunnelStage:
    stage: Stage
    projects: int
    share: Decimal  # percent of the first stage


def funnel(counts: Mapping[Stage, int]) -> list[FunnelStage]:
    """The stages in their order with each count as a share of the first stage's."""
    first = counts.get(STAGES[0], 0)
    return [FunnelStage(s, counts.get(s, 0), percentage(counts.get(s, 0), first)) for s in STAGES]


# -- credits by partner, sector and year -------------------------------------------------------


class Flow(StrEnum):
    ISSUED = "issuance"
    CANCELLED = "cancellation"
    RETIRED = "retirement"


_FLOW_INDEX = {Flow.ISSUED: 0, Flow.CANCELLED: 1, Flow.RETIRED: 2}  # FlowTotals' field order


@dataclass(frozen=True, slots=True)
class FlowTotals:
    """Credits issued, cancelled and retired in one category (a partner, sector or year)."""

    key: str
    issued: int
    cancelled: int
    retired: int


def tally(rows: Iterable[tuple[str, Flow, int]], order: Sequence[str] = ()) -> list[FlowTotals]:
    """(category, flow, quantity) rows summed per category: categories in ``order`` first in
    that order, the rest by most issued, then by key (a stable order for the charts)."""
    sums: dict[str, list[int]] = {}
    for key, flow, quantity in rows:
        per = sums.get(key)
        if per is None:
            per = sums[key] = [0, 0, 0]
        per[_FLOW_INDEX[flow]] += quantity
    totals = [FlowTotals(k, *v) for k, v in sums.items()]
    rank = {k: i for i, k in enumerate(order)}
    return sorted(totals, key=lambda t: (rank.get(t.key, len(rank)), -t.issued, t.key))


PORTFOLIO_STAGES = {
    "funded": Stage.FUNDED,
    "operating": Stage.OPERATING,
    "registered": Stage.REGISTERED,
}


def furthest_stage(portfolio_state: str | None, registered: bool, issued: bool) -> Stage | None:
    """The furthest stage a project is known to have reached: issued credits beat a
    registration, which beats the funded portfolio's own state ("funded", "operating",
    "registered"); None for a project none of these places."""
    if issued:
        return Stage.ISSUED
    if registered:
        return Stage.REGISTERED
    return PORTFOLIO_STAGES.get(portfolio_state or "")


def stage_counts(projects: Iterable[tuple[Stage, bool]]) -> dict[Stage, int]:
    """Projects that reached at least each stage, from (furthest stage, in the funded
    portfolio) pairs. Funded and operating are the portfolio's stages: a project outside it
    (proposed straight to the JCM cycle) counts only from registration on."""
    counts = dict.fromkeys(STAGES, 0)
    for furthest, funded in projects:
        reached = STAGES[: STAGES.index(furthest) + 1]
        for stage in reached:
            if funded or stage in (Stage.REGISTERED, Stage.ISSUED):
                counts[stage] += 1
    return counts


UNKNOWN_SECTOR = "unknown"


def sector_key(scope: int | None, portfolio_sector: str | None) -> str:
    """A project's sector for the charts: the cycle's sectoral scope where the project is in
    the cycle (``scope:3``), else the funded portfolio's sector (``sector:…``), else unknown."""
    if scope is not None:
        return f"scope:{scope}"
    if portfolio_sector:
        return f"sector:{portfolio_sector}"
    return UNKNOWN_SECTOR
