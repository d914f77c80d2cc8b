"""End-to-end MQTT intake of signed batches on loopback: ``python -m bench.mrv_mqtt``.

Devices (registered in a fresh SQLite registry, or PostgreSQL with ``--database-url``)
publish pre-signed batches at QoS 1 from ``--publishers`` processes through a real
Mosquitto broker to ``--subscribers`` ``jcm mrv subscribe`` processes sharing one MQTT 5
subscription group. Measured, in the same run:

* **end to end**: readings/s from the first publish until every batch's receipt is stored
  (zero loss: stored == sent, each (device, seq) once), ``--repeat`` times (median);
* **raw ceilings**: Ed25519 verifications/s (``Ed25519Batches.verify`` on pre-built
  canonical bytes: the signature cost per batch and per reading), and the broker's own
  throughput with a no-op subscriber (QoS 1, auto-acknowledged, nothing stored).

Prints a JSON report (with the machine) on stdout; ``--quick`` for a small smoke run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from bench.machine import git_commit, machine_info
from jcm.adapters import schema
from jcm.adapters.mrv.signatures import (
    Ed25519Batches,
    canonical_batch,
    new_device_key,
    public_key_text,
    sign_batch,
)
from jcm.bootstrap import App, Settings, bootstrap, mqtt_broker
from jcm.domain.mrv.batches import format_timestamp
from jcm.domain.mrv.broker import BrokerSettings, device_topic
from jcm.domain.mrv.devices import Calibration, Device, DeviceKind, Location, RegisterKind

MOSQUITTO = "/usr/sbin/mosquitto"
START = 1_780_000_000  # 2026-05-28T00:00Z, a quarter-hour boundary
LAUNCH = "from jcm.entrypoints.cli import main; main()"


@dataclass(frozen=True)
class Plan:
    devices: int
    batches: int  # per device
    readings: int  # per batch
    publishers: int
    subscribers: int
    repeat: int
    max_batch: int

    @property
    def total_batches(self) -> int:
        return self.devices * self.batches

    @property
    def total_readings(self) -> int:
        return self.total_batches * self.readings


# -- the registry side -------------------------------------------------------------------


def _device(device_id: str, public_key: str) -> Device:
    return Device(
        id=device_id,
        project_id="KE001",
        parameter="EG_p",
        kind=DeviceKind.METER,
        register=RegisterKind.INTERVAL,
        interval_minutes=15,
        nameplate_kw=Decimal("250"),
        location=Location(Decimal("-1.286389"), Decimal("36.817223"), "Africa/Nairobi"),
        meter_serial=f"SN-{device_id}",
        calibration=Calibration(date(2026, 1, 15), date(2028, 1, 14), Decimal("0.5")),
        public_key=public_key,
    )


def register_devices(app: App, count: int, prefix: str) -> dict[str, Ed25519PrivateKey]:
    """Devices inserted straight through the device store (the benchmark measures intake,
    not registration, which needs a project walked through the cycle)."""
    keys: dict[str, Ed25519PrivateKey] = {}
    with app.unit_of_work() as uow:
        for n in range(count):
            device_id = f"{prefix}-{n + 1:04d}"
            key, public = new_device_key()
            uow.mrv_devices.add(_device(device_id, public), "bench", datetime.now(UTC))
            keys[device_id] = key
        uow.commit()
    return keys


def envelopes(device: str, key: Ed25519PrivateKey, plan: Plan) -> list[bytes]:
    out = []
    for seq in range(1, plan.batches + 1):
        start = START + (seq - 1) * plan.readings * 900
        rows = [[format_timestamp(start + i * 900, 180), 500 + i] for i in range(plan.readings)]
        batch: dict[str, object] = {"device": device, "seq": seq, "readings": rows}
        out.append(json.dumps(sign_batch(batch, key), separators=(",", ":")).encode())
    return out


def stored(app: App) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.mrv_batches)).scalar_one())


# -- the broker ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_broker(directory: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([MOSQUITTO, "-c", str(directory / "mosquitto.conf")])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("mosquitto did not start")


# -- publishers (separate processes) -------------------------------------------------------


def _publish_all(port: int, work: list[tuple[str, str, list[bytes]]], ready: Any, go: Any) -> None:
    """One publisher process: a client per device (its own credentials), QoS 1."""
    from paho.mqtt.client import Client, MQTTv5
    from paho.mqtt.enums import CallbackAPIVersion

    clients = []
    for device, password, _ in work:
        client = Client(CallbackAPIVersion.VERSION2, protocol=MQTTv5)
        client.username_pw_set(device, password)
        client.max_inflight_messages_set(1000)
        client.connect("127.0.0.1", port)
        client.loop_start()
        clients.append(client)
    ready.release()
    go.wait()
    infos = []
    for round_ in range(max(len(p) for _, _, p in work)):
        for client, (device, _, payloads) in zip(clients, work, strict=True):
            if round_ < len(payloads):
                infos.append(client.publish(device_topic(device), payloads[round_], qos=1))
    for info in infos:
        info.wait_for_publish(120)
    for client in clients:
        client.disconnect()
        client.loop_stop()


def publish(port: int, work: list[tuple[str, str, list[bytes]]], processes: int) -> float:
    """Start the publisher processes, release them together; the start time."""
    context = multiprocessing.get_context("fork")
    ready, go = context.Semaphore(0), context.Event()
    shares = [work[i::processes] for i in range(processes)]
    procs = [context.Process(target=_publish_all, args=(port, s, ready, go)) for s in shares]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.acquire()
    started = time.perf_counter()
    go.set()

    def reap() -> None:
        for proc in procs:
            proc.join()

    threading.Thread(target=reap, daemon=True).start()
    return started


# -- the measurements ------------------------------------------------------------------------


def verify_ceiling(keys: dict[str, Ed25519PrivateKey], plan: Plan) -> dict[str, float]:
    """Ed25519Batches.verify on pre-built canonical bytes; and canonical JSON + verify."""
    batches = []
    for device, key in list(keys.items())[:20]:
        for env in envelopes(device, key, Plan(1, 25, plan.readings, 1, 1, 1, 1)):
            envelope = json.loads(env)
            batches.append((envelope["batch"], envelope["signature"], device, key))
    verifier = Ed25519Batches()
    prepared = [(canonical_batch(b), s, public_key_text(k)) for b, s, _, k in batches]
    start = time.perf_counter()
    for signed, signature, public in prepared * 4:
        assert verifier.verify(signed, signature, public)
    verify_s = (time.perf_counter() - start) / (len(prepared) * 4)
    start = time.perf_counter()
    for batch, _, _, _ in batches:
        canonical_batch(batch)
    canonical_s = (time.perf_counter() - start) / len(batches)
    return {
        "ed25519_verifications_per_s": round(1 / verify_s),
        "verify_us_per_batch": round(verify_s * 1e6, 1),
        "verify_us_per_reading": round(verify_s * 1e6 / plan.readings, 3),
        "canonical_json_us_per_batch": round(canonical_s * 1e6, 1),
    }


def broker_ceiling(
    port: int, login: tuple[str, str], work: list[tuple[str, str, list[bytes]]], plan: Plan
) -> float:
    """Messages/s through the broker to one no-op subscriber (QoS 1, auto-acknowledged)."""
    from paho.mqtt.client import Client, MQTTMessage, MQTTv5
    from paho.mqtt.enums import CallbackAPIVersion

    received = [0]
    done = threading.Event()
    expected = sum(len(p) for _, _, p in work)

    def on_message(_c: Client, _u: object, _m: MQTTMessage) -> None:
        received[0] += 1
        if received[0] >= expected:
            done.set()

    client = Client(CallbackAPIVersion.VERSION2, protocol=MQTTv5, client_id="bench-noop")
    client.username_pw_set(*login)
    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.subscribe("jcm/meters/+/readings", qos=1)
    client.loop_start()
    time.sleep(0.5)
    started = publish(port, work, plan.publishers)
    done.wait(300)
    elapsed = time.perf_counter() - started
    client.disconnect()
    client.loop_stop()
    return received[0] / elapsed


def start_subscribers(
    data_dir: Path, database_url: str, port: int, plan: Plan, group: str
) -> list[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JCM_")}
    env["JCM_DATABASE_URL"] = database_url
    procs = []
    for n in range(plan.subscribers):
        command = [sys.executable, "-c", LAUNCH, "--data-dir", str(data_dir), "mrv", "subscribe"]
        command += ["--broker", f"mqtt://127.0.0.1:{port}", "--group", group]
        command += ["--client-id", f"{group}-{n}", "--max-batch", str(plan.max_batch), "--json"]
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stderr is not None
        while "subscribed" not in (line := proc.stderr.readline()):
            if not line:
                raise RuntimeError("the subscriber did not start")
        procs.append(proc)
    return procs


def end_to_end(app: App, port: int, plan: Plan, prefix: str) -> dict[str, Any]:
    keys = register_devices(app, plan.devices, prefix)
    service = mqtt_broker(app)
    work = [
        (d, service.issue_credentials(d).password, envelopes(d, k, plan)) for d, k in keys.items()
    ]
    directory = app.settings.data_dir / "broker"
    service.write_config(directory, BrokerSettings(port=port))  # reloads the broker
    time.sleep(0.3)
    before = stored(app)
    subs = start_subscribers(app.settings.data_dir, app.settings.database_url, port, plan, prefix)
    started = publish(port, work, plan.publishers)
    deadline = time.monotonic() + 600
    while stored(app) - before < plan.total_batches and time.monotonic() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    summaries = []
    for proc in subs:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        summaries.append(json.loads(out))
    accepted = sum(s["accepted"] for s in summaries)
    readings = sum(s["accepted_readings"] for s in summaries)
    return {
        "sent_batches": plan.total_batches,
        "stored_batches": stored(app) - before,
        "accepted": accepted,
        "lost": plan.total_batches - accepted,
        "lost_readings": plan.total_readings - readings,
        "seconds": round(elapsed, 3),
        "readings_per_s": round(plan.total_readings / elapsed),
        "batches_per_s": round(plan.total_batches / elapsed),
        "per_subscriber_accepted": [s["accepted"] for s in summaries],
    }


def run(plan: Plan, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jcm-bench-mqtt-") as scratch:
        data_dir = Path(scratch)
        url = database_url or f"sqlite:///{data_dir / 'registry.sqlite3'}"
        app = bootstrap(Settings(data_dir, url))
        port = free_port()
        service = mqtt_broker(app)
        login = service.subscriber_login()
        keys = register_devices(app, plan.devices, "CEIL")
        work = [
            (d, service.issue_credentials(d).password, envelopes(d, k, plan))
            for d, k in keys.items()
        ]
        service.write_config(data_dir / "broker", BrokerSettings(port=port))
        broker = start_broker(data_dir / "broker", port)
        try:
            ceiling = verify_ceiling(keys, plan)
            broker_msgs = broker_ceiling(port, (login.username, login.password), work, plan)
            runs = [end_to_end(app, port, plan, f"E2E{n}") for n in range(plan.repeat)]
        finally:
            broker.send_signal(signal.SIGTERM)
            broker.wait(30)
            app.close()
    load = os.getloadavg()[0]  # other work on the machine during the run (1-minute average)
    rates = [r["readings_per_s"] for r in runs]
    median = statistics.median(rates)
    return {
        "plan": plan.__dict__,
        "machine": machine_info(None),
        "commit": git_commit(),
        "load_average_1min_at_end": round(load, 2),
        "verify": ceiling,
        "broker_noop_messages_per_s": round(broker_msgs),
        "broker_noop_readings_per_s": round(broker_msgs * plan.readings),
        "runs": runs,
        "median_readings_per_s": round(median),
        "ratio_to_broker_ceiling": round(median / (broker_msgs * plan.readings), 3),
        "ratio_to_verify_ceiling": round(
            median / (ceiling["ed25519_verifications_per_s"] * plan.readings), 3
        ),
        "zero_loss": all(
            r["lost"] == 0 and r["lost_readings"] == 0 and r["stored_batches"] == r["sent_batches"]
            for r in runs
        ),
    }


def markdown(reports: list[dict[str, Any]]) -> str:
    """A dated section for docs/benchmarks.md from one or more runs (e.g. 1 and 2 subscribers)."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    machine = reports[0]["machine"]
    plan = reports[0]["plan"]
    lines = [
        f"## MQTT intake ({now} UTC, `python -m bench.mrv_mqtt`)",
        "",
        f"{plan['devices']} devices × {plan['batches']} signed batches of {plan['readings']} "
        f"readings, QoS 1, {plan['publishers']} publisher processes, a local Mosquitto 2.0, "
        f"`jcm mrv subscribe` processes (SQLite, --max-batch {plan['max_batch']}); "
        f"median of {plan['repeat']} runs from the first publish to the last receipt stored; "
        "load average (1 min) at the end of each: "
        + ", ".join(str(r.get("load_average_1min_at_end", "?")) for r in reports)
        + ".",
        "",
        "| " + " | ".join(["machine", *machine]) + " |",
        "|" + "---|" * (len(machine) + 1),
        "| | " + " | ".join(machine.values()) + " |",
        "",
        "| subscribers | readings/s (median) | runs | lost | target | met | "
        "ratio to broker ceiling | ratio to Ed25519 ceiling |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        runs = ", ".join(f"{x['readings_per_s']:,}" for x in r["runs"])
        lost = sum(x["lost"] for x in r["runs"])
        met = "yes" if r["median_readings_per_s"] >= 20_000 and r["zero_loss"] else "no"
        lines.append(
            f"| {r['plan']['subscribers']} | {r['median_readings_per_s']:,} | {runs} | {lost} "
            f"| ≥ 20,000/s, zero loss | {met} | {r['ratio_to_broker_ceiling']} "
            f"| {r['ratio_to_verify_ceiling']} |"
        )
    first = reports[0]
    v = first["verify"]
    lines += [
        "",
        f"- Raw ceilings in the same run: Ed25519 {v['ed25519_verifications_per_s']:,} "
        f"verifications/s (`Ed25519Batches.verify`: {v['verify_us_per_batch']} µs per batch, "
        f"{v['verify_us_per_reading']} µs per reading; RFC 8785 canonical JSON of a batch "
        f"{v['canonical_json_us_per_batch']} µs); the broker with a no-op subscriber "
        f"{first['broker_noop_messages_per_s']:,} messages/s "
        f"(= {first['broker_noop_readings_per_s']:,} readings/s).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=40)
    parser.add_argument("--batches", type=int, default=50, help="per device")
    parser.add_argument("--readings", type=int, default=96, help="per batch (96: a day)")
    parser.add_argument("--publishers", type=int, default=2)
    parser.add_argument("--subscribers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-batch", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--markdown",
        nargs="+",
        metavar="REPORT",
        help="print the docs/benchmarks.md section of saved JSON reports and exit",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown([json.loads(Path(p).read_text()) for p in args.markdown]))
        return 0
    plan = Plan(
        args.devices if not args.quick else 6,
        args.batches if not args.quick else 10,
        args.readings,
        args.publishers,
        args.subscribers,
        args.repeat if not args.quick else 1,
        args.max_batch,
    )
    report = run(plan, args.database_url)
    print(json.dumps(report, indent=2))
    return 0 if report["zero_loss"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
