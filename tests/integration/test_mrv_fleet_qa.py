"""The simulator's faults against the real QA/QC job: each raises exactly the rule the
simulator says it should, on the intervals it lists, and a clean meter raises nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl

from jcm.adapters.mrv import qa_polars
from jcm.domain.mrv.batches import parse_timestamp
from jcm.domain.mrv.device_json import device_of_body
from jcm.domain.mrv.qa import DEFAULT_QA_RULES
from jcm.fleet.definition import create_fleet, registration_bodies
from jcm.fleet.faults import FaultKind, parse_faults
from jcm.fleet.generate import Simulation, simulate

FAULTS = (
    "gap:KE001-PV-001/8,"
    "stuck:KE001-PV-002/8,"  # a cumulative register: eight equal increments
    "drift:KE001-PV-003/20,"
    "rollover:KE001-PV-004,"
    "night:KE001-PV-005/4,"
    "forged:KE001-PV-006"
)
# Whole UTC days inside the simulated local week (Nairobi is UTC+3).
WINDOW = (
    int(datetime(2026, 6, 1, tzinfo=UTC).timestamp()),
    int(datetime(2026, 6, 7, tzinfo=UTC).timestamp()),
)


def qa_flags(simulation: Simulation, bodies: list[dict[str, object]]) -> pl.DataFrame:
    """Run the QA job on what intake would have stored: on-time batches, forged ones refused."""
    forged = {
        (f.device, seq) for f in simulation.faults if f.kind is FaultKind.FORGED for seq in f.seqs
    }
    rows: dict[str, list[object]] = {
        k: [] for k in ("device", "seq", "pos", "ts", "offset_min", "wh")
    }
    receipts: dict[str, list[object]] = {"device": [], "seq": [], "received_at": []}
    for envelope in simulation.envelopes:
        if envelope.late or (envelope.device, envelope.seq) in forged:
            continue
        for pos, (text, wh) in enumerate(envelope.body["batch"]["readings"]):
            ts, offset = parse_timestamp(text)
            values = (envelope.device, envelope.seq, pos, ts, offset, wh)
            for name, value in zip(rows, values, strict=True):
                rows[name].append(value)
        receipts["device"].append(envelope.device)
        receipts["seq"].append(envelope.seq)
        receipts["received_at"].append(WINDOW[1] + 86_400)
    devices = qa_polars.device_frame([device_of_body(b) for b in bodies], DEFAULT_QA_RULES)
    flags, _ = qa_polars.run_partition(
        pl.DataFrame(rows, schema=qa_polars.reading_schema()),
        devices,
        pl.DataFrame(
            receipts, schema={"device": pl.String, "seq": pl.Int64, "received_at": pl.Int64}
        ),
        DEFAULT_QA_RULES,
        window=WINDOW,
    )
    return flags


def test_each_injected_fault_raises_its_rule_where_injected_and_nothing_else() -> None:
    fleet = create_fleet(
        "KE001",
        7,
        Decimal("-1.29"),
        Decimal("36.82"),
        "Africa/Nairobi",
        Decimal("200"),
        register="mixed",
    )
    simulation = simulate(fleet, date(2026, 6, 1), 7, seed=5, faults=parse_faults(FAULTS))

    flags = qa_flags(simulation, registration_bodies(fleet))

    found = Counter((d, r) for d, r in flags.select("device", "rule").iter_rows())
    drift = {rule: n for (device, rule), n in found.items() if device == "KE001-PV-003"}
    assert {k: v for k, v in found.items() if k[0] != "KE001-PV-003"} == {
        ("KE001-PV-001", "Q01_GAP"): 8,
        ("KE001-PV-002", "Q09_STUCK"): 8,
        ("KE001-PV-004", "Q07_COUNTER_ROLLOVER"): 1,
        ("KE001-PV-005", "Q11_NIGHT_GENERATION"): 4,
        ("KE001-PV-006", "Q01_GAP"): 96,  # the forged day, refused by intake
        # A cumulative register: the first reading after the missing day carries that day's
        # energy in one interval, at midnight: over capacity and at night.
        ("KE001-PV-006", "Q10_OVER_CAPACITY"): 1,
        ("KE001-PV-006", "Q11_NIGHT_GENERATION"): 1,
    }
    assert set(drift) == {"Q01_GAP", "Q11_NIGHT_GENERATION"}
    (stuck,) = [f for f in simulation.faults if f.kind is FaultKind.STUCK]
    stuck_ts = sorted(flags.filter(pl.col("rule") == "Q09_STUCK")["ts"].to_list())
    assert (stuck_ts[0], stuck_ts[-1]) == (
        parse_timestamp(stuck.first)[0],
        parse_timestamp(stuck.last)[0],
    )
