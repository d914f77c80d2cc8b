"""Builders for the QA/QC tests: devices, hand-made readings, Parquet partitions in the
intake layout (``jcm.adapters.mrv``) and their receipts. No tests here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

from jcm.adapters.mrv.qa_polars import (
    device_frame,
    reading_schema,
    replacement_frame,
    run_partition,
)
from jcm.bootstrap import App
from jcm.domain.mrv.batches import BATCHES_RECEIVED
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
    Replacement,
)
from jcm.domain.mrv.qa import DEFAULT_QA_RULES, QaRuleSet
from jcm.service_layer.mrv.intake_log import received_change
from jcm.service_layer.mrv.intake_ports import Receipt

DAY = date(2026, 3, 10)
DAY_TS = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp())
HOUR = 3600
# A clean day of an hourly 1 kW meter in Nairobi (UTC+3): Wh of the hour ending at h UTC.
SUNNY = {
    5: 50,
    6: 200,
    7: 400,
    8: 550,
    9: 650,
    10: 700,
    11: 680,
    12: 600,
    13: 450,
    14: 300,
    15: 120,
}

FIXED_RECEIPT = datetime(2026, 3, 12, tzinfo=UTC)
Reading = tuple[str, int, int, int, int]  # device, seq, pos, ts, wh


def device(
    device_id: str = "KE-PV-001",
    *,
    register: RegisterKind = RegisterKind.INTERVAL,
    interval_minutes: int = 60,
    nameplate_kw: str = "1",
    valid_until: date = date(2027, 1, 1),
    mpe_pct: str = "0.5",
    register_max_wh: int | None = None,
    replacements: tuple[Replacement, ...] = (),
    project_id: str = "KE001",
) -> Device:
    return Device(
        id=device_id,
        project_id=project_id,
        parameter="EG_p",
        kind=DeviceKind.METER,
        register=register,
        interval_minutes=interval_minutes,
        nameplate_kw=Decimal(nameplate_kw),
        location=Location(Decimal("-1.29"), Decimal("36.82"), "Africa/Nairobi"),
        meter_serial="SN-1",
        calibration=Calibration(date(2025, 1, 1), valid_until, Decimal(mpe_pct)),
        public_key="A" * 43 + "=",
        register_max_wh=register_max_wh,
        replacements=replacements,
    )


def sunny_day(device_id: str = "KE-PV-001", day_ts: int = DAY_TS, seq: int = 1) -> list[Reading]:
    """24 hourly readings (ts = the end of each hour), one batch, in order."""
    return [(device_id, seq, h, day_ts + h * HOUR, SUNNY.get(h, 0)) for h in range(24)]


def cumulative_day(start_wh: int, device_id: str = "KE-PV-001", seq: int = 1) -> list[Reading]:
    """The same day as a cumulative register starting at ``start_wh``."""
    out, total = [], start_wh
    for h in range(24):
        total += SUNNY.get(h, 0)
        out.append((device_id, seq, h, DAY_TS + h * HOUR, total))
    return out


def frame(readings: Iterable[Reading]) -> pl.DataFrame:
    rows = [(d, s, p, ts, 180, wh) for d, s, p, ts, wh in readings]
    return pl.DataFrame(rows, schema=reading_schema(), orient="row")


def receipts_for(readings: Sequence[Reading], late_s: int = 60) -> pl.DataFrame:
    """Each batch received ``late_s`` after its latest reading."""
    last: dict[tuple[str, int], int] = {}
    for d, s, _p, ts, _wh in readings:
        last[(d, s)] = max(ts, last.get((d, s), ts))
    rows = [(d, s, ts + late_s) for (d, s), ts in sorted(last.items())]
    schema = {"device": pl.String, "seq": pl.Int64, "received_at": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def run(
    readings: Sequence[Reading],
    devices: Sequence[Device] = (),
    rules: QaRuleSet = DEFAULT_QA_RULES,
    *,
    receipts: pl.DataFrame | None = None,
    days: int = 1,
    carry: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    devs = list(devices) or [device()]
    return run_partition(
        frame(readings),
        device_frame(devs, rules),
        receipts if receipts is not None else receipts_for(readings),
        rules,
        window=(DAY_TS, DAY_TS + days * 86_400),
        carry=carry,
        replacements=replacement_frame(devs),
    )


def flagged(flags: pl.DataFrame, rule: str) -> list[tuple[str, int]]:
    """(device, hour of the day) of every flag of ``rule``."""
    rows = flags.filter(pl.col("rule") == rule).select("device", "ts").rows()
    return [(d, (ts - DAY_TS) // HOUR) for d, ts in rows]


def rules_fired(flags: pl.DataFrame) -> set[str]:
    return set(flags["rule"].to_list())


def write_partition(
    root: Path, project: str, readings: Sequence[Reading], name: str = "part-0"
) -> list[str]:
    """Write readings as Parquet in the layout, one file per month; the relative paths."""
    data = frame(readings).with_columns(
        month=pl.from_epoch("ts", time_unit="s").dt.strftime("%Y-%m")
    )
    paths = []
    for (month,), part in data.group_by("month", maintain_order=True):
        rel = f"project={project}/month={month}/{name}.parquet"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        part.drop("month").write_parquet(root / rel)
        paths.append(rel)
    return paths


def with_replacement(dev: Device, at_hour: int, old_final: int, new_initial: int) -> Device:
    at = datetime.fromtimestamp(DAY_TS + at_hour * HOUR, UTC)
    return replace(dev, replacements=(Replacement(at, "SN-1", old_final, "SN-2", new_initial),))


def insert_device(app: App, dev: Device, organisation: str = "demo-jp-solar") -> None:
    """Register a device through the devices use case (a logged event)."""
    app.mrv.devices.register(dev, organisation)


def store_batches(app: App, project: str, readings: Sequence[Reading], name: str) -> None:
    """Readings written in the Parquet layout under the app's data dir, and a receipt per
    batch naming its files (received a minute after its latest reading)."""
    root = app.settings.data_dir / "mrv" / "readings"
    files = write_partition(root, project, readings, name)
    by_batch: dict[tuple[str, int], list[int]] = {}
    for d, s, _p, ts, _wh in readings:
        by_batch.setdefault((d, s), []).append(ts)
    receipts = [
        Receipt(
            device=d,
            seq=s,
            project_id=project,
            digest="0" * 64,
            signature="sig",
            readings=len(stamps),
            first_ts=min(stamps),
            last_ts=max(stamps),
            files=tuple(files),
            channel="file",
            received_at=datetime.fromtimestamp(max(stamps) + 60, UTC),
        )
        for (d, s), stamps in sorted(by_batch.items())
    ]
    with app.unit_of_work() as uow:
        uow.mrv_receipts.add(receipts)
        # Logged as intake logs them (one entry per time received), so log verify holds.
        for when in sorted({r.received_at for r in receipts}):
            group = [r for r in receipts if r.received_at == when]
            uow.ledger.add_event(BATCHES_RECEIVED, None, received_change("file", group, []), when)
        uow.commit()
