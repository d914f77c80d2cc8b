"""Monitoring periods: one calculation record per period from the monitored values.

The project's facts and fixed values are validated and its defaults selected once; each
period's monitored values (e.g. the month's kWh total) are validated and computed on their
own, so a bad value names its period. Periods must not overlap (a tonne is computed once);
they need not be contiguous. Each period's credited ER is floored on its own, so while no
period is negative the sum of the periods is never more than the floor of the summed
unrounded ER (conservative). A negative period is credited 0 and *not* netted against the
others (our choice; the research is silent): :attr:`MonitoringResult.netted_er` gives the
netted alternative, so that the issuance side can apply whichever rule the JCM confirms.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from jcm.domain.errors import InvalidInput, JcmError
from jcm.domain.methodologies.arithmetic import credited_tonnes
from jcm.domain.methodologies.engine import Methodology
from jcm.domain.methodologies.model import Facts
from jcm.domain.methodologies.record import CalculationRecord
from jcm.domain.registry.issuance import MonitoringPeriod


@dataclass(frozen=True, slots=True)
class PeriodValues:
    period: MonitoringPeriod
    monitored: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class MonitoringResult:
    methodology: str
    version: str
    records: tuple[CalculationRecord, ...]

    @property
    def total_er(self) -> int:
        """Σ credited ER_p (each already floored and clamped), whole tCO2."""
        return sum(record.er for record in self.records)

    @property
    def sum_er_unrounded(self) -> Decimal:
        """Σ ER_p before flooring and clamping (6 places; may be negative)."""
        return sum((record.er_unrounded for record in self.records), Decimal(0))

    @property
    def netted_er(self) -> int:
        """The alternative rule: negative periods netted, floored once, clamped at 0."""
        return credited_tonnes(self.sum_er_unrounded)


def monthly_periods(first_month: date, count: int) -> tuple[MonitoringPeriod, ...]:
    """``count`` calendar months from the month of ``first_month``, each first day to last."""
    periods = []
    year, month = first_month.year, first_month.month
    for _ in range(count):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        start = date(year, month, 1)
        periods.append(MonitoringPeriod(start, date(next_year, next_month, 1) - timedelta(1)))
        year, month = next_year, next_month
    return tuple(periods)


def compute_periods(
    methodology: Methodology,
    facts: Facts,
    fixed: Mapping[str, object],
    periods: Iterable[PeriodValues],
) -> MonitoringResult:
    """One record per period, in the order given; ``M9_OVERLAPPING_PERIODS`` on overlap."""
    prepared = methodology.prepare(facts, fixed)
    items = list(periods)
    ordered = sorted(items, key=lambda item: item.period.start)
    for before, after in itertools.pairwise(ordered):
        if before.period.overlaps(after.period):
            raise InvalidInput(
                "M9_OVERLAPPING_PERIODS",
                f"Monitoring periods {before.period} and {after.period} overlap; each day "
                "may be monitored in one period only.",
                period=str(before.period),
                other=str(after.period),
            )
    records = []
    for item in items:
        try:
            records.append(prepared.calculate(item.monitored, item.period))
        except JcmError as error:
            error.details["period"] = str(item.period)
            error.message = f"Monitoring period {item.period}: {error.message}"
            error.args = (error.message,)
            raise
    return MonitoringResult(methodology.id, methodology.version, tuple(records))
