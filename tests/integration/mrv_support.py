"""Shared set-up for digital MRV tests: a solar PV project with registered, keyed devices.

    world = mrv_world(app, devices=3)          # KE001 (KE_AM002, EG_p), 3 meters
    world.devices                              # ["KE001-PV-001", "KE001-PV-002", ...]
    world.keys["KE001-PV-001"]                 # the Ed25519 private key that signs its batches
    world.cycle.client.post(..., headers=world.cycle.as_(PP))   # the participant's token

The project is started over HTTP by its focal point (``PP``, with ``KE_PP`` the second
participant; ``other-pp`` participates in nothing); devices are registered through the
device service acting for ``PP``, each with a fresh key. Keep this signature stable: the
intake, MQTT, QA, verification and fleet tests build on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cycle_api_support import API, PP, CycleWorld, cycle_world, start_body

from jcm.adapters.mrv.signatures import new_device_key
from jcm.bootstrap import App
from jcm.domain.identity.principal import operator_for
from jcm.domain.mrv.device_json import device_json
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
)

PROJECT = "KE001"
PARAMETER = "EG_p"  # KE_AM002's monitored electricity generation
NAIROBI = Location(Decimal("-1.286389"), Decimal("36.817223"), "Africa/Nairobi")
CALIBRATION = Calibration(date(2026, 1, 15), date(2028, 1, 14), Decimal("0.5"), "KEBS-CAL-2026-001")


def sample_device(
    device_id: str, public_key: str, project_id: str = PROJECT, **changes: Any
) -> Device:
    """A 250 kW interval meter in Nairobi reading every 15 minutes (``changes`` override)."""
    device = Device(
        id=device_id,
        project_id=project_id,
        parameter=PARAMETER,
        kind=DeviceKind.METER,
        register=RegisterKind.INTERVAL,
        interval_minutes=15,
        nameplate_kw=Decimal("250"),
        location=NAIROBI,
        meter_serial=f"SN-{device_id}",
        calibration=CALIBRATION,
        public_key=public_key,
    )
    return replace(device, **changes)


def device_body(device: Device) -> dict[str, Any]:
    """The JSON body of ``POST /mrv/devices`` (and of ``jcm mrv device register --file``)."""
    body = device_json(device)
    del body["version"], body["replacements"]
    return body


@dataclass
class MrvWorld:
    cycle: CycleWorld  # the client, tokens per organisation (PP, KE_PP, TPE, other-pp …)
    project: str
    devices: list[str] = field(default_factory=list)
    keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    @property
    def app(self) -> App:
        return self.cycle.app

    def add_devices(self, count: int, **changes: Any) -> list[str]:
        """Register ``count`` more devices (ids continue the numbering); their ids."""
        added = []
        for _ in range(count):
            device_id = f"{self.project}-PV-{len(self.devices) + 1:03d}"
            key, public = new_device_key()
            device = sample_device(device_id, public, self.project, **changes)
            self.app.acting(operator_for(PP)).mrv.devices.register(device, PP)
            self.devices.append(device_id)
            self.keys[device_id] = key
            added.append(device_id)
        return added


def start_project(world: CycleWorld) -> str:
    """KE001 started by its focal point (a PIN submitted): enough to register devices."""
    response = world.client.post(
        f"{API}/projects", json=start_body(world, date(2022, 6, 1)), headers=world.as_(PP)
    )
    assert response.status_code == 201, response.text
    return PROJECT


def mrv_world(app: App, devices: int = 2, **changes: Any) -> MrvWorld:
    """The cycle world, project KE001 and ``devices`` registered devices (fresh keys).
    ``changes`` override :func:`sample_device`'s fields, e.g. ``register=RegisterKind.
    CUMULATIVE, register_max_wh=10**9`` or ``interval_minutes=5``."""
    cycle = cycle_world(app)
    world = MrvWorld(cycle, start_project(cycle))
    world.add_devices(devices, **changes)
    return world
