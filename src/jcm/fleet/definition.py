"""A fleet of simulated PV meters: their definition, the fleet file and registration bodies.

A **fleet file** (JSON, written with mode 0600 because it holds private keys; never commit
one) lists a project's devices, each with the fields a registration takes and the base64 of
its raw Ed25519 private key::

    {"format": "jcm-fleet-1", "project": "KE001",
     "site": {"latitude": "-1.29", "longitude": "36.82", "timezone": "Africa/Nairobi"},
     "devices": [{"id": "KE001-PV-001", ..., "public_key": "...", "private_key": "..."}]}
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import stat
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from jcm.adapters.mrv.signatures import new_device_key, public_key_text
from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.batches import is_device_id
from jcm.domain.mrv.devices import RegisterKind

FORMAT = "jcm-fleet-1"
DEFAULT_REGISTER_MAX_WH = 999_999_999  # a nine-digit Wh register: wraps after ~1 GWh
MAX_DEVICES = 10_000
SCATTER_DEGREES = 0.005  # devices lie within about ±550 m of the site


@dataclass(frozen=True, slots=True)
class FleetDevice:
    id: str
    parameter: str
    register: RegisterKind
    interval_minutes: int
    nameplate_kw: Decimal
    latitude: Decimal
    longitude: Decimal
    timezone: str
    meter_serial: str
    calibrated_on: date
    valid_until: date
    mpe_pct: Decimal
    register_max_wh: int | None
    private_key: str  # base64 of the raw 32-byte Ed25519 private key

    def key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(self.private_key))

    @property
    def public_key(self) -> str:
        return public_key_text(self.key())


@dataclass(frozen=True, slots=True)
class Fleet:
    project: str
    latitude: Decimal
    longitude: Decimal
    timezone: str
    devices: tuple[FleetDevice, ...]

    def device(self, device_id: str) -> FleetDevice:
        for device in self.devices:
            if device.id == device_id:
                return device
        raise _bad_fleet(f"The fleet has no device {device_id!r}.")


def _bad_fleet(message: str) -> InvalidInput:
    return InvalidInput("D11_BAD_FLEET", message, rule="D11_BAD_FLEET")


def _private_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def create_fleet(
    project: str,
    devices: int,
    latitude: Decimal,
    longitude: Decimal,
    timezone: str,
    nameplate_kw: Decimal,
    *,
    register: str = "interval",
    interval_minutes: int = 15,
    parameter: str = "EG_p",
    calibrated_on: date = date(2026, 1, 15),
    register_max_wh: int = DEFAULT_REGISTER_MAX_WH,
    seed: int = 1,
) -> Fleet:
    """``devices`` meters scattered around the site, each with a fresh Ed25519 key.

    ``register`` is interval, cumulative or mixed (odd-numbered meters interval, even ones
    cumulative). Locations depend on ``seed`` only; keys are always fresh."""
    _check_site(project, devices, latitude, longitude, timezone, nameplate_kw, interval_minutes)
    if register not in ("interval", "cumulative", "mixed"):
        raise _bad_fleet(f"The register {register!r} is not interval, cumulative or mixed.")
    if not 1 <= register_max_wh <= 10**12:
        raise _bad_fleet("A register's maximum lies between 1 Wh and 10^12 Wh.")
    rng = random.Random(seed)
    valid_until = date(calibrated_on.year + 5, calibrated_on.month, min(calibrated_on.day, 28))
    made = []
    for number in range(1, devices + 1):
        kind = _register_of(register, number)
        key, _ = new_device_key()
        made.append(
            FleetDevice(
                id=f"{project}-PV-{number:03d}",
                parameter=parameter,
                register=kind,
                interval_minutes=interval_minutes,
                nameplate_kw=nameplate_kw,
                latitude=_scatter(latitude, rng, 90),
                longitude=_scatter(longitude, rng, 180),
                timezone=timezone,
                meter_serial=f"SIM-{project}-{number:05d}",
                calibrated_on=calibrated_on,
                valid_until=valid_until,
                mpe_pct=Decimal("0.5"),
                register_max_wh=register_max_wh if kind is RegisterKind.CUMULATIVE else None,
                private_key=_private_text(key),
            )
        )
    return Fleet(project, latitude, longitude, timezone, tuple(made))


def _register_of(register: str, number: int) -> RegisterKind:
    if register == "mixed":
        return RegisterKind.CUMULATIVE if number % 2 == 0 else RegisterKind.INTERVAL
    return RegisterKind(register)


def _scatter(centre: Decimal, rng: random.Random, bound: int) -> Decimal:
    value = centre + Decimal(str(round(rng.uniform(-SCATTER_DEGREES, SCATTER_DEGREES), 6)))
    return max(Decimal(-bound), min(Decimal(bound), value)).quantize(Decimal("0.000001"))


def _check_site(
    project: str,
    devices: int,
    latitude: Decimal,
    longitude: Decimal,
    timezone: str,
    nameplate_kw: Decimal,
    interval_minutes: int,
) -> None:
    if not is_device_id(f"{project}-PV-001") or len(project) > 40:
        raise _bad_fleet(f"The project id {project!r} cannot prefix device ids.")
    if not 1 <= devices <= MAX_DEVICES:
        raise _bad_fleet(f"A fleet has 1 to {MAX_DEVICES:,} devices, not {devices}.")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _bad_fleet(f"({latitude}, {longitude}) is not a latitude and longitude.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _bad_fleet(f"{timezone!r} is not an IANA time zone.") from None
    if not Decimal(0) < nameplate_kw <= Decimal(10**6):
        raise _bad_fleet("A device's nameplate lies between 0 and 1,000,000 kW.")
    if interval_minutes not in (1, 5, 10, 15, 30, 60):
        raise _bad_fleet("The interval is 1, 5, 10, 15, 30 or 60 minutes.")


# -- the fleet file ---------------------------------------------------------------------------


def fleet_json(fleet: Fleet) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "project": fleet.project,
        "site": {
            "latitude": str(fleet.latitude),
            "longitude": str(fleet.longitude),
            "timezone": fleet.timezone,
        },
        "devices": [
            {**registration_body(fleet, d), "private_key": d.private_key} for d in fleet.devices
        ],
    }


def save_fleet(fleet: Fleet, path: Path) -> None:
    """Write a new fleet file, readable by its owner only (it holds private keys).

    Never over an existing file: replacing a fleet file loses the keys of meters that may
    be registered already. The name ends in ``.json``."""
    if path.suffix != ".json":
        raise _bad_fleet(f"A fleet file's name ends in .json, not {path.name!r}.")
    data = (json.dumps(fleet_json(fleet), indent=1) + "\n").encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise _bad_fleet(f"{str(path)!r} exists; a fleet file is never overwritten.") from None
    except (OSError, ValueError) as error:
        raise InvalidInput(
            "G1_CANNOT_WRITE", f"Cannot write {str(path)!r}: {error}.", path=str(path)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise InvalidInput(
            "G1_CANNOT_WRITE", f"Cannot write {str(path)!r}: {error.strerror}.", path=str(path)
        ) from None


MAX_FLEET_FILE_BYTES = 64 * 1024 * 1024


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes (never waits on a FIFO nor reads a device forever)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        data = handle.read(MAX_FLEET_FILE_BYTES + 1)
    if len(data) > MAX_FLEET_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FLEET_FILE_BYTES:,} bytes")
    return data


def load_fleet(path: Path) -> Fleet:
    try:
        raw = json.loads(_read_regular(path))
    except (OSError, ValueError) as error:
        raise _bad_fleet(f"{str(path)!r} is not a readable fleet file: {error}.") from None
    try:
        return _fleet_from_json(raw)
    except (
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
        ArithmeticError,
        binascii.Error,
    ) as error:
        raise _bad_fleet(f"{str(path)!r} is not a fleet file ({error!r}).") from None


def _fleet_from_json(raw: dict[str, Any]) -> Fleet:
    if raw.get("format") != FORMAT:
        raise ValueError(f"format is not {FORMAT}")
    site = raw["site"]
    devices = tuple(_device_from_json(d) for d in raw["devices"])
    for device in devices:
        if not is_device_id(device.id):
            raise ValueError(f"bad device id {device.id!r}")
    fleet = Fleet(
        str(raw["project"]),
        Decimal(site["latitude"]),
        Decimal(site["longitude"]),
        str(site["timezone"]),
        devices,
    )
    for device, stored in zip(devices, raw["devices"], strict=True):
        if stored.get("public_key") != device.public_key:
            raise ValueError(f"{device.id}: the public key is not the private key's")
    return fleet


def _device_from_json(raw: dict[str, Any]) -> FleetDevice:
    location, calibration = raw["location"], raw["calibration"]
    register_max = raw.get("register_max_wh")
    device = FleetDevice(
        id=str(raw["id"]),
        parameter=str(raw["parameter"]),
        register=RegisterKind(raw["register"]),
        interval_minutes=int(raw["interval_minutes"]),
        nameplate_kw=Decimal(raw["nameplate_kw"]),
        latitude=Decimal(location["latitude"]),
        longitude=Decimal(location["longitude"]),
        timezone=str(location["timezone"]),
        meter_serial=str(raw["meter_serial"]),
        calibrated_on=date.fromisoformat(calibration["calibrated_on"]),
        valid_until=date.fromisoformat(calibration["valid_until"]),
        mpe_pct=Decimal(calibration["max_permissible_error_pct"]),
        register_max_wh=None if register_max is None else int(register_max),
        private_key=str(raw["private_key"]),
    )
    device.key()  # a key that does not load is a damaged file
    return device


# -- registration bodies ----------------------------------------------------------------------


def registration_body(fleet: Fleet, device: FleetDevice) -> dict[str, Any]:
    """What registering ``device`` takes (the API's body; the fields of Device)."""
    return {
        "id": device.id,
        "project_id": fleet.project,
        "parameter": device.parameter,
        "kind": "meter",
        "register": device.register.value,
        "interval_minutes": device.interval_minutes,
        "nameplate_kw": str(device.nameplate_kw),
        "location": {
            "latitude": str(device.latitude),
            "longitude": str(device.longitude),
            "timezone": device.timezone,
        },
        "meter_serial": device.meter_serial,
        "calibration": {
            "calibrated_on": device.calibrated_on.isoformat(),
            "valid_until": device.valid_until.isoformat(),
            "max_permissible_error_pct": str(device.mpe_pct),
            "certificate": "simulated",
        },
        "public_key": device.public_key,
        "register_max_wh": device.register_max_wh,
    }


def registration_bodies(fleet: Fleet) -> list[dict[str, Any]]:
    return [registration_body(fleet, device) for device in fleet.devices]
