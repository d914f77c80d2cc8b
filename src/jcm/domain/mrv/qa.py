"""QA/QC of meter readings: the rules, their ids, and the versioned rule set's thresholds.

The checks themselves run vectorised over a partition in ``jcm.adapters.mrv`` (Polars, pvlib);
what they are, what they are called and every threshold they use are fixed here, so that a
QA report names the rule set version that produced it and can be reproduced offline.

**Conservative treatment** (research ``dmrv.md`` §2.4–2.5, CDM VVS): an interval carrying an
*excluding* flag earns no credit; a device past its calibration's ``valid_until`` has its
energy reduced by its maximum permissible error (``Q13``). Informational flags (a handled
counter rollover) change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum


class QaRule(StrEnum):
    GAP = "Q01_GAP"  # an expected interval has no reading
    DUPLICATE = "Q02_DUPLICATE"  # two readings for one (device, timestamp)
    OUT_OF_ORDER = "Q03_OUT_OF_ORDER"  # a timestamp earlier than its batch predecessor
    FUTURE = "Q04_FUTURE"  # a timestamp after the batch's receipt (+ tolerance)
    NEGATIVE = "Q05_NEGATIVE"  # negative interval energy or register value
    COUNTER_RESET = "Q06_COUNTER_RESET"  # a cumulative register went down, not near its max
    COUNTER_ROLLOVER = "Q07_COUNTER_ROLLOVER"  # went down near its max: delta = max+1−prev+cur
    METER_REPLACED = "Q08_METER_REPLACED"  # a replacement boundary: never differenced across
    STUCK = "Q09_STUCK"  # ≥ stuck_window identical non-zero readings in a row
    OVER_CAPACITY = "Q10_OVER_CAPACITY"  # Wh > nameplate × interval hours × margin
    NIGHT_GENERATION = "Q11_NIGHT_GENERATION"  # Wh > tolerance while the sun is below horizon
    DAILY_IMPLAUSIBLE = "Q12_DAILY_IMPLAUSIBLE"  # a day's yield above clear-sky × max ratio
    CALIBRATION_OVERDUE = "Q13_CALIBRATION_OVERDUE"  # energy reduced by the MPE


QA_RUN = "mrv_qa_run"  # the logged event of a run: project, period, rule set, report digests

# Flags that take an interval's energy out of the credited total.
EXCLUDING = frozenset(QaRule) - {
    QaRule.COUNTER_ROLLOVER,
    QaRule.METER_REPLACED,
    QaRule.CALIBRATION_OVERDUE,
    QaRule.GAP,  # a gap has no energy to exclude; it is reported, and nothing is estimated
}


@dataclass(frozen=True, slots=True)
class QaRuleSet:
    """Every threshold of the QA/QC job; a change is a new ``version``."""

    version: str = "mrv-qa-1.0"
    stuck_window: int = 6  # identical non-zero readings that make a stuck run
    capacity_margin: Decimal = Decimal("1.1")  # × nameplate × interval hours
    future_tolerance_seconds: int = 300  # clock ahead of receipt by more than this
    night_zenith_degrees: Decimal = Decimal("90")  # the sun below the horizon
    night_tolerance_wh_per_kw: Decimal = Decimal("1")  # per interval and kW of nameplate
    # An interval is night only if it ends this long before sunrise or starts this long
    # after sunset (the geometric sunrise and the equation of time are good to a few
    # minutes; refraction lifts the sun about 0.5° early).
    night_margin_minutes: int = 10
    daily_max_clear_sky_ratio: Decimal = Decimal("1.25")  # PVFleets daily insolation limit
    rollover_near_max_fraction: Decimal = Decimal("0.99")  # prev ≥ this × max: a rollover
    # Reporting only: a day with less than this share of its expected intervals is named.
    daily_min_completeness: Decimal = Decimal("0.333")
    # A cumulative register's first reading of a period is differenced against its last
    # reading up to this many days earlier; without one it earns nothing (conservative).
    carry_lookback_days: int = 7

    def as_json(self) -> dict[str, str | int]:
        """Every parameter, Decimals as text: what reports and evidence bundles carry."""
        out: dict[str, str | int] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out


DEFAULT_QA_RULES = QaRuleSet()


@dataclass(frozen=True, slots=True)
class ExclusionCount:
    rule: QaRule
    intervals: int
    wh: int  # the energy those intervals would have earned (0 for gaps)


@dataclass(frozen=True, slots=True)
class DeviceQaReport:
    """One device over one period: what was measured, excluded and credited, and why."""

    device: str
    period_start: str  # ISO date, inclusive
    period_end: str  # ISO date, inclusive
    rule_set: str
    expected_intervals: int
    readings: int
    measured_wh: int  # the energy of every interval with a reading (after rollover handling)
    excluded_wh: int  # energy of intervals with an excluding flag
    calibration_reduction_wh: int  # the MPE reduction (0 when in calibration)
    credited_wh: int  # measured − excluded − calibration reduction, never below 0
    exclusions: tuple[ExclusionCount, ...]


# The rules a daily aggregate counts (Q13 is the calibration reduction, counted apart).
COUNTED_RULES = tuple(r for r in QaRule if r is not QaRule.CALIBRATION_OVERDUE)


@dataclass(frozen=True, slots=True)
class DailyAggregate:
    """One device over one UTC day (a reading belongs to the day of its timestamp, the end
    of its interval): the rows of ``mrv_aggregates`` and what reports are summed from."""

    device: str
    day: str  # ISO date
    rule_set: str
    expected_intervals: int
    readings: int  # distinct intervals with at least one reading
    measured_wh: int
    excluded_wh: int
    calibration_reduction_wh: int
    credited_wh: int
    exclusions: tuple[ExclusionCount, ...]  # every rule that fired that day, rule order


def report_from_days(
    device: str, period_start: str, period_end: str, days: list[DailyAggregate]
) -> DeviceQaReport:
    """A device's report over a period is the exact sum of its daily aggregates."""
    intervals: dict[QaRule, int] = {}
    wh: dict[QaRule, int] = {}
    for day in days:
        for count in day.exclusions:
            intervals[count.rule] = intervals.get(count.rule, 0) + count.intervals
            wh[count.rule] = wh.get(count.rule, 0) + count.wh
    return DeviceQaReport(
        device=device,
        period_start=period_start,
        period_end=period_end,
        rule_set=days[0].rule_set if days else DEFAULT_QA_RULES.version,
        expected_intervals=sum(d.expected_intervals for d in days),
        readings=sum(d.readings for d in days),
        measured_wh=sum(d.measured_wh for d in days),
        excluded_wh=sum(d.excluded_wh for d in days),
        calibration_reduction_wh=sum(d.calibration_reduction_wh for d in days),
        credited_wh=sum(d.credited_wh for d in days),
        exclusions=tuple(
            ExclusionCount(r, intervals[r], wh[r]) for r in COUNTED_RULES if r in intervals
        ),
    )


def reports_from_days(
    days: Sequence[DailyAggregate], period_start: str, period_end: str
) -> list[DeviceQaReport]:
    """One report per device, the exact sum of its days within the period, by device id."""
    by_device: dict[str, list[DailyAggregate]] = {}
    for day in days:
        if period_start <= day.day <= period_end:
            by_device.setdefault(day.device, []).append(day)
    return [
        report_from_days(device, period_start, period_end, rows)
        for device, rows in sorted(by_device.items())
    ]


def report_json(report: DeviceQaReport) -> dict[str, object]:
    """A report as JSON (what ``mrv_qa_reports`` stores, digests and APIs return)."""
    return {
        "device": report.device,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "rule_set": report.rule_set,
        "expected_intervals": report.expected_intervals,
        "readings": report.readings,
        "measured_wh": report.measured_wh,
        "excluded_wh": report.excluded_wh,
        "calibration_reduction_wh": report.calibration_reduction_wh,
        "credited_wh": report.credited_wh,
        "exclusions": [
            {
                "rule": c.rule.value,
                "excludes": c.rule in EXCLUDING,
                "intervals": c.intervals,
                "wh": c.wh,
            }
            for c in report.exclusions
        ],
    }


def report_from_json(data: dict[str, object]) -> DeviceQaReport:
    raw = data["exclusions"]
    assert isinstance(raw, list)
    return DeviceQaReport(
        device=str(data["device"]),
        period_start=str(data["period_start"]),
        period_end=str(data["period_end"]),
        rule_set=str(data["rule_set"]),
        expected_intervals=_int(data["expected_intervals"]),
        readings=_int(data["readings"]),
        measured_wh=_int(data["measured_wh"]),
        excluded_wh=_int(data["excluded_wh"]),
        calibration_reduction_wh=_int(data["calibration_reduction_wh"]),
        credited_wh=_int(data["credited_wh"]),
        exclusions=tuple(
            ExclusionCount(QaRule(c["rule"]), _int(c["intervals"]), _int(c["wh"])) for c in raw
        ),
    )


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value
