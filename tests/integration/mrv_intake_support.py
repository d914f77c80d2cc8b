"""Devices with keys and signed batches for the intake tests (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jcm.adapters.mrv.signatures import new_device_key, sign_batch
from jcm.bootstrap import App
from jcm.domain.mrv.batches import format_timestamp
from jcm.domain.mrv.devices import Calibration, Device, DeviceKind, Location, RegisterKind

PROJECT = "KE001"
NAIROBI = 180  # UTC+03:00, in minutes
START = int(datetime(2026, 6, 1, 0, 0, tzinfo=UTC).timestamp())

TEMPLATE = Device(
    id="KE001-PV-001",
    project_id=PROJECT,
    parameter="EG_p",
    kind=DeviceKind.METER,
    register=RegisterKind.INTERVAL,
    interval_minutes=15,
    nameplate_kw=Decimal("1000.000"),
    location=Location(Decimal("-1.292100"), Decimal("36.821900"), "Africa/Nairobi"),
    meter_serial="SN-0001",
    calibration=Calibration(date(2026, 1, 5), date(2028, 1, 4), Decimal("0.500"), "CAL-1"),
    public_key="",
)


def register(
    app: App, device_id: str = TEMPLATE.id, project: str = PROJECT, org: str = "demo-jp-solar"
) -> Ed25519PrivateKey:
    """A registered device and its private key (straight into the store: the devices'
    use case is tested on its own)."""
    key, public = new_device_key()
    device = replace(TEMPLATE, id=device_id, project_id=project, public_key=public)
    with app.unit_of_work() as uow:
        uow.mrv_devices.add(device, org, datetime(2026, 1, 5, tzinfo=UTC))
        uow.commit()
    return key


def batch(
    device: str, seq: int, n: int = 4, start: int = START, wh: int = 1000
) -> dict[str, object]:
    """``n`` quarter-hour readings from ``start`` (UTC seconds), written at UTC+03:00."""
    return {
        "device": device,
        "seq": seq,
        "readings": [[format_timestamp(start + 900 * i, NAIROBI), wh + i] for i in range(n)],
    }


def envelope(key: Ed25519PrivateKey, body: dict[str, object]) -> dict[str, object]:
    return sign_batch(body, key)


def payload(key: Ed25519PrivateKey, body: dict[str, object]) -> bytes:
    return json.dumps(sign_batch(body, key)).encode()


def csv_file(envelopes: list[dict[str, object]]) -> bytes:
    """An import file: one row per reading, the batch's signature on each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["device", "seq", "timestamp", "wh", "signature"])
    for e in envelopes:
        b = e["batch"]
        assert isinstance(b, dict)
        for ts, wh in b["readings"]:
            writer.writerow([b["device"], b["seq"], ts, wh, e["signature"]])
    return out.getvalue().encode()


def parquet_file(envelopes: list[dict[str, object]]) -> bytes:
    import polars as pl

    rows = []
    for e in envelopes:
        b = e["batch"]
        assert isinstance(b, dict)
        rows += [(b["device"], b["seq"], ts, wh, e["signature"]) for ts, wh in b["readings"]]
    frame = pl.DataFrame(
        rows,
        schema={
            "device": pl.String,
            "seq": pl.Int64,
            "timestamp": pl.String,
            "wh": pl.Int64,
            "signature": pl.String,
        },
        orient="row",
    )
    out = io.BytesIO()
    frame.write_parquet(out)
    return out.getvalue()
