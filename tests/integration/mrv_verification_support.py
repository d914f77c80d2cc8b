"""Set-up for automatic verification tests: KE001 registered, metered, with stored batches.

world = verified_world(app)                 # KE001 registered, 2 meters, 2 days of data
world.expected_wh                           # the credited Wh, computed by hand here
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from cycle_api_support import API, FACTS, JC, PP, SEC, TPE, CycleWorld, cycle_world, start_body
from mrv_support import MrvWorld

from jcm.adapters.mrv.signatures import sign_batch
from jcm.bootstrap import App
from jcm.domain.mrv.batches import format_timestamp

START = date(2026, 3, 10)
END = date(2026, 3, 11)
NAIROBI_OFFSET = 180  # minutes: devices write local time
AUTO_RULE_BOOK = "KE automatic verification (test)"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def register_project(w: CycleWorld, rule_book: str | None = None) -> None:
    """KE001 from PIN to registration over HTTP, each step by its organisation."""
    body = start_body(w, date(2022, 6, 1))
    if rule_book is not None:
        body["rule_book"] = rule_book
    ok(w.client.post(f"{API}/projects", json=body, headers=w.as_(PP)), 201)
    ok(w.project_step(JC, "decide-no-objection", date(2022, 7, 1)))
    pdd = ("pdd", "modalities_of_communication", "monitoring_plan")
    fixed = {"P_PV": {"value": "1000", "unit": "kW"}}
    ok(w.project_step(PP, "submit-pdd", date(2022, 7, 31), *pdd, facts=FACTS, fixed=fixed))
    ok(w.project_step(TPE, "open-public-input", date(2022, 8, 5)))
    ok(w.project_step(TPE, "start-validation", date(2022, 9, 4)))
    ok(w.project_step(TPE, "validate", date(2022, 10, 4), "validation_report"))
    shares = [
        {"account": w.accounts["jp_gov"], "percent": "50"},
        {"account": w.accounts["ke_pp"], "percent": "40"},
        {"account": w.accounts["ke_gov"], "percent": "10"},
    ]
    kinds = ("registration_request", "credit_allocation_form")
    ok(w.project_step(PP, "request-registration", date(2022, 10, 14), *kinds, shares=shares))
    ok(w.project_step(SEC, "accept-registration-request", date(2022, 10, 19)))
    ok(w.project_step(JC, "register", date(2022, 11, 13)))


def day_readings(day: date, device_index: int) -> list[tuple[int, int]]:
    """(UTC seconds, Wh) every 15 minutes of a UTC day: generation from 06:00 to 13:00 UTC
    (09:00–16:00 in Nairobi, the sun well up), nothing at night, never a stuck run."""
    out = []
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    for quarter in range(96):
        moment = midnight + timedelta(minutes=15 * quarter)
        hour = (moment - midnight).total_seconds() / 3600
        wh = 20_000 + 37 * quarter + 101 * device_index if 6 <= hour <= 13 else 0
        out.append((int(moment.timestamp()), wh))
    return out


@dataclass
class VerifiedWorld:
    mrv: MrvWorld
    batches: int
    readings: int
    expected_wh: int  # Σ Wh of the period's readings (no flag excludes any)

    @property
    def app(self) -> App:
        return self.mrv.app

    @property
    def cycle(self) -> CycleWorld:
        return self.mrv.cycle


def send_readings(
    world: MrvWorld, start: date, end: date, first_seq: int = 1
) -> tuple[int, int, int]:
    """Sign and accept 4 batches per device and day (24 readings each), numbered from
    ``first_seq``; (batches, readings, Wh) accepted."""
    envelopes: list[object] = []
    total = readings = 0
    for index, device in enumerate(world.devices):
        seq = first_seq - 1
        day = start
        while day <= end:
            rows = day_readings(day, index)
            for part in range(4):
                seq += 1
                chunk = rows[part * 24 : (part + 1) * 24]
                batch = {
                    "device": device,
                    "seq": seq,
                    "readings": [[format_timestamp(ts, NAIROBI_OFFSET), wh] for ts, wh in chunk],
                }
                envelopes.append(sign_batch(batch, world.keys[device]))
                total += sum(wh for _, wh in chunk)
                readings += len(chunk)
            day += timedelta(days=1)
    results = world.app.mrv.intake.accept_envelopes(envelopes, "http")
    assert all(r.outcome.value == "accepted" for r in results), results
    return len(envelopes), readings, total


def verified_world(app: App, rule_book: str | None = None, devices: int = 2) -> VerifiedWorld:
    """KE001 registered (under ``rule_book``, else the demo's), ``devices`` meters and two
    days of accepted readings."""
    cycle = cycle_world(app)
    if rule_book is not None:
        body = {
            "version": rule_book,
            "allow_illustrative_methodologies": True,
            "automatic_verification": True,
        }
        ok(cycle.client.post(f"{API}/rule-books", json=body, headers=cycle.as_("admin")), 201)
    register_project(cycle, rule_book)
    world = MrvWorld(cycle, "KE001")
    world.add_devices(devices)
    batches, readings, wh = send_readings(world, START, END)
    return VerifiedWorld(world, batches, readings, wh)
