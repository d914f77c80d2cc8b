"""Metering devices: registration by a project's participants, visibility, changes, log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cycle_api_support import API, KE_PP, PP, SEC, TPE
from mrv_support import PROJECT, MrvWorld, device_body, mrv_world, sample_device
from sqlalchemy import select

from jcm.adapters import schema as t
from jcm.adapters.mrv.signatures import new_device_key
from jcm.bootstrap import App
from jcm.domain.mrv.devices import DEVICE_RECALIBRATED, DEVICE_REGISTERED, DEVICE_REPLACED

DEVICES = f"{API}/mrv/devices"


def _body(device_id: str = "KE001-PV-010", **changes: Any) -> dict[str, Any]:
    return device_body(sample_device(device_id, new_device_key()[1], **changes))


def _events(app: App, kind: str) -> list[dict[str, Any]]:
    """The changes the log recorded for ``kind``, oldest first."""
    query = select(t.events.c.entry).where(t.events.c.kind == kind).order_by(t.events.c.seq)
    with app.engine.connect() as connection:
        return [json.loads(entry)["change"] for entry in connection.execute(query).scalars()]


@pytest.fixture
def world(app: App) -> MrvWorld:
    return mrv_world(app, devices=1)


def test_the_support_registers_devices_with_fresh_keys(app: App) -> None:
    world = mrv_world(app, devices=3)
    assert world.devices == ["KE001-PV-001", "KE001-PV-002", "KE001-PV-003"]
    listed = app.mrv.devices.list(PROJECT)
    assert [d["id"] for d in listed] == world.devices
    assert len({d["public_key"] for d in listed}) == 3
    assert {d["organisation"] for d in listed} == {PP}


def test_a_participant_registers_a_device_and_the_registration_is_logged(
    world: MrvWorld,
) -> None:
    w = world.cycle
    body = _body(nameplate_kw="1250.5")
    response = w.client.post(DEVICES, json=body, headers=w.as_(KE_PP))
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["organisation"] == KE_PP
    assert stored["version"] == 1
    assert (stored["nameplate_kw"], stored["event"]) == ("1250.500", DEVICE_REGISTERED)
    shown = w.client.get(f"{DEVICES}/KE001-PV-010", headers=w.as_(PP)).json()
    assert shown == {name: value for name, value in stored.items() if name != "event"}
    assert shown["public_key"] == body["public_key"]
    logged = _events(world.app, DEVICE_REGISTERED)
    assert logged[-1]["device"]["id"] == "KE001-PV-010"
    assert logged[-1]["organisation"] == KE_PP


def test_another_organisation_neither_sees_nor_registers_a_projects_devices(
    world: MrvWorld,
) -> None:
    w = world.cycle
    device = world.devices[0]
    missing = w.client.get(f"{DEVICES}/{device}", headers=w.as_("other-pp"))
    absent = w.client.get(f"{DEVICES}/KE001-PV-999", headers=w.as_(PP))
    assert (missing.status_code, missing.json()["code"]) == (404, "D1_UNKNOWN_DEVICE")
    assert missing.json()["detail"].replace(device, "X") == absent.json()["detail"].replace(
        "KE001-PV-999", "X"
    )
    listed = w.client.get(DEVICES, params={"project": PROJECT}, headers=w.as_("other-pp"))
    assert listed.json() == {"items": []}
    refused = w.client.post(DEVICES, json=_body(), headers=w.as_("other-pp"))
    assert (refused.status_code, refused.json()["code"]) == (403, "D7_NOT_PARTICIPANT")
    change = w.client.post(
        f"{DEVICES}/{device}/recalibrations",
        json={"calibrated_on": "2026-03-01", "valid_until": "2028-03-01",
              "max_permissible_error_pct": "0.5"},
        headers=w.as_("other-pp"),
    )  # fmt: skip
    assert (change.status_code, change.json()["code"]) == (404, "D1_UNKNOWN_DEVICE")


def test_a_tpe_cannot_register_but_the_secretariat_of_the_partnership_reads(
    world: MrvWorld,
) -> None:
    w = world.cycle
    refused = w.client.post(DEVICES, json=_body(), headers=w.as_(TPE))
    assert refused.status_code == 403
    seen = w.client.get(DEVICES, params={"project": PROJECT}, headers=w.as_(SEC))
    assert [d["id"] for d in seen.json()["items"]] == world.devices


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("bad id", {"id": "KE001/PV"}, "D7_BAD_DEVICE"),
    ("unknown parameter", {"parameter": "EF_RE"}, "D7_NOT_MONITORED_PARAMETER"),
    ("not monitored", {"parameter": "P_PV"}, "D7_NOT_MONITORED_PARAMETER"),
    ("zero nameplate", {"nameplate_kw": "0"}, "D7_BAD_DEVICE"),
    ("huge nameplate", {"nameplate_kw": "1000000.001"}, "D7_BAD_DEVICE"),
    ("float nameplate", {"nameplate_kw": 2.5}, "H2_BAD_REQUEST"),
    ("latitude", {"location": {"latitude": "90.5", "longitude": "0", "timezone": "UTC"}},
     "D7_BAD_DEVICE"),
    ("longitude", {"location": {"latitude": "0", "longitude": "-181", "timezone": "UTC"}},
     "D7_BAD_DEVICE"),
    ("timezone", {"location": {"latitude": "0", "longitude": "0", "timezone": "Mars/Base"}},
     "D7_BAD_TIMEZONE"),
    ("timezone path", {"location": {"latitude": "0", "longitude": "0", "timezone": "../etc"}},
     "D7_BAD_TIMEZONE"),
    ("interval 7", {"interval_minutes": 7}, "D7_BAD_DEVICE"),
    ("interval 0", {"interval_minutes": 0}, "D7_BAD_DEVICE"),
    ("interval 120", {"interval_minutes": 120}, "D7_BAD_DEVICE"),
    ("calibration backwards",
     {"calibration": {"calibrated_on": "2026-01-10", "valid_until": "2026-01-09",
                      "max_permissible_error_pct": "0.5"}}, "D7_BAD_CALIBRATION"),
    ("calibration future",
     {"calibration": {"calibrated_on": "2026-05-01", "valid_until": "2027-01-09",
                      "max_permissible_error_pct": "0.5"}}, "D7_BAD_CALIBRATION"),
    ("mpe", {"calibration": {"calibrated_on": "2026-01-10", "valid_until": "2027-01-09",
                             "max_permissible_error_pct": "10.5"}}, "D7_BAD_CALIBRATION"),
    ("short key", {"public_key": "AAAA"}, "D2_BAD_KEY"),
    ("not base64", {"public_key": "!" * 44}, "D2_BAD_KEY"),
    ("max on interval", {"register_max_wh": 10**9}, "D7_BAD_DEVICE"),
    ("unknown project", {"project_id": "KE404"}, "P4_UNKNOWN_PROJECT"),
    ("empty serial", {"meter_serial": ""}, "D7_BAD_DEVICE"),
]  # fmt: skip


def test_invalid_registrations_are_refused_with_their_code_and_nothing_is_stored(
    world: MrvWorld,
) -> None:
    w = world.cycle
    wrong = []
    for name, change, code in CASES:
        response = w.client.post(DEVICES, json={**_body(), **change}, headers=w.as_(PP))
        if response.json().get("code") != code:
            wrong.append(f"{name}: want {code}, got {response.status_code} {response.text[:200]}")
    assert wrong == []
    assert [d["id"] for d in world.app.mrv.devices.list(PROJECT)] == world.devices
    again = w.client.post(DEVICES, json=_body(world.devices[0]), headers=w.as_(PP))
    assert (again.status_code, again.json()["code"]) == (409, "D7_DEVICE_EXISTS")


def test_a_recalibration_and_a_replacement_are_versioned_and_logged(world: MrvWorld) -> None:
    w = world.cycle
    device = world.devices[0]
    calibration = {"calibrated_on": "2026-03-01", "valid_until": "2028-02-28",
                   "max_permissible_error_pct": "0.2", "certificate": "CAL-2"}  # fmt: skip
    response = w.client.post(
        f"{DEVICES}/{device}/recalibrations", json=calibration, headers=w.as_(PP)
    )
    assert response.status_code == 200, response.text
    assert (response.json()["version"], response.json()["calibration"]["certificate"]) == (
        2,
        "CAL-2",
    )
    earlier = w.client.post(
        f"{DEVICES}/{device}/recalibrations", json=calibration, headers=w.as_(PP)
    )
    assert earlier.json()["code"] == "D7_BAD_CALIBRATION"
    _, key = new_device_key()
    swap = {"at": "2026-03-15T10:00:00+03:00", "new_serial": "SN-NEW", "public_key": key,
            "calibration": calibration}  # fmt: skip
    replaced = w.client.post(f"{DEVICES}/{device}/replacements", json=swap, headers=w.as_(PP))
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()
    assert (after["version"], after["meter_serial"], after["public_key"]) == (3, "SN-NEW", key)
    assert after["replacements"][0]["old_serial"] == f"SN-{device}"
    for problem, code in (
        ({"at": "2026-03-15T09:00:00+03:00", "new_serial": "SN-3"}, "D7_BAD_REPLACEMENT"),
        ({"at": "2026-03-20T09:00:00", "new_serial": "SN-3"}, "D7_BAD_REPLACEMENT"),
        ({"at": "2026-05-20T09:00:00Z", "new_serial": "SN-3"}, "D7_BAD_REPLACEMENT"),
        ({"at": "2026-03-20T09:00:00Z", "new_serial": "SN-NEW"}, "D7_BAD_REPLACEMENT"),
        ({"at": "2026-03-20T09:00:00Z", "new_serial": "SN-3", "public_key": key},
         "D7_BAD_REPLACEMENT"),
        ({"at": "2026-03-20T09:00:00Z", "new_serial": "SN-3", "old_final_wh": 5},
         "D7_BAD_REPLACEMENT"),
    ):  # fmt: skip
        body = {**swap, "public_key": new_device_key()[1], **problem}
        refused = w.client.post(f"{DEVICES}/{device}/replacements", json=body, headers=w.as_(PP))
        assert refused.json()["code"] == code, (problem, refused.text)
    assert [c["device"]["version"] for c in _events(world.app, DEVICE_RECALIBRATED)] == [2]
    replacements = _events(world.app, DEVICE_REPLACED)
    assert [c["replacement"]["new_serial"] for c in replacements] == ["SN-NEW"]
    assert w.client.get(f"{DEVICES}/{device}", headers=w.as_(PP)).json()["version"] == 3
