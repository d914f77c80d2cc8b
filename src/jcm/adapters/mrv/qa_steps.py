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

    def array(self, column: str) -> np.ndarray:
        """A device constant per code, as numpy (non-null columns only)."""
        return self.devices[column].to_numpy()

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
    # Rows are in (code, seq, pos) order: a batch is a contiguous run; its latest reading
    # is compared with its receipt, and only a late batch's rows are looked at again.
    n = frame.height
    if n == 0:
        return pl.Series(np.zeros(0, dtype=np.bool_))
    code, seq, ts = (frame[name].to_numpy() for name in ("code", "seq", "ts"))
    starts = batch_starts(code, seq)
    lengths = np.diff(np.append(starts, n))
    batches = pl.DataFrame(
        {"code": code[starts], "seq": seq[starts], "last_ts": np.maximum.reduceat(ts, starts)}
    )
    coded = receipts.select(
        code=pl.col("device").cast(ctx.enum, strict=False).to_physical().cast(pl.Int64),
        seq=pl.col("seq"),
        limit=pl.col("received_at") + ctx.rules.future_tolerance_seconds,
    ).unique(["code", "seq"], keep="first", maintain_order=True)
    limits = (
        batches.join(coded, on=["code", "seq"], how="left", maintain_order="left")
        .select(
            pl.when(pl.col("last_ts") > pl.col("limit"))
            .then(pl.col("limit"))
            .otherwise(np.iinfo(np.int64).max)
        )
        .to_series()
        .to_numpy()
    )
    return pl.Series(ts > np.repeat(limits, lengths))


def batch_starts(*keys: np.ndarray) -> np.ndarray:
    """Indices where a run of equal keys starts (the keys are sorted or grouped)."""
    n = len(keys[0])
    change = np.zeros(n, dtype=np.bool_)
    if n:
        change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


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
    if not ctx.devices["cumulative"].any() and not ctx.replacements:
        return frame.with_columns(
            energy=pl.col("wh"),
            **{
                r.value: pl.lit(False)
                for r in (R.COUNTER_RESET, R.COUNTER_ROLLOVER, R.METER_REPLACED)
            },
        )
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
    """Q09 stuck runs, Q10 over capacity, Q11 generation at night (numpy: device and
    device-day constants gathered by index)."""
    code, ts, energy = (frame[name].to_numpy() for name in ("code", "ts", "energy"))
    offset = np.array(
        [solar.mean_solar_offset_s(lon) for lon in ctx.devices["lon_centi"].to_list()],
        dtype=np.int64,
    )
    local = ts + offset[code]
    solar_day = local // DAY_S
    seconds = local - solar_day * DAY_S
    at = code * ctx.nsd + (solar_day - ctx.sd0)
    rise, sets = ctx.rise.to_numpy(), ctx.sets.to_numpy()
    night = (seconds <= rise[at]) | (seconds - ctx.array("interval_s")[code] >= sets[at])
    return frame.with_columns(
        pl.Series(R.STUCK.value, _stuck(frame, ctx.rules.stuck_window)),
        pl.Series(R.OVER_CAPACITY.value, energy > ctx.array("capacity_wh")[code]),
        pl.Series(
            R.NIGHT_GENERATION.value, night & (energy > ctx.array("night_tolerance_wh")[code])
        ),
    )


def _stuck(frame: pl.DataFrame, window: int) -> np.ndarray:
    """Rows in runs of ≥ ``window`` equal non-zero energies of one device (in ts order)."""
    code, energy = frame["code"].to_numpy(), frame["energy"].to_numpy()
    starts = batch_starts(code, energy)
    lengths = np.diff(np.append(starts, len(code)))
    stuck = (lengths >= window) & (energy[starts] != 0)
    result: np.ndarray = np.repeat(stuck, lengths)
    return result


def daily_rule(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Q12: a day whose energy (of intervals no other rule excludes) is above its bound."""
    code, ts = frame["code"].to_numpy(), frame["ts"].to_numpy()
    slot = code * ctx.nd + (ts // DAY_S - ctx.d0)
    kept = np.ones(frame.height, dtype=np.bool_)
    for name in OTHER_EXCLUDING:
        flag = frame[name].to_numpy()
        if flag.any():
            kept &= ~flag
    energy = np.clip(frame["energy"].to_numpy(), 0, None) * kept
    sums = per_slot(slot, energy, len(ctx.day_limit))
    return frame.with_columns(
        pl.Series("slot", slot),
        pl.Series(R.DAILY_IMPLAUSIBLE.value, (sums > ctx.day_limit)[slot]),
    )


def per_slot(slot: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of ``values`` by ``slot`` (sorted): exact int64, dense over ``size`` slots."""
    out = np.zeros(size, dtype=np.int64)
    if len(slot):
        starts = batch_starts(slot)
        out[slot[starts]] = np.add.reduceat(values.astype(np.int64), starts)
    return out
