"""The PV fleet simulator's own speed: ``python -m bench.mrv_fleet [--devices N] [--days D]``.

Measures, in one run: generating and signing a fleet's batches (readings/s), against the raw
ceiling of Ed25519 signatures of the same canonical batches; writing them as a Parquet import
file; and publishing them to a bare Mosquitto broker (started here on a free port, anonymous,
no subscriber) with QoS 1 and every PUBACK awaited, with 1 and 2 publisher processes. Each
figure is the median of ``--repeat`` runs. Prints a Markdown section; ``--write`` appends it
to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

from bench.machine import machine_info
from jcm.adapters.mrv.signatures import canonical_batch
from jcm.fleet.definition import create_fleet
from jcm.fleet.generate import Simulation, simulate
from jcm.fleet.sinks import send_mqtt, write_files

MOSQUITTO = "/usr/sbin/mosquitto"


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def signing_ceiling(simulation: Simulation) -> float:
    """Seconds to sign every batch of the simulation once (the canonical bytes precomputed)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    fleet_keys: dict[str, Ed25519PrivateKey] = {}

    blobs = [canonical_batch(e.body["batch"]) for e in simulation.envelopes]
    for envelope in simulation.envelopes:
        fleet_keys.setdefault(envelope.device, Ed25519PrivateKey.generate())
    keys = [fleet_keys[e.device] for e in simulation.envelopes]
    began = time.perf_counter()
    for key, blob in zip(keys, blobs, strict=True):
        key.sign(blob)
    return time.perf_counter() - began


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_broker(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    config = directory / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("mosquitto did not start")


def run(devices: int, days: int, repeat: int) -> list[tuple[str, str]]:
    fleet = create_fleet(
        "KE001", devices, Decimal("-1.29"), Decimal("36.82"), "Africa/Nairobi", Decimal("200")
    )
    simulate(fleet, date(2026, 6, 1), 1)  # imports and pvlib's first lookups
    holder: list[Simulation] = []
    generate = median_seconds(
        lambda: holder.append(simulate(fleet, date(2026, 6, 1), days, seed=1)), repeat
    )
    simulation = holder[-1]
    readings = simulation.readings
    sign = signing_ceiling(simulation)
    rows = [
        (
            "batches × readings",
            f"{len(simulation.envelopes):,} × {readings // len(simulation.envelopes)}",
        ),
        ("generate + sign (readings/s)", f"{readings / generate:,.0f}"),
        ("Ed25519 signing ceiling (readings/s)", f"{readings / sign:,.0f}"),
        ("generation / ceiling", f"{sign / generate:.2f}"),
    ]
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(scratch)
        parquet = median_seconds(lambda: write_files(simulation, where / "out.parquet"), repeat)
        rows.append(("Parquet import file (readings/s)", f"{readings / parquet:,.0f}"))
        hourly = simulate(fleet, date(2026, 6, 1), days, seed=1, batch="hour")
        process, port = start_broker(where)
        try:
            for name, sim in (("day", simulation), ("hour", hourly)):
                for processes in (1, 2):
                    seconds = median_seconds(
                        partial(send_mqtt, sim, f"mqtt://127.0.0.1:{port}", processes=processes),
                        repeat,
                    )
                    rows.append(
                        (
                            f"MQTT QoS 1, {name} batches, --processes {processes}",
                            f"{sim.readings / seconds:,.0f} readings/s, "
                            f"{len(sim.envelopes) / seconds:,.0f} batches/s",
                        )
                    )
        finally:
            process.terminate()
            process.wait(10)
    return rows


def report(devices: int, days: int, repeat: int, rows: list[tuple[str, str]]) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## PV fleet simulator ({stamp}, `python -m bench.mrv_fleet`)",
        "",
        f"{devices} meters × {days} days of 15-minute readings, day batches; medians of "
        f"{repeat} runs. The MQTT figures include starting the publisher processes (about a "
        "second each; one process per 5,000 batches at most, so the day batches use one) and "
        "one connection per meter (32 at a time per process); the broker has no subscriber "
        "(intake is measured by `bench.mrv_mqtt`). Two cores, shared with the broker and "
        "other work: more processes help only for long runs.",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
        "Machine: "
        + "; ".join(f"{k} {v}" for k, v in machine_info(None).items() if k != "PostgreSQL"),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    text = report(args.devices, args.days, args.repeat, run(args.devices, args.days, args.repeat))
    print(text)
    if args.write:
        target = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
        with target.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
