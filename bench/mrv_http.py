"""``python -m bench.mrv_http``: HTTP batch intake of signed readings, in readings/s.

A real uvicorn server (``bench.http_server``, pinned to core 0) takes ``POST
/api/v1/mrv/batches`` requests of ``--batches`` signed batches of 96 quarter-hour readings
each (a device-day) from an httpx client pinned to core 1, with a participant's
``mrv:submit`` token, on SQLite. Measured in the same run:

* **HTTP intake**: accepted readings per second (every batch must come back accepted);
* **in-process intake**: the same use case called directly (``IntakeService.accept``), for
  the HTTP/in-process ratio;
* **ceilings**: Ed25519 verifications per second of one 96-reading batch on one core (the
  cryptographic bound: readings/s = verifications/s × 96), and a bare ASGI endpoint given
  the same request bodies (what HTTP transport alone allows).

Each figure is the median of ``--rounds`` rounds. Prints a Markdown section for
``docs/benchmarks.md`` (``--write`` appends it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.http import free_port
from bench.machine import ROOT, machine_info
from jcm.adapters.mrv.signatures import Ed25519Batches, canonical_batch, new_device_key, sign_batch
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import Role, Side
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.documents import DocumentKind
from jcm.domain.cycle.project import CreditingPeriod, Participant, ProjectProposal
from jcm.domain.identity.principal import Scope, operator_for
from jcm.domain.mrv.batches import format_timestamp
from jcm.domain.mrv.devices import Calibration, Device, DeviceKind, Location, RegisterKind
from jcm.domain.registry import commands as c
from jcm.entrypoints.demo_cycle import DEMO_RULE_BOOK, Walker, actors, define_demo_rule_book, enrol

DOCS = ROOT / "docs" / "benchmarks.md"
PROJECT, PARTICIPANT = "KE900", "bench-pp"
READINGS = 96  # one device-day of quarter-hour readings
DAY0 = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
TARGET = 20_000.0  # readings/s, the MQTT path's target; HTTP has none of its own


@dataclass(frozen=True)
class Fleet:
    keys: dict[str, Ed25519PrivateKey]
    token: str


def _device(device_id: str, public_key: str) -> Device:
    return Device(
        device_id,
        PROJECT,
        "EG_p",
        DeviceKind.METER,
        RegisterKind.INTERVAL,
        15,
        Decimal("1000"),
        Location(Decimal("-1.2921"), Decimal("36.8219"), "Africa/Nairobi"),
        f"SN-{device_id}",
        Calibration(date(2026, 1, 1), date(2028, 1, 1), Decimal("0.5")),
        public_key,
    )


def prepare(app: App, devices: int) -> Fleet:
    """A project with one participant, its devices and an ``mrv:submit`` token."""
    for code in ("JP", "KE"):
        app.registry.create_registry(c.CreateRegistry(code))
    cast = [
        *actors(("KE",)),
        cc.RegisterActor(PARTICIPANT, Role.PROJECT_PARTICIPANT, "Bench PV", Side.JAPAN),
    ]
    enrol(app.identity, app.cycle, cast, key_prefix=None)
    define_demo_rule_book(app.cycle)
    pin = Walker(app.cycle, app.documents, lambda _: None).docs(PROJECT, DocumentKind.PIN)
    proposal = ProjectProposal(
        PROJECT,
        "Bench PV",
        "KE_AM002",
        "1.0",
        1,
        (Participant(PARTICIPANT, Side.JAPAN, focal_point=True),),
        CreditingPeriod(date(2023, 1, 1), date(2030, 12, 31)),
    )
    app.cycle.start_project(
        cc.StartProject(
            proposal,
            cc.ActingAs(PARTICIPANT),
            date(2022, 6, 1),
            pin,
            rule_book=DEMO_RULE_BOOK.version,
        )
    )
    keys = {}
    with app.unit_of_work() as uow:
        for i in range(devices):
            key, public = new_device_key()
            device = _device(f"KE900-PV-{i:04d}", public)
            uow.mrv_devices.add(device, PARTICIPANT, uow.now)
            keys[device.id] = key
        uow.commit()
    token = app.identity.create_token(
        operator_for(PARTICIPANT), PARTICIPANT, "bench", frozenset({Scope.MRV_SUBMIT}), 1
    ).token
    return Fleet(keys, token)


def envelopes(fleet: Fleet, first_day: int, count: int) -> list[dict[str, object]]:
    """``count`` signed device-days, the devices taking turns, days from ``first_day``."""
    out = []
    devices = sorted(fleet.keys)
    for n in range(count):
        device = devices[n % len(devices)]
        day = first_day + n // len(devices)
        start = DAY0 + day * 86_400
        readings = [[format_timestamp(start + 900 * i, 180), 250 + i] for i in range(READINGS)]
        batch: dict[str, object] = {"device": device, "seq": day + 1, "readings": readings}
        out.append(sign_batch(batch, fleet.keys[device]))
    return out


def verifications_per_second(seconds: float) -> float:
    key, public = new_device_key()
    batch: dict[str, object] = {
        "device": "D",
        "seq": 1,
        "readings": [[format_timestamp(DAY0 + 900 * i, 180), i] for i in range(READINGS)],
    }
    signed = canonical_batch(batch)
    signature = sign_batch(batch, key)["signature"]
    assert isinstance(signature, str)
    verifier = Ed25519Batches()
    began, n = time.perf_counter(), 0
    while time.perf_counter() - began < seconds:
        for _ in range(200):
            verifier.verify(signed, signature, public)
        n += 200
    return n / (time.perf_counter() - began)


def _server(data_dir: Path, port: int, ceiling: bool) -> subprocess.Popen[bytes]:
    command = ["taskset", "-c", "0", sys.executable, "-m", "bench.http_server"]
    command += [str(data_dir), str(port)] + (["--ceiling"] if ceiling else [])
    env = {**os.environ, "JCM_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/registries", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the API server did not start")


def _post_all(port: int, token: str, bodies: list[bytes], check: bool) -> float:
    """Seconds to POST every body in turn (one connection); checks every batch accepted."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"http://127.0.0.1:{port}/api/v1/mrv/batches"
    with httpx.Client(timeout=120) as client:
        began = time.perf_counter()
        for body in bodies:
            response = client.post(url, content=body, headers=headers)
            if check:
                answer = response.json()
                if response.status_code != 200 or answer["refused"] or answer["duplicates"]:
                    raise RuntimeError(f"intake refused: {response.text[:500]}")
        return time.perf_counter() - began


def _bodies(fleet: Fleet, first_day: int, requests: int, per_request: int) -> list[bytes]:
    signed = envelopes(fleet, first_day, per_request * requests)
    return [
        json.dumps({"batches": signed[i : i + per_request]}).encode()
        for i in range(0, len(signed), per_request)
    ]


def measure(args: argparse.Namespace) -> dict[str, object]:
    data_dir = Path(tempfile.mkdtemp(prefix="jcm-bench-mrv-"))
    app = bootstrap(Settings.from_env(data_dir), announce=None)
    fleet = prepare(app, args.devices)
    per_round = args.requests * args.batches
    day_stride = per_round // args.devices + 1
    rounds: list[list[bytes]] = [
        _bodies(fleet, day_stride * r, args.requests, args.batches) for r in range(args.rounds)
    ]
    in_process = _in_process(app, fleet, day_stride * args.rounds, args)
    app.close()
    port = free_port()
    server = _server(data_dir, port, ceiling=False)
    try:
        http = [per_round * READINGS / _post_all(port, fleet.token, b, True) for b in rounds]
    finally:
        server.terminate()
        server.wait(30)
    port = free_port()
    ceiling_server = _server(data_dir, port, ceiling=True)
    try:
        bare = [per_round * READINGS / _post_all(port, fleet.token, b, False) for b in rounds]
    finally:
        ceiling_server.terminate()
        ceiling_server.wait(30)
    verify = verifications_per_second(args.seconds)
    return {
        "load": os.getloadavg()[0],
        "http": statistics.median(http),
        "http_runs": http,
        "in_process": statistics.median(in_process),
        "bare_http": statistics.median(bare),
        "verifications": verify,
        "request_bytes": statistics.median(len(b) for b in rounds[0]),
        "machine": machine_info(None),
    }


def _in_process(app: App, fleet: Fleet, first_day: int, args: argparse.Namespace) -> list[float]:
    """The use case without HTTP: the same calls of ``--batches`` envelopes each."""
    rates = []
    intake = app.mrv.intake
    by = operator_for(PARTICIPANT)
    for r in range(args.rounds):
        per_call = args.batches // args.devices + 1  # days one call spans
        day = first_day + r * (args.requests * per_call + 1)
        calls = [envelopes(fleet, day + k * per_call, args.batches) for k in range(args.requests)]
        began = time.perf_counter()
        for call in calls:
            results = intake.accept_envelopes(call, "http", by=by)
            assert all(x.outcome.value == "accepted" for x in results), results[:3]
        rates.append(args.requests * args.batches * READINGS / (time.perf_counter() - began))
    return rates


def markdown(r: dict[str, object], args: argparse.Namespace) -> str:
    machine = r["machine"]
    assert isinstance(machine, dict)
    http, inproc, bare, verify = (
        float(r[k])  # type: ignore[arg-type]
        for k in ("http", "in_process", "bare_http", "verifications")
    )
    crypto = verify * READINGS
    return "\n".join(
        [
            "## Digital MRV: HTTP batch intake (`python -m bench.mrv_http`)",
            "",
            f"{time.strftime('%Y-%m-%d', time.gmtime())}, "
            + ", ".join(f"{k}: {v}" for k, v in machine.items())
            + f". Load average at the end of the run: {float(r['load']):.1f} on 2 cores "  # type: ignore[arg-type]
            "(other work shared the machine: the figures are conservative and the ratios "
            "noisy).",
            "",
            f"`POST /api/v1/mrv/batches` with {args.batches} signed batches of {READINGS} "
            f"readings per request (about {int(r['request_bytes']) // 1024} KiB, under the "  # type: ignore[call-overload]
            f"1 MiB JSON limit), {args.requests} requests per round, one connection, "
            f"{args.devices} devices, SQLite; server on core 0, client on core 1; median of "
            f"{args.rounds} rounds.",
            "",
            "| measure | readings/s | ratio |",
            "|---|---:|---:|",
            f"| HTTP intake (accepted, durable) | {http:,.0f} | 1 |",
            f"| in-process `IntakeService.accept` (same calls) | {inproc:,.0f} | "
            f"HTTP = {http / inproc:.0%} of it |",
            f"| ceiling: bare ASGI endpoint, same bodies | {bare:,.0f} | "
            f"HTTP = {http / bare:.0%} of it |",
            f"| ceiling: Ed25519 verifications, one core ({verify:,.0f}/s × {READINGS}) | "
            f"{crypto:,.0f} | HTTP = {http / crypto:.0%} of it |",
            "",
            f"Target (the MQTT path's, none is set for HTTP): {TARGET:,.0f} readings/s — "
            + ("met." if http >= TARGET else "not met."),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--batches", type=int, default=200, help="batches per request")
    parser.add_argument("--requests", type=int, default=10, help="requests per round")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="for the Ed25519 ceiling")
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args(argv)
    results = measure(args)
    section = markdown(results, args)
    print(section)
    if args.write:
        with DOCS.open("a", encoding="utf-8") as out:
            out.write("\n" + section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
