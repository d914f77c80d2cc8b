"""The QA/QC and aggregation job over one partition: a pure function of data frames.

``run_partition(readings, devices, receipts, rules, window=…)`` takes the readings of one
project × month (the Parquet columns of ``jcm.adapters.mrv``), the device table
(:func:`device_frame`), the batches' receipt times and a :class:`QaRuleSet`, and returns
``(flags, daily)``: one row per flag (``FLAG_SCHEMA``: device, ts, rule, rule_set, wh) and
one row per device and UTC day of the window (``daily_schema()``). It reads nothing else,
so the same call runs in-process, on a Dask worker, or offline from an evidence bundle, and
its output is byte-identical everywhere: every frame is sorted and every dtype fixed.

How each rule is evaluated is in docs/mrv.md (## QA/QC); the job never computes a solar
position per reading (``solar.py`` makes small per-site, per-day tables, broadcast onto
readings by index, as are all device constants: no hash join on the readings).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from jcm.domain.mrv.devices import Device, RegisterKind
from jcm.domain.mrv.qa import EXCLUDING, QaRule, QaRuleSet

if TYPE_CHECKING:
    import polars as pl

DAY_S = 86_400
R = QaRule
# Flags evaluated per interval (Q01 gaps have no interval; Q13 is a reduction).
INTERVAL_RULES = tuple(r for r in QaRule if r not in (R.GAP,))
EXCLUDING_INTERVAL_RULES = tuple(r for r in INTERVAL_RULES if r in EXCLUDING)
DAILY_TOTALS = (
    "expected_intervals",
    "readings",
    "measured_wh",
    "excluded_wh",
    "calibration_reduction_wh",
    "credited_wh",
)


def reading_schema() -> dict[str, pl.DataType]:
    import polars as pl

    return {
        "device": pl.String(),
        "seq": pl.Int64(),
        "pos": pl.Int32(),
        "ts": pl.Int64(),
        "offset_min": pl.Int16(),
        "wh": pl.Int64(),
    }


def flag_schema() -> dict[str, pl.DataType]:
    import polars as pl

    return {
        "device": pl.String(),
        "ts": pl.Int64(),
        "rule": pl.String(),
        "rule_set": pl.String(),
        "wh": pl.Int64(),
    }


def daily_schema() -> dict[str, pl.DataType]:
    import polars as pl

    schema: dict[str, pl.DataType] = {
        "device": pl.String(),
        "day": pl.Date(),
        "rule_set": pl.String(),
    }
    schema.update({name: pl.Int64() for name in DAILY_TOTALS})
    for rule in QaRule:
        schema[f"{rule.value}_intervals"] = pl.Int64()
        schema[f"{rule.value}_wh"] = pl.Int64()
    return schema


# -- the device table -------------------------------------------------------------------------


def device_frame(devices: Sequence[Device], rules: QaRuleSet) -> pl.DataFrame:
    """Every device constant the job needs, as exact integers (thresholds rounded so that
    ``wh > limit`` is exactly ``wh > Decimal threshold``), sorted by device id."""
    import polars as pl

    rows = [_device_row(d, rules) for d in sorted(devices, key=lambda d: d.id)]
    return pl.DataFrame(rows, schema=device_schema(), orient="row")


def device_schema() -> dict[str, pl.DataType]:
    import polars as pl

    i64 = pl.Int64()
    return {
        "device": pl.String(),
        "cumulative": pl.Boolean(),
        "interval_s": i64,
        "capacity_wh": i64,
        "night_tolerance_wh": i64,
        "register_max": i64,
        "rollover_from": i64,
        "valid_until_day": i64,
        "mpe_ppm": i64,
        "lat_centi": i64,
        "lon_centi": i64,
        "daily_factor": pl.Float64(),
    }


def _device_row(d: Device, rules: QaRuleSet) -> tuple[object, ...]:
    kw = d.nameplate_kw
    capacity = kw * 1000 * Decimal(d.interval_minutes) / 60 * rules.capacity_margin
    rollover = (
        None
        if d.register_max_wh is None
        else int((d.register_max_wh * rules.rollover_near_max_fraction).to_integral(ROUND_CEILING))
    )
    # MPE in parts per million, rounded up (a larger reduction is the conservative side).
    mpe_ppm = int((d.calibration.max_permissible_error_pct * 10_000).to_integral(ROUND_CEILING))
    return (
        d.id,
        d.register is RegisterKind.CUMULATIVE,
        d.interval_minutes * 60,
        int(capacity.to_integral(ROUND_FLOOR)),
        int((kw * rules.night_tolerance_wh_per_kw).to_integral(ROUND_FLOOR)),
        d.register_max_wh,
        rollover,
        _epoch_day(d.calibration.valid_until),
        mpe_ppm,
        round(d.location.latitude * 100),
        round(d.location.longitude * 100),
        float(kw * rules.daily_max_clear_sky_ratio),
    )


def replacement_frame(devices: Sequence[Device]) -> pl.DataFrame:
    """Meter replacements: (device, at_ts, old_final_wh, new_initial_wh), sorted."""
    import polars as pl

    rows = sorted(
        (d.id, int(r.at.timestamp()), r.old_final_wh, r.new_initial_wh)
        for d in devices
        for r in d.replacements
    )
    schema = {
        "device": pl.String(),
        "at_ts": pl.Int64(),
        "old_final_wh": pl.Int64(),
        "new_initial_wh": pl.Int64(),
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def epoch_date(day: int) -> date:
    return datetime.fromtimestamp(day * DAY_S, UTC).date()


# -- the job ----------------------------------------------------------------------------------


def run_partition(
    readings: pl.DataFrame,
    devices: pl.DataFrame,
    receipts: pl.DataFrame,
    rules: QaRuleSet,
    *,
    window: tuple[int, int],
    carry: pl.DataFrame | None = None,
    replacements: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """QA/QC and daily aggregation of one partition (module docstring).

    ``window``: [lo, hi) in UTC seconds, whole days; readings outside it are ignored.
    ``receipts``: (device, seq, received_at UTC seconds) of the batches read.
    ``carry``: (device, ts, wh), each cumulative register's last reading before ``lo``.
    ``replacements``: :func:`replacement_frame`.
    """
    from jcm.adapters.mrv import qa_outputs as outputs
    from jcm.adapters.mrv import qa_steps as steps

    lo, hi = window
    if lo % DAY_S or hi % DAY_S or hi <= lo:
        raise ValueError("the window must be whole UTC days")
    ctx = steps.Context.build(devices, rules, lo, hi, carry, replacements)
    frame = steps.readings_in_window(readings, ctx)
    frame = steps.reading_flags(frame, receipts, ctx)
    frame = steps.intervals(frame, ctx)
    frame = steps.energy(frame, ctx)
    frame = steps.interval_rules(frame, ctx)
    frame = outputs.mark(steps.daily_rule(frame, ctx), ctx)
    daily = outputs.daily(frame, ctx)
    flags = outputs.flags(frame, daily, ctx)
    return flags, daily
