"""Automatic verification and its evidence bundle: readings/s of each step.

``python -m bench.mrv_verification [--meters 20] [--days 30] [--repeat 3]``

On the demo's registry (SQLite in a temporary directory: KE001 registered), ``--meters``
15-minute meters send ``--days`` of signed batches (one per meter and day, 96 readings)
through the real intake; then, ``--repeat`` times on fresh verifications of the same data:

* ``verify_period`` (QA run, batches rebuilt from Parquet and hashed, QA over the covered
  batches, the record, the cycle's report, the log entry),
* ``export_bundle`` (a zip) and ``verify_bundle`` (offline: every signature, the root, QA,
  values, verdict, methodology, record and log inclusion),

with, measured in the same run, the raw ceilings: Ed25519 verifications per second of the
same batches (``cryptography``), and Polars reading the bundle's Parquet and summing ``wh``.
Medians are reported; the load average says how busy the shared machine was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

import polars as pl

from jcm.adapters.mrv.signatures import canonical_batch, new_device_key, sign_batch
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import commands as cc
from jcm.domain.identity.principal import operator_for
from jcm.domain.mrv.batches import format_timestamp
from jcm.domain.mrv.devices import Calibration, Device, DeviceKind, Location, RegisterKind
from jcm.entrypoints.demo import run_demo

T = TypeVar("T")
PP = "demo-jp-solar"
START = date(2026, 1, 1)
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _world(root: Path, meters: int, days: int) -> tuple[App, int]:
    app = bootstrap(Settings(root, f"sqlite:///{root / 'bench.sqlite3'}"), lambda: NOW)
    run_demo(
        app.registry,
        app.cycle,
        app.documents,
        app.log,
        identity=app.identity,
        register=app.aef.register,
        progress=False,
    )
    acting = app.acting(operator_for(PP)).mrv
    calibration = Calibration(date(2025, 12, 1), date(2028, 1, 1), Decimal("0.5"), "CAL")
    where = Location(Decimal("-1.29"), Decimal("36.82"), "Africa/Nairobi")
    envelopes: list[object] = []
    for i in range(meters):
        key, public = new_device_key()
        device = Device(
            f"KE001-PV-{i:03d}", "KE001", "EG_p", DeviceKind.METER, RegisterKind.INTERVAL,
            15, Decimal("5"), where, f"SN-{i}", calibration, public,
        )  # fmt: skip
        acting.devices.register(device, PP)
        for day in range(days):
            midnight = datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC)
            rows = []
            for q in range(96):
                ts = int((midnight + timedelta(minutes=15 * q)).timestamp())
                hour = q / 4
                wh = 400 + 3 * q + i if 6 <= hour <= 13 else 0
                rows.append([format_timestamp(ts, 180), wh])
            batch = {"device": device.id, "seq": day + 1, "readings": rows}
            envelopes.append(sign_batch(batch, key))
    for chunk in range(0, len(envelopes), 500):
        app.mrv.intake.accept_envelopes(envelopes[chunk : chunk + 500], "file")
    return app, meters * days * 96


def _timed(step: Callable[[], T]) -> tuple[T, float]:
    began = time.perf_counter()
    value = step()
    return value, time.perf_counter() - began


def _ceilings(bundle: Path, root: Path) -> tuple[float, float]:
    """(Ed25519 verifications/s, Polars read+sum readings/s) on the bundle's own data."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    readings = [["2026-01-01T00:00:00+03:00", 1]] * 96
    data = canonical_batch({"device": "X", "seq": 1, "readings": readings})
    signature = key.sign(data)
    count = 2000
    began = time.perf_counter()
    for _ in range(count):
        public.verify(signature, data)
    per_second = count / (time.perf_counter() - began)
    target = root / "unzipped"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(target)
    files = sorted((target / "readings").rglob("*.parquet"))
    began = time.perf_counter()
    total = 0
    rows = 0
    for path in files:
        frame = pl.read_parquet(path, columns=["wh"])
        total += int(frame["wh"].sum())
        rows += frame.height
    return per_second, rows / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=20)
    parser.add_argument("--days", type=int, default=30, help="Split into --repeat periods.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="jcm-bench-verify-") as tmp:
        root = Path(tmp)
        app, _ = _world(root, args.meters, args.days)
        acting = app.acting(operator_for(PP)).mrv.verification
        verify, export, check = [], [], []
        bundle = root / "evidence.zip"
        span = args.days // args.repeat  # disjoint periods: a passed one blocks its days
        for n in range(args.repeat):
            first = START + timedelta(days=n * span)
            last = first + timedelta(days=span - 1)
            result, seconds = _timed(
                partial(acting.verify_period, "KE001", first, last, cc.ActingAs(PP))
            )
            verify.append(seconds)
            assert result.passed, result
            bundle.unlink(missing_ok=True)
            export.append(_timed(partial(acting.export_bundle, result.verification, bundle))[1])
            verdict, seconds = _timed(partial(app.mrv.verification.verify_bundle, bundle))
            check.append(seconds)
            assert verdict.ok, verdict.as_json()
        readings = args.meters * span * 96
        ed25519, polars_rate = _ceilings(bundle, root)
        app.close()
    medians = [statistics.median(x) for x in (verify, export, check)]
    print(
        f"{args.meters} meters × {args.days // args.repeat} days = {readings:,} readings per "
        f"period, {args.repeat} periods; load {load:.2f} → {os.getloadavg()[0]:.2f}"
    )
    for name, seconds in zip(
        ("verify_period", "export_bundle", "verify_bundle"), medians, strict=True
    ):
        print(f"  {name:14} median {seconds:6.2f} s  {readings / seconds:12,.0f} readings/s")
    batches = args.meters * (args.days // args.repeat)
    print(
        f"  ceilings: Ed25519 {ed25519:,.0f} verifications/s (signatures alone: "
        f"{batches / ed25519:.2f} s); Polars read + sum {polars_rate:,.0f} readings/s"
    )
    print(
        f"  verify_bundle / Polars ceiling: {readings / medians[2] / polars_rate:.4f}; "
        f"signature share of verify_bundle: {batches / ed25519 / medians[2]:.0%}"
    )


if __name__ == "__main__":
    main()
