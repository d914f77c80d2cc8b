"""The steps of ``qa_polars.run_partition``, in order; each takes and returns a frame.

Rows carry ``code``, the device's index in the (sorted) device table: every device or
device-day constant is gathered by index from a small array, never joined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from jcm.adapters.mrv import solar
from jcm.domain.mrv.qa import EXCLUDING, QaRule, QaRuleSet

DAY_S = 86_400
R = QaRule
BOOL_RULES = tuple(r for r in QaRule if r is not R.GAP)
OTHER_EXCLUDING = tuple(
    r.value for r in BOOL_RULES if r in EXCLUDING and r is not R.DAILY_IMPLAUSIBLE
)


@dataclass(frozen=True)
class Context:
    devices: pl.DataFrame
    enum: pl.Enum
    rules: QaRuleSet
    lo: int
    hi: int
    carry: pl.DataFrame  # per code, in device order: carry_ts, carry_wh (nullable)
    replacements: tuple[tuple[int, int, int, int], ...]  # code, at_ts, old_final, new_initial
    rise: pl.Series  # per code × solar day: sunrise − margin, seconds after mean midnight
    sets: pl.Series  # sunset + margin
    day_limit: np.ndarray  # per code × UTC day: the clear-sky bound, Wh (float64)

    @property
    def d0(self) -> int:
        return self.lo // DAY_S

    @property
    def nd(self) -> int:
        return (self.hi - self.lo) // DAY_S

    @property
    def sd0(self) -> int:
        return self.d0 - 1  # mean solar time is within ±12 h of UTC

    @property
    def nsd(self) -> int:
        return self.nd + 2

    @staticmethod
    def build(
        devices: pl.DataFrame,
        rules: QaRuleSet,
        lo: int,
        hi: int,
        carry: pl.DataFrame | None,
        replacements: pl.DataFrame | None,
    ) -> Context:
        devices = devices.sort("device")
        names = devices["device"].to_list()
        code = {name: i for i, name in enumerate(names)}
        reps = tuple(
            (code[d], at, old, new)
            for d, at, old, new in (replacements.iter_rows() if replacements is not None else ())
            if d in code
        )
        rise, sets, limit = _sun_tables(devices, rules, lo, hi)
        return Context(
            devices, pl.Enum(names), rules, lo, hi, _carry(devices, carry), reps, rise, sets, limit
        )

    def dev(self, column: str) -> pl.Expr:
        """A device constant broadcast onto rows by their ``code``."""
        return pl.lit(self.devices[column]).gather(pl.col("code"))


def _carry(devices: pl.DataFrame, carry: pl.DataFrame | None) -> pl.DataFrame:
    base = devices.select("device")
    if carry is None or carry.is_empty():
        return base.with_columns(
            carry_ts=pl.lit(None, pl.Int64), carry_wh=pl.lit(None, pl.Int64)
        ).drop("device")
    last = carry.sort("device", "ts", "wh").group_by("device", maintain_order=True).last()
    joined = base.join(last, on="device", how="left", maintain_order="left")
    return joined.select(carry_ts=pl.col("ts"), carry_wh=pl.col("wh"))


def _sun_tables(
    devices: pl.DataFrame, rules: QaRuleSet, lo: int, hi: int
) -> tuple[pl.Series, pl.Series, np.ndarray]:
    d0, nd = lo // DAY_S, (hi - lo) // DAY_S
    margin = rules.night_margin_minutes * 60
    zenith = float(rules.night_zenith_degrees)
    rises, sets, limits = [], [], []
    for lat, lon, factor in devices.select("lat_centi", "lon_centi", "daily_factor").iter_rows():
        key = (lat, lon)
        rise, sset = solar.sun_times(key, d0 - 1, nd + 2, zenith)
        rises.append(rise - margin)
        sets.append(sset + margin)
        limits.append(np.floor(solar.clear_sky_wh_per_kw(key, d0, nd) * factor))
    if not rises:
        empty = np.zeros(0, dtype=np.int64)
        return pl.Series(empty), pl.Series(empty), np.zeros(0)
    return (
        pl.Series(np.concatenate(rises)),
        pl.Series(np.concatenate(sets)),
        np.concatenate(limits),
    )


# -- readings ---------------------------------------------------------------------------------


def readings_in_window(readings: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """The window's readings of known devices, with ``code``, in (code, seq, pos) order."""
    frame = (
        readings.lazy()
        .filter((pl.col("ts") >= ctx.lo) & (pl.col("ts") < ctx.hi))
        .with_columns(
            code=pl.col("device").cast(ctx.enum, strict=False).to_physical().cast(pl.Int64)
        )
        .filter(pl.col("code").is_not_null())
        .select("code", "seq", "pos", "ts", "wh")
        .collect()
    )
    c, s, p = pl.col("code"), pl.col("seq"), pl.col("pos")
    in_order = (c > c.shift()) | (
        (c == c.shift()) & ((s > s.shift()) | ((s == s.shift()) & (p > p.shift())))
    )
    if not frame.select(in_order.fill_null(True).all()).item():
        frame = frame.sort("code", "seq", "pos")
    return frame


def reading_flags(frame: pl.DataFrame, receipts: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Q03 (ts not above its batch predecessor's), Q04 (after receipt + tolerance), Q05."""
    c, s, ts = pl.col("code"), pl.col("seq"), pl.col("ts")
    same_batch = (c == c.shift()) & (s == s.shift())
    frame = frame.with_columns(
        (same_batch & (ts <= ts.shift())).fill_null(False).alias(R.OUT_OF_ORDER.value),
        (pl.col("wh") < 0).alias(R.NEGATIVE.value),
    )
    return frame.with_columns(_future(frame, receipts, ctx).alias(R.FUTURE.value))


def _future(frame: pl.DataFrame, receipts: pl.DataFrame, ctx: Context) -> pl.Series:
    # Only batches whose latest reading is late are joined back (usually none).
    tolerance = ctx.rules.future_tolerance_seconds
    late = (
        frame.group_by("code", "seq")
        .agg(pl.col("ts").max().alias("last_ts"))
        .join(
            receipts.select(
                code=pl.col("device").cast(ctx.enum, strict=False).to_physical().cast(pl.Int64),
                seq=pl.col("seq"),
                limit=pl.col("received_at") + tolerance,
            ),
            on=["code", "seq"],
        )
        .filter(pl.col("last_ts") > pl.col("limit"))
        .select("code", "seq", "limit")
    )
    if late.is_empty():
        return pl.Series(np.zeros(frame.height, dtype=np.bool_))
    joined = frame.select("code", "seq", "ts").join(
        late, on=["code", "seq"], how="left", maintain_order="left"
    )
    return joined.select((pl.col("ts") > pl.col("limit")).fill_null(False)).to_series()


def intervals(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """One row per (device, ts) in (code, ts) order; Q02 on conflicting duplicates.

    Identical duplicates count once; conflicting ones are one excluded interval whose
    value is the smaller (interval register) or the larger (cumulative register: the next
    difference is then the smaller, the conservative side)."""
    c, ts = pl.col("code"), pl.col("ts")
    if frame.select(
        ((c > c.shift()) | ((c == c.shift()) & (ts > ts.shift()))).fill_null(True).all()
    ).item():
        return frame.with_columns(pl.lit(False).alias(R.DUPLICATE.value))
    frame = frame.sort("code", "ts", "seq", "pos")
    same_prev = ((c == c.shift()) & (ts == ts.shift())).fill_null(False)
    same_next = ((c == c.shift(-1)) & (ts == ts.shift(-1))).fill_null(False)
    is_dup = same_prev | same_next
    singles = frame.filter(~is_dup).with_columns(pl.lit(False).alias(R.DUPLICATE.value))
    flags = [R.OUT_OF_ORDER.value, R.FUTURE.value, R.NEGATIVE.value]
    dups = (
        frame.filter(is_dup)
        .group_by("code", "ts", maintain_order=True)
        .agg(
            pl.col("seq").first(),
            pl.col("pos").first(),
            pl.col("wh").min().alias("wh_min"),
            pl.col("wh").max().alias("wh_max"),
            (pl.col("wh").n_unique() > 1).alias(R.DUPLICATE.value),
            *[pl.col(f).any() for f in flags],
        )
        .with_columns(
            wh=pl.when(ctx.dev("cumulative")).then("wh_max").otherwise("wh_min"),
        )
        .select(singles.columns)
    )
    return pl.concat([singles, dups]).sort("code", "ts")


# -- energy -----------------------------------------------------------------------------------


def energy(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """``energy``: the interval's Wh (a cumulative register's difference); Q06, Q07, Q08."""
    c, ts, wh = pl.col("code"), pl.col("ts"), pl.col("wh")
    first = (c != c.shift()).fill_null(True)
    carry_ts = pl.lit(ctx.carry["carry_ts"]).gather(c)
    carry_wh = pl.lit(ctx.carry["carry_wh"]).gather(c)
    frame = frame.with_columns(
        prev_ts=pl.when(first).then(carry_ts).otherwise(ts.shift()),
        prev_wh=pl.when(first).then(carry_wh).otherwise(wh.shift()),
    )
    frame = frame.with_columns(boundary=_boundary(ctx), cumulative=ctx.dev("cumulative"))
    delta = wh - pl.col("prev_wh")
    rollover = (
        ~pl.col("boundary")
        & (delta < 0)
        & (pl.col("prev_wh") >= ctx.dev("rollover_from")).fill_null(False)
    )
    new_part, old_part = _boundary_parts(ctx)
    across = new_part + old_part.fill_null(0)
    reset = (
        pl.when(pl.col("boundary"))
        .then((new_part < 0) | (old_part < 0).fill_null(False))
        .otherwise((delta < 0) & ~rollover)
        .fill_null(False)
    )
    cumulative_energy = (
        pl.when(reset)
        .then(0)
        .when(pl.col("boundary"))
        .then(across)
        .when(rollover)
        .then(ctx.dev("register_max") + 1 - pl.col("prev_wh") + wh)
        .otherwise(delta)
        .fill_null(0)  # no earlier reading: nothing to difference against
    )
    cum = pl.col("cumulative")
    return frame.with_columns(
        energy=pl.when(cum).then(cumulative_energy).otherwise(wh),
        **{
            R.COUNTER_RESET.value: cum & reset,
            R.COUNTER_ROLLOVER.value: (cum & rollover).fill_null(False),
            R.METER_REPLACED.value: pl.col("boundary"),
        },
    ).drop("prev_ts", "prev_wh", "boundary", "cumulative")


def _boundary(ctx: Context) -> pl.Expr:
    """The first reading at or after a replacement whose predecessor is before it."""
    c, ts = pl.col("code"), pl.col("ts")
    before = pl.col("prev_ts").fill_null(ctx.lo - 1)
    hit = pl.lit(False)
    for code, at, _old, _new in ctx.replacements:
        hit = hit | ((c == code) & (ts >= at) & (before < at))
    return hit


def _boundary_parts(ctx: Context) -> tuple[pl.Expr, pl.Expr]:
    """(new register − its initial value, old final value − the previous reading)."""
    c, ts = pl.col("code"), pl.col("ts")
    new_initial: pl.Expr = pl.lit(0, pl.Int64)
    old_final: pl.Expr = pl.lit(None, pl.Int64)
    for code, at, old, new in ctx.replacements:  # oldest first: the latest one wins
        now = (c == code) & (ts >= at)
        new_initial = pl.when(now).then(new).otherwise(new_initial)
        old_final = pl.when(now).then(old).otherwise(old_final)
    return pl.col("wh") - new_initial, old_final - pl.col("prev_wh")


def interval_rules(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Q09 stuck runs, Q10 over capacity, Q11 generation at night."""
    c, e = pl.col("code"), pl.col("energy")
    idx = pl.int_range(pl.len(), dtype=pl.Int64)
    starts = ((c != c.shift()) | (e != e.shift())).fill_null(True)
    ends = ((c != c.shift(-1)) | (e != e.shift(-1))).fill_null(True)
    run_length = (
        pl.when(ends).then(idx).backward_fill() - pl.when(starts).then(idx).forward_fill() + 1
    )
    local = pl.col("ts") + (ctx.dev("lon_centi") * 2.4).round().cast(pl.Int64)
    solar_day = local // DAY_S
    seconds = local - solar_day * DAY_S
    at = c.cast(pl.Int64) * ctx.nsd + (solar_day - ctx.sd0)
    night = (seconds <= pl.lit(ctx.rise).gather(at)) | (
        seconds - ctx.dev("interval_s") >= pl.lit(ctx.sets).gather(at)
    )
    return frame.with_columns(
        **{
            R.STUCK.value: (run_length >= ctx.rules.stuck_window) & (e != 0),
            R.OVER_CAPACITY.value: e > ctx.dev("capacity_wh"),
            R.NIGHT_GENERATION.value: night & (e > ctx.dev("night_tolerance_wh")),
        }
    )


def daily_rule(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Q12: a day whose energy (of intervals no other rule excludes) is above its bound."""
    frame = frame.with_columns(
        slot=pl.col("code").cast(pl.Int64) * ctx.nd + (pl.col("ts") // DAY_S - ctx.d0),
        kept=~pl.any_horizontal(OTHER_EXCLUDING),
    )
    sums = np.zeros(len(ctx.day_limit), dtype=np.int64)
    per_day = frame.filter(pl.col("kept")).group_by("slot").agg(pl.col("energy").clip(0).sum())
    sums[per_day["slot"].to_numpy()] = per_day["energy"].to_numpy()
    implausible = pl.Series(sums > ctx.day_limit)
    return frame.with_columns(
        pl.lit(implausible).gather(pl.col("slot")).alias(R.DAILY_IMPLAUSIBLE.value)
    )


# -- outputs ----------------------------------------------------------------------------------


def mark(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """What the daily totals and the flags share: excluded, overdue, the energy ≥ 0."""
    excluded = pl.any_horizontal([r.value for r in BOOL_RULES if r in EXCLUDING])
    pos = pl.col("energy").clip(0)
    overdue = (pl.col("ts") // DAY_S) > ctx.dev("valid_until_day")
    return frame.with_columns(
        excluded=excluded,
        pos=pos,
        on_grid=(pl.col("ts") % ctx.dev("interval_s")) == 0,
        **{R.CALIBRATION_OVERDUE.value: overdue & ~excluded & (pos > 0)},
    )


def daily(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """One row per device and UTC day of the window, even without readings (all gaps)."""
    from jcm.adapters.mrv.qa_polars import daily_schema

    pos, excluded = pl.col("pos"), pl.col("excluded")
    sums = [
        pl.len().alias("readings"),
        pl.col("on_grid").sum().alias("on_grid"),
        pos.sum().alias("measured_wh"),
        pos.filter(excluded).sum().alias("excluded_wh"),
        pos.filter(~excluded).sum().alias("credited_pre"),
    ]
    for rule in BOOL_RULES:
        sums.append(pl.col(rule.value).sum().alias(f"{rule.value}_intervals"))
        if rule is not R.CALIBRATION_OVERDUE:
            sums.append(pos.filter(pl.col(rule.value)).sum().alias(f"{rule.value}_wh"))
    per_slot = frame.group_by("slot").agg(sums)
    slots = pl.DataFrame({"slot": np.arange(ctx.devices.height * ctx.nd, dtype=np.int64)})
    out = (
        slots.join(per_slot, on="slot", how="left", maintain_order="left")
        .fill_null(0)
        .with_columns(code=pl.col("slot") // ctx.nd, day=ctx.d0 + pl.col("slot") % ctx.nd)
    )
    step = ctx.dev("interval_s")
    day = pl.col("day")
    expected = ((day + 1) * DAY_S + step - 1) // step - (day * DAY_S + step - 1) // step
    overdue_day = day > ctx.dev("valid_until_day")
    reduction = (pl.col("credited_pre") * ctx.dev("mpe_ppm") + 999_999) // 1_000_000
    out = out.with_columns(expected_intervals=expected).with_columns(
        calibration_reduction_wh=pl.when(overdue_day).then(reduction).otherwise(0),
        **{
            f"{R.GAP.value}_intervals": (pl.col("expected_intervals") - pl.col("on_grid")).clip(0),
            f"{R.GAP.value}_wh": pl.lit(0, pl.Int64),
        },
    )
    out = out.with_columns(
        credited_wh=(pl.col("credited_pre") - pl.col("calibration_reduction_wh")).clip(0),
        device=pl.lit(ctx.devices["device"]).gather(pl.col("code")),
        rule_set=pl.lit(ctx.rules.version),
        **{f"{R.CALIBRATION_OVERDUE.value}_wh": pl.col("calibration_reduction_wh")},
    )
    schema = daily_schema()
    return out.with_columns(day=day.cast(pl.Int32).cast(pl.Date)).select(
        [pl.col(name).cast(dtype) for name, dtype in schema.items()]
    )


def flags(frame: pl.DataFrame, daily_rows: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """One row per flag: every interval flag, and one per missing interval (Q01)."""
    from jcm.adapters.mrv.qa_polars import flag_schema

    parts = [
        frame.filter(pl.col(rule.value)).select(
            "code", "ts", rule=pl.lit(rule.value), wh=pl.col("pos")
        )
        for rule in BOOL_RULES
    ]
    parts.append(_gap_flags(frame, daily_rows, ctx))
    out = pl.concat(parts).with_columns(
        device=pl.lit(ctx.devices["device"]).gather(pl.col("code")),
        rule_set=pl.lit(ctx.rules.version),
    )
    schema = flag_schema()
    return out.sort("code", "ts", "rule").select(
        [pl.col(name).cast(dtype) for name, dtype in schema.items()]
    )


def _gap_flags(frame: pl.DataFrame, daily_rows: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    gap_slots = (
        daily_rows.with_row_index("slot")
        .filter(pl.col(f"{R.GAP.value}_intervals") > 0)
        .select(pl.col("slot").cast(pl.Int64))
        .with_columns(code=pl.col("slot") // ctx.nd, day=ctx.d0 + pl.col("slot") % ctx.nd)
    )
    step = ctx.dev("interval_s")
    start = ((pl.col("day") * DAY_S + step - 1) // step) * step
    grid = (
        gap_slots.with_columns(ts=pl.int_ranges(start, (pl.col("day") + 1) * DAY_S, step))
        .explode("ts")
        .select("code", "ts")
    )
    found = frame.filter(pl.col("slot").is_in(gap_slots["slot"].implode())).select("code", "ts")
    missing = grid.join(found, on=["code", "ts"], how="anti")
    return missing.select("code", "ts", rule=pl.lit(R.GAP.value), wh=pl.lit(0, pl.Int64))
