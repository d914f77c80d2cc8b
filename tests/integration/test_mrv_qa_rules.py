"""Each QA/QC rule on a tiny hand-built partition: it fires exactly where expected and
nowhere else, and flagged intervals earn nothing (the conservative treatment)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
from test_mrv_qa_support import (
    DAY_TS,
    HOUR,
    SUNNY,
    cumulative_day,
    device,
    flagged,
    receipts_for,
    rules_fired,
    run,
    sunny_day,
    with_replacement,
)

from jcm.domain.mrv.devices import RegisterKind
from jcm.domain.mrv.qa import DEFAULT_QA_RULES

DEV = "KE-PV-001"
TOTAL = sum(SUNNY.values())


def totals(daily: pl.DataFrame) -> dict[str, int]:
    row = daily.row(0, named=True)
    return {
        k: row[k]
        for k in (
            "expected_intervals",
            "readings",
            "measured_wh",
            "excluded_wh",
            "calibration_reduction_wh",
            "credited_wh",
        )
    }


def test_a_clean_day_raises_no_flag_and_credits_every_watt_hour() -> None:
    flags, daily = run(sunny_day())
    assert flags.is_empty()
    assert totals(daily) == {
        "expected_intervals": 24,
        "readings": 24,
        "measured_wh": TOTAL,
        "excluded_wh": 0,
        "calibration_reduction_wh": 0,
        "credited_wh": TOTAL,
    }


def test_a_missing_interval_is_one_gap_flag_at_its_timestamp_and_excludes_nothing() -> None:
    readings = [r for r in sunny_day() if r[3] != DAY_TS + 10 * HOUR]
    flags, daily = run(readings)
    assert flagged(flags, "Q01_GAP") == [(DEV, 10)]
    assert rules_fired(flags) == {"Q01_GAP"}
    assert totals(daily)["readings"] == 23
    assert daily["Q01_GAP_intervals"].to_list() == [1]
    assert totals(daily)["credited_wh"] == TOTAL - 700


def test_an_identical_duplicate_counts_once_and_a_conflicting_one_excludes_its_interval() -> None:
    twin = (DEV, 2, 0, DAY_TS + 9 * HOUR, 650)
    flags, daily = run([*sunny_day(), twin])
    assert flags.is_empty()
    assert totals(daily)["readings"] == 24
    assert totals(daily)["credited_wh"] == TOTAL

    conflict = (DEV, 2, 0, DAY_TS + 9 * HOUR, 9999)
    flags, daily = run([*sunny_day(), conflict])
    assert flagged(flags, "Q02_DUPLICATE") == [(DEV, 9)]
    assert rules_fired(flags) == {"Q02_DUPLICATE"}
    # The smaller value is the interval's measured energy; none of it is credited.
    assert totals(daily)["measured_wh"] == TOTAL
    assert totals(daily)["credited_wh"] == TOTAL - 650


def test_a_timestamp_not_above_its_batch_predecessor_is_out_of_order() -> None:
    day = sunny_day()
    # The batch lists hour 8 after hour 9: only the reading at hour 8 goes backwards.
    swapped = [
        *day[:8],
        (DEV, 1, 8, DAY_TS + 9 * HOUR, 650),
        (DEV, 1, 9, DAY_TS + 8 * HOUR, 550),
        *day[10:],
    ]
    flags, daily = run(swapped)
    assert flagged(flags, "Q03_OUT_OF_ORDER") == [(DEV, 8)]
    assert rules_fired(flags) == {"Q03_OUT_OF_ORDER"}
    assert totals(daily)["credited_wh"] == TOTAL - 550


def test_a_timestamp_after_its_batch_receipt_and_tolerance_is_in_the_future() -> None:
    morning = [r for r in sunny_day() if r[3] < DAY_TS + 12 * HOUR]
    later = [(d, 2, p, ts, wh) for d, _s, p, ts, wh in sunny_day() if ts >= DAY_TS + 12 * HOUR]
    receipts = pl.concat(
        [
            receipts_for(morning),
            # Batch 2 arrived at 12:00 + 300 s: hour 12 is within the tolerance, 13.. are not.
            pl.DataFrame({"device": [DEV], "seq": [2], "received_at": [DAY_TS + 12 * HOUR + 300]}),
        ]
    )
    flags, _daily = run(morning + later, receipts=receipts)
    assert flagged(flags, "Q04_FUTURE") == [(DEV, h) for h in range(13, 24)]
    assert rules_fired(flags) == {"Q04_FUTURE"}


def test_a_negative_value_is_flagged_and_earns_nothing() -> None:
    readings = [r if r[3] != DAY_TS + 2 * HOUR else (DEV, 1, 2, r[3], -5) for r in sunny_day()]
    flags, daily = run(readings)
    assert flagged(flags, "Q05_NEGATIVE") == [(DEV, 2)]
    assert rules_fired(flags) == {"Q05_NEGATIVE"}
    assert totals(daily)["measured_wh"] == TOTAL  # a negative interval measures nothing


def test_six_identical_non_zero_readings_are_a_stuck_run_and_five_are_not() -> None:
    six = [(d, s, p, ts, 500 if 7 <= p <= 12 else wh) for d, s, p, ts, wh in sunny_day()]
    flags, daily = run(six)
    assert flagged(flags, "Q09_STUCK") == [(DEV, h) for h in range(7, 13)]
    assert rules_fired(flags) == {"Q09_STUCK"}
    assert totals(daily)["credited_wh"] == TOTAL - sum(SUNNY[h] for h in range(7, 13))

    five = [(d, s, p, ts, 500 if 7 <= p <= 11 else wh) for d, s, p, ts, wh in sunny_day()]
    flags, _daily = run(five)
    assert flags.is_empty()  # the zeros of the night are never stuck


def test_energy_above_nameplate_times_hours_times_the_margin_is_over_capacity() -> None:
    # 1 kW × 1 h × 1.1 = 1100 Wh: 1100 passes, 1101 does not.
    readings = [(d, s, p, ts, {10: 1100, 11: 1101}.get(p, wh)) for d, s, p, ts, wh in sunny_day()]
    flags, daily = run(readings)
    assert flagged(flags, "Q10_OVER_CAPACITY") == [(DEV, 11)]
    assert rules_fired(flags) == {"Q10_OVER_CAPACITY"}
    assert totals(daily)["excluded_wh"] == 1101


def test_generation_while_the_sun_is_below_the_horizon_is_night_generation() -> None:
    # Nairobi: sunrise about 03:10 UTC, sunset about 15:12 UTC on 10 March.
    readings = [(d, s, p, ts, {0: 5, 1: 1, 21: 7}.get(p, wh)) for d, s, p, ts, wh in sunny_day()]
    flags, daily = run(readings)
    # 1 Wh is within the tolerance (1 Wh per kW); the hours ending at 04 and 16 touch daylight.
    assert flagged(flags, "Q11_NIGHT_GENERATION") == [(DEV, 0), (DEV, 21)]
    assert rules_fired(flags) == {"Q11_NIGHT_GENERATION"}
    assert totals(daily)["credited_wh"] == TOTAL + 1


def test_a_day_above_the_clear_sky_bound_is_implausible_and_only_that_day() -> None:
    rules = replace(
        DEFAULT_QA_RULES, daily_max_clear_sky_ratio=DEFAULT_QA_RULES.daily_max_clear_sky_ratio / 2
    )
    # The bound: 10,948 Wh per kW × 0.625 = 6,842 Wh; 7,050 Wh is above it, 4,700 is not.
    bright = [(d, s, p, ts, wh * 3 // 2) for d, s, p, ts, wh in sunny_day()]
    normal = sunny_day(day_ts=DAY_TS + 86_400, seq=2)  # 4,700 Wh
    flags, daily = run(bright + normal, rules=rules, days=2)
    assert {h for _d, h in flagged(flags, "Q12_DAILY_IMPLAUSIBLE")} == set(range(24))
    assert rules_fired(flags) == {"Q12_DAILY_IMPLAUSIBLE"}
    assert daily["credited_wh"].to_list() == [0, TOTAL]


def test_a_meter_past_its_calibration_loses_its_mpe_rounded_up_to_the_watt_hour() -> None:
    late = device(valid_until=date(2026, 3, 9), mpe_pct="0.5")
    flags, daily = run(sunny_day(), [late])
    # 4,700 Wh × 0.5 % = 23.5 Wh: 24 Wh are taken off.
    assert totals(daily)["calibration_reduction_wh"] == 24
    assert totals(daily)["credited_wh"] == TOTAL - 24
    assert len(flagged(flags, "Q13_CALIBRATION_OVERDUE")) == len(SUNNY)
    in_date = device(valid_until=date(2026, 3, 10))
    _flags, daily = run(sunny_day(), [in_date])
    assert totals(daily)["calibration_reduction_wh"] == 0


def test_a_cumulative_register_is_differenced_with_the_reading_before_the_window() -> None:
    meter = device(register=RegisterKind.CUMULATIVE)
    carry = pl.DataFrame({"device": [DEV], "ts": [DAY_TS - HOUR], "wh": [1000]})
    flags, daily = run(cumulative_day(1000), [meter], carry=carry)
    assert flags.is_empty()
    assert totals(daily)["credited_wh"] == TOTAL
    # Without the earlier reading the first interval earns nothing (here: a night hour).
    _flags, daily = run(cumulative_day(1000), [meter])
    assert totals(daily)["credited_wh"] == TOTAL


def test_a_decrease_near_the_register_max_is_a_rollover_and_elsewhere_a_reset() -> None:
    meter = device(register=RegisterKind.CUMULATIVE, register_max_wh=99_999)
    near_max = cumulative_day(99_000)  # crosses 99,999 during hour 8
    wrapped = [(d, s, p, ts, wh % 100_000) for d, s, p, ts, wh in near_max]
    flags, daily = run(wrapped, [meter])
    assert flagged(flags, "Q07_COUNTER_ROLLOVER") == [(DEV, 8)]
    assert rules_fired(flags) == {"Q07_COUNTER_ROLLOVER"}
    assert totals(daily)["credited_wh"] == TOTAL  # the rollover loses nothing

    reset = [
        (d, s, p, ts, wh - 20_000 if p >= 9 else wh) for d, s, p, ts, wh in cumulative_day(50_000)
    ]
    flags, daily = run(reset, [meter])
    assert flagged(flags, "Q06_COUNTER_RESET") == [(DEV, 9)]
    assert rules_fired(flags) == {"Q06_COUNTER_RESET"}
    assert totals(daily)["credited_wh"] == TOTAL - SUNNY[9]


def test_a_replacement_is_never_differenced_across() -> None:
    # The old register ends at 51,500 at 09:30; the new one starts at 0 and reads 150 at 10:00.
    old = cumulative_day(50_000)  # 51,200 at 08:00, 51,850 at 09:00
    meter = with_replacement(
        device(register=RegisterKind.CUMULATIVE), at_hour=10, old_final=52_000, new_initial=0
    )
    readings = [(d, s, p, ts, wh if p < 10 else wh - 51_850 - 150) for d, s, p, ts, wh in old]
    flags, daily = run(readings, [meter])
    assert flagged(flags, "Q08_METER_REPLACED") == [(DEV, 10)]
    assert rules_fired(flags) == {"Q08_METER_REPLACED"}
    # Hour 10: 150 Wh left on the old register (52,000 − 51,850) + 550 on the new one.
    assert totals(daily)["credited_wh"] == TOTAL


def test_a_replacement_whose_old_final_reading_is_below_the_last_one_is_a_reset() -> None:
    meter = with_replacement(
        device(register=RegisterKind.CUMULATIVE), at_hour=10, old_final=51_000, new_initial=0
    )
    readings = [
        (d, s, p, ts, wh if p < 10 else wh - 51_850 - 150)
        for d, s, p, ts, wh in cumulative_day(50_000)
    ]
    flags, _daily = run(readings, [meter])
    assert flagged(flags, "Q06_COUNTER_RESET") == [(DEV, 10)]
    assert flagged(flags, "Q08_METER_REPLACED") == [(DEV, 10)]


def test_flags_carry_the_rule_set_version_and_outputs_have_fixed_dtypes() -> None:
    rules = replace(DEFAULT_QA_RULES, version="mrv-qa-test")
    flags, daily = run([r for r in sunny_day() if r[3] != DAY_TS], rules=rules)
    assert flags["rule_set"].to_list() == ["mrv-qa-test"]
    assert daily["rule_set"].to_list() == ["mrv-qa-test"]
    assert flags.schema["ts"] == pl.Int64
    assert daily.schema["day"] == pl.Date
