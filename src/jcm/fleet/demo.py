"""The demo's small fleet, end to end: define it, register it, publish over MQTT and HTTP.

Given the running demo (its API URL and a token of one of KE001's participants, an MQTT
broker and a way to get the meters' MQTT passwords once they are registered)::

    from jcm.fleet.demo import DemoFleet, run_demo_fleet
    result = run_demo_fleet(DemoFleet(
        api_url="http://127.0.0.1:8000", token=participant_token,
        mqtt_url="mqtt://127.0.0.1:1883", issue_passwords=issue, workdir=Path("jcm-data/fleet"),
    ))

1. defines 4 meters of 200 kW around Nairobi (KE001's site), or reuses the fleet file
   ``workdir/fleet.json`` of an earlier run (mode 0600: it holds the private keys);
2. registers each over ``POST /api/v1/mrv/devices`` as the participant (a meter registered by
   an earlier run answers 409 and is left as it is);
3. asks ``issue_passwords(device_ids)`` for their MQTT passwords (the broker's credentials,
   issued by the MQTT part, e.g. ``jcm mrv mqtt credentials``);
4. simulates 7 days from ``first_day`` (default: the week that ended yesterday) with a
   stuck meter (KE001-PV-002, day 2 from 10:00)
   and a gap (KE001-PV-003, day 3 from 09:00, 2 hours); meters 1–2 publish over MQTT
   (QoS 1, per-device credentials), meters 3–4 post over HTTP (``http=False`` sends
   everything over MQTT).

With the registry in the same process (the demo command), ``issue_passwords`` can be::

    def issue(devices):
        broker = mqtt_broker(app)  # jcm.bootstrap
        passwords = {d: broker.issue_credentials(d).password for d in devices}
        broker.write_config(broker_dir, BrokerSettings(port=1883))  # reloads the broker
        return passwords        # run_demo_fleet waits until the reloaded broker takes them

QA/QC over the result's ``qa_period`` (whole UTC days, e.g. ``jcm mrv qa --project KE001
--from … --to …``) should then report ``Q09_STUCK`` × 8 on KE001-PV-002 and ``Q01_GAP`` × 8
on KE001-PV-003, and nothing else.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jcm.domain.errors import InvalidInput
from jcm.fleet.definition import Fleet, create_fleet, load_fleet, registration_bodies, save_fleet
from jcm.fleet.faults import parse_faults
from jcm.fleet.generate import simulate
from jcm.fleet.publisher import Publisher, mqtt_address
from jcm.fleet.sinks import send_http, send_mqtt

DEMO_FAULTS = "stuck:KE001-PV-002/8,gap:{project}-PV-003@{day3}T09:00/8"


@dataclass(frozen=True)
class DemoFleet:
    api_url: str  # e.g. http://127.0.0.1:8000
    token: str = field(repr=False)  # a KE001 participant's API token
    mqtt_url: str  # e.g. mqtt://127.0.0.1:1883
    issue_passwords: Callable[[Sequence[str]], Mapping[str, str]] = field(repr=False)
    workdir: Path
    project: str = "KE001"
    devices: int = 4
    latitude: Decimal = Decimal("-1.29")
    longitude: Decimal = Decimal("36.82")
    timezone: str = "Africa/Nairobi"
    nameplate_kw: Decimal = Decimal("200")
    first_day: date | None = None  # None: the week that ended yesterday (UTC)
    days: int = 7
    seed: int = 1
    http: bool = True  # meters 3 and 4 over HTTP (False: everything over MQTT)
    client: Any = field(default=None, repr=False)  # an httpx.Client for the API (tests)


def demo_fleet(settings: DemoFleet) -> Fleet:
    """The fleet file of an earlier run, or a new one (written 0600)."""
    path = settings.workdir / "fleet.json"
    if path.exists():
        return load_fleet(path)
    settings.workdir.mkdir(parents=True, exist_ok=True)
    fleet = create_fleet(
        settings.project,
        settings.devices,
        settings.latitude,
        settings.longitude,
        settings.timezone,
        settings.nameplate_kw,
        register="mixed",
        seed=settings.seed,
    )
    save_fleet(fleet, path)
    return fleet


def register_fleet(settings: DemoFleet, fleet: Fleet) -> dict[str, str]:
    """Register every meter as the participant: device id → registered | already."""
    import httpx

    headers = {"Authorization": f"Bearer {settings.token}"}
    outcome: dict[str, str] = {}
    client = settings.client or httpx.Client(base_url=settings.api_url, timeout=30.0)
    try:
        for body in registration_bodies(fleet):
            response = client.post("/api/v1/mrv/devices", json=body, headers=headers)
            if response.status_code == 201:
                outcome[body["id"]] = "registered"
            elif response.status_code == 409:
                outcome[body["id"]] = "already"
            else:
                raise InvalidInput(
                    "D11_SINK_FAILED",
                    f"Registering {body['id']} failed: HTTP {response.status_code} "
                    f"{response.text[:300]}",
                    target=settings.api_url,
                    rule="D11_SINK_FAILED",
                )
    except httpx.HTTPError as error:
        raise InvalidInput(
            "D11_SINK_FAILED",
            f"Registering the fleet at {settings.api_url} failed: {error}.",
            target=settings.api_url,
            rule="D11_SINK_FAILED",
        ) from None
    finally:
        if settings.client is None:
            client.close()
    return outcome


def run_demo_fleet(settings: DemoFleet) -> dict[str, Any]:
    """Define (or reuse), register and run the demo fleet; what was sent, the faults, and
    the whole UTC days the readings cover (``qa_period``: what to run QA/QC over)."""
    fleet = demo_fleet(settings)
    registered = register_fleet(settings, fleet)
    ids = [d.id for d in fleet.devices]
    over_http = set(ids[len(ids) // 2 :]) if settings.http else set()
    over_mqtt = set(ids) - over_http
    passwords = settings.issue_passwords(sorted(over_mqtt))
    if passwords:
        wait_for_login(settings.mqtt_url, *sorted(passwords.items())[-1])
    first_day = settings.first_day or (datetime.now(UTC).date() - timedelta(days=settings.days + 1))
    day3 = (first_day + timedelta(days=2)).isoformat()
    faults = parse_faults(DEMO_FAULTS.format(project=settings.project, day3=day3))
    simulation = simulate(fleet, first_day, settings.days, seed=settings.seed, faults=faults)
    sent = [send_mqtt(simulation.only(over_mqtt), settings.mqtt_url, passwords, processes=1)]
    if over_http:
        sent.append(
            send_http(
                simulation.only(over_http), settings.api_url, settings.token, client=settings.client
            )
        )
    return {
        "fleet_file": str(settings.workdir / "fleet.json"),
        "registered": registered,
        "summary": simulation.summary(),
        "sent": [report.as_json() for report in sent],
        "qa_period": _utc_days(settings.timezone, first_day, settings.days),
    }


def wait_for_login(url: str, device: str, password: str, timeout: float = 15.0) -> None:
    """Wait until the broker takes ``device``'s new password: a broker re-reads its password
    file on a signal, a moment after the credentials were issued."""
    host, port = mqtt_address(url)
    deadline = clock.monotonic() + timeout
    while True:
        publisher = None
        try:
            publisher = Publisher(host, port, device, password)
            publisher.ready(5.0)
            return
        except (OSError, RuntimeError):
            if clock.monotonic() > deadline:
                raise
            clock.sleep(0.2)
        finally:
            if publisher is not None:
                publisher.close()


def _utc_days(timezone: str, first_day: date, days: int) -> list[str]:
    """The first and last whole UTC day inside ``days`` local days from ``first_day``."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first_day, time(), zone).astimezone(UTC)
    end = datetime.combine(first_day + timedelta(days=days), time(), zone).astimezone(UTC)
    first = start.date() + timedelta(days=0 if start.time() == time() else 1)
    last = end.date() - timedelta(days=1)
    return [first.isoformat(), last.isoformat()]
