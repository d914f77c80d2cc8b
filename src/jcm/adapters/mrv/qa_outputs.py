"""The outputs of ``qa_polars.run_partition``: the daily aggregates and the flag rows.

Rows arrive in (code, ts) order with their ``slot`` (code × days + day), so every daily
sum is one ``np.add.reduceat`` over contiguous runs: exact int64, no hashing.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from jcm.adapters.mrv.qa_steps import BOOL_RULES, DAY_S, Context, per_slot
from jcm.domain.mrv.qa import EXCLUDING, QaRule

R = QaRule
EXCLUDING_FLAGS = tuple(r.value for r in BOOL_RULES if r in EXCLUDING)


def mark(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """What the daily totals and the flags share: excluded, overdue, the energy ≥ 0."""
    code, ts = frame["code"].to_numpy(), frame["ts"].to_numpy()
    excluded = np.zeros(frame.height, dtype=np.bool_)
    for name in EXCLUDING_FLAGS:
        excluded |= frame[name].to_numpy()
    pos = np.clip(frame["energy"].to_numpy(), 0, None)
    overdue = ts // DAY_S > ctx.array("valid_until_day")[code]
    return frame.with_columns(
        pl.Series("excluded", excluded),
        pl.Series("pos", pos),
        pl.Series("on_grid", ts % ctx.array("interval_s")[code] == 0),
        pl.Series(R.CALIBRATION_OVERDUE.value, overdue & ~excluded & (pos > 0)),
    )


def daily(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """One row per device and UTC day of the window, even without readings (all gaps)."""
    from jcm.adapters.mrv.qa_polars import daily_schema

    size = ctx.devices.height * ctx.nd
    slot, pos = frame["slot"].to_numpy(), frame["pos"].to_numpy()
    cols: dict[str, np.ndarray] = {
        "readings": per_slot(slot, np.ones(len(slot), dtype=np.int64), size),
        "measured_wh": per_slot(slot, pos, size),
        "excluded_wh": per_slot(slot, pos * frame["excluded"].to_numpy(), size),
    }
    on_grid = per_slot(slot, frame["on_grid"].to_numpy(), size)
    zeros = np.zeros(size, dtype=np.int64)
    for rule in BOOL_RULES:
        flag = frame[rule.value].to_numpy()
        fired = bool(flag.any())
        cols[f"{rule.value}_intervals"] = per_slot(slot, flag, size) if fired else zeros
        cols[f"{rule.value}_wh"] = per_slot(slot, pos * flag, size) if fired else zeros
    index = np.arange(size, dtype=np.int64)
    code, day = index // max(ctx.nd, 1), ctx.d0 + index % max(ctx.nd, 1)
    step = ctx.array("interval_s")[code]
    expected = ((day + 1) * DAY_S + step - 1) // step - (day * DAY_S + step - 1) // step
    credited_pre = cols["measured_wh"] - cols["excluded_wh"]
    overdue = day > ctx.array("valid_until_day")[code]
    # The MPE reduction, rounded up to the Wh (the conservative side).
    mpe = ctx.array("mpe_ppm")[code]
    reduction = np.where(overdue, (credited_pre * mpe + 999_999) // 1_000_000, 0)
    cols.update(
        {
            "expected_intervals": expected,
            "calibration_reduction_wh": reduction,
            "credited_wh": np.clip(credited_pre - reduction, 0, None),
            f"{R.GAP.value}_intervals": np.clip(expected - on_grid, 0, None),
            f"{R.GAP.value}_wh": zeros,
            f"{R.CALIBRATION_OVERDUE.value}_wh": reduction,
        }
    )
    names = ctx.devices["device"].to_numpy()
    out = pl.DataFrame(
        [
            pl.Series("device", names[code] if size else [], dtype=pl.String),
            pl.Series("day", day.astype(np.int32)).cast(pl.Date),
            pl.Series("rule_set", [ctx.rules.version] * size, dtype=pl.String),
            *[pl.Series(name, values, dtype=pl.Int64) for name, values in cols.items()],
        ]
    )
    schema = daily_schema()
    return out.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


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
