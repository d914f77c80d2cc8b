"""The rules of registering, recalibrating and replacing a metering device.

Each rule takes the device as stored (or none) and what the participant asks for, refuses
with a ``D7_*`` code naming the device and the field at fault, and otherwise returns the
new device (its version one higher) and the change its log event records. Every change
carries the whole device after it, so the log alone rebuilds every stored device.
"""

from __future__ import annotations

import base64
import binascii
import re
import zoneinfo
from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jcm.domain.errors import InvalidInput, RuleViolation
from jcm.domain.methodologies.engine import Methodology
from jcm.domain.methodologies.model import ParameterKind
from jcm.domain.methodologies.units import UNITS
from jcm.domain.mrv.batches import is_device_id
from jcm.domain.mrv.device_json import calibration_json, device_json, replacement_json
from jcm.domain.mrv.devices import Calibration, Device, RegisterKind, Replacement

MAX_NAMEPLATE_KW = Decimal(1_000_000)  # 1 GW: larger is a typo of units, not a PV plant
MAX_MPE_PCT = Decimal(10)
MAX_REGISTER_WH = 2**63 - 1  # the BIGINT column
MAX_SERIAL = 64
MAX_CERTIFICATE = 200
MAX_TIMEZONE = 64
_TEXT = re.compile(r"^[^\x00-\x1f\x7f]+$")  # printable: no control characters
_TIMEZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")


def _bad(code: str, device: str, field: str, message: str, **details: Any) -> InvalidInput:
    return InvalidInput(code, message, device=device, field=field, rule=code, **details)


def energy_parameters(methodology: Methodology) -> tuple[str, ...]:
    """The methodology's monitored parameters a meter measures: those in an energy unit."""
    return tuple(
        p.name
        for p in methodology.parameters
        if p.kind is ParameterKind.MONITORED and UNITS[p.unit][0] == "energy"
    )


# -- fields ----------------------------------------------------------------------------------


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _check_decimal(
    device: str, field: str, value: Decimal, low: Decimal, high: Decimal, places: int
) -> None:
    if not value.is_finite() or not low <= value <= high or _places(value) > places:
        raise _bad(
            "D7_BAD_DEVICE",
            device,
            field,
            f"Device {device}: {field} must be between {low} and {high} with at most "
            f"{places} decimals, got {value}.",
            value=str(value),
        )


def _scaled(value: Decimal, places: int) -> Decimal:
    """At the stored scale (the value is unchanged, as its places were checked): the log
    and the database then write it alike, e.g. 250.000."""
    return value.quantize(Decimal(1).scaleb(-places))


def scaled_calibration(calibration: Calibration) -> Calibration:
    return replace(
        calibration, max_permissible_error_pct=_scaled(calibration.max_permissible_error_pct, 3)
    )


def _check_text(device: str, field: str, value: str, longest: int, code: str) -> None:
    if not (1 <= len(value) <= longest and _TEXT.match(value)):
        raise _bad(
            code,
            device,
            field,
            f"Device {device}: {field} must be 1-{longest} printable characters.",
            value=value[:80],
        )


def check_timezone(device: str, name: str) -> None:
    """An IANA zone name the platform knows (zoneinfo), e.g. Africa/Nairobi."""
    known = False
    if len(name) <= MAX_TIMEZONE and _TIMEZONE.match(name):
        try:
            zoneinfo.ZoneInfo(name)
            known = True
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            known = False
    if not known:
        raise _bad(
            "D7_BAD_TIMEZONE",
            device,
            "timezone",
            f"Device {device}: {name[:64]!r} is not an IANA time zone name, e.g. Africa/Nairobi.",
            value=name[:64],
        )


def check_public_key(device: str, text: str) -> None:
    """Base64 of a raw 32-byte Ed25519 public key (the adapter also parses it as a key)."""
    try:
        raw = base64.b64decode(text, validate=True) if len(text) <= 64 else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise _bad(
            "D2_BAD_KEY",
            device,
            "public_key",
            f"Device {device}: the public key must be base64 of a raw 32-byte Ed25519 key.",
        )


def check_calibration(device: str, calibration: Calibration, today: date) -> None:
    problem = None
    if calibration.calibrated_on > today:
        problem = f"calibrated on {calibration.calibrated_on}, after today ({today})"
    elif calibration.valid_until < calibration.calibrated_on:
        problem = (
            f"valid until {calibration.valid_until}, before it was made "
            f"({calibration.calibrated_on})"
        )
    else:
        mpe = calibration.max_permissible_error_pct
        if not (mpe.is_finite() and 0 <= mpe <= MAX_MPE_PCT and _places(mpe) <= 3):
            problem = f"a maximum permissible error of {mpe} %, outside 0-{MAX_MPE_PCT} %"
    if problem is None and len(calibration.certificate) > MAX_CERTIFICATE:
        problem = f"a certificate reference longer than {MAX_CERTIFICATE} characters"
    if problem is not None:
        raise _bad(
            "D7_BAD_CALIBRATION",
            device,
            "calibration",
            f"Device {device}: a calibration {problem}.",
            calibration=calibration_json(calibration),
        )


def _check_interval(device: Device) -> None:
    minutes = device.interval_minutes
    if isinstance(minutes, bool) or not 1 <= minutes <= 60 or 60 % minutes:
        raise _bad(
            "D7_BAD_DEVICE",
            device.id,
            "interval_minutes",
            f"Device {device.id}: the reading interval must be 1-60 minutes and divide an "
            f"hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60), got {minutes}.",
            value=minutes,
        )


def _check_register(device: Device) -> None:
    maximum = device.register_max_wh
    if maximum is None:
        return
    if device.register is not RegisterKind.CUMULATIVE or not 0 < maximum <= MAX_REGISTER_WH:
        raise _bad(
            "D7_BAD_DEVICE",
            device.id,
            "register_max_wh",
            f"Device {device.id}: a register maximum is for cumulative registers only and "
            f"must be 1 to {MAX_REGISTER_WH} Wh, got {maximum} ({device.register.value}).",
            value=maximum,
        )


def _check_parameter(device: Device, monitored: Collection[str]) -> None:
    if device.parameter not in monitored:
        raise _bad(
            "D7_NOT_MONITORED_PARAMETER",
            device.id,
            "parameter",
            f"Device {device.id}: {device.parameter[:40]!r} is not a monitored energy "
            f"parameter of the project's methodology; it monitors: "
            f"{', '.join(sorted(monitored)) or 'no energy parameter'}.",
            parameter=device.parameter[:40],
            monitored=sorted(monitored),
        )


# -- the three changes -----------------------------------------------------------------------


def check_new_device(device: Device, monitored: Collection[str], today: date) -> Device:
    """``device`` as first registered (version 1, no replacements), or a ``D7_*`` refusal.

    ``monitored`` are the energy parameters of the project's methodology version."""
    if not is_device_id(device.id):
        raise _bad(
            "D7_BAD_DEVICE",
            str(device.id)[:80],
            "id",
            f"Device id {str(device.id)[:80]!r} must be 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. KE001-PV-001).",
        )
    _check_parameter(device, monitored)
    _check_interval(device)
    _check_decimal(device.id, "nameplate_kw", device.nameplate_kw, Decimal(0), MAX_NAMEPLATE_KW, 3)
    if device.nameplate_kw == 0:
        raise _bad("D7_BAD_DEVICE", device.id, "nameplate_kw", "A nameplate of 0 kW.", value="0")
    location = device.location
    _check_decimal(device.id, "latitude", location.latitude, Decimal(-90), Decimal(90), 6)
    _check_decimal(device.id, "longitude", location.longitude, Decimal(-180), Decimal(180), 6)
    check_timezone(device.id, location.timezone)
    _check_text(device.id, "meter_serial", device.meter_serial, MAX_SERIAL, "D7_BAD_DEVICE")
    check_calibration(device.id, device.calibration, today)
    check_public_key(device.id, device.public_key)
    _check_register(device)
    return replace(
        device,
        nameplate_kw=_scaled(device.nameplate_kw, 3),
        location=replace(
            location,
            latitude=_scaled(location.latitude, 6),
            longitude=_scaled(location.longitude, 6),
        ),
        calibration=scaled_calibration(device.calibration),
        replacements=(),
        version=1,
    )


def device_exists(device_id: str) -> RuleViolation:
    return RuleViolation(
        "D7_DEVICE_EXISTS",
        f"Device {device_id} is already registered; a replaced meter keeps its id (record a "
        "replacement instead).",
        device=device_id,
        rule="D7_DEVICE_EXISTS",
    )


def registered(device: Device, organisation_id: str) -> dict[str, Any]:
    """The change of a registration event: the whole device and who registered it."""
    return {"device": device_json(device), "organisation": organisation_id}


def recalibrate(
    device: Device, calibration: Calibration, today: date
) -> tuple[Device, dict[str, Any]]:
    """The device with a new calibration, made after the one in force."""
    check_calibration(device.id, calibration, today)
    if calibration.calibrated_on <= device.calibration.calibrated_on:
        raise _bad(
            "D7_BAD_CALIBRATION",
            device.id,
            "calibrated_on",
            f"Device {device.id}: a recalibration must be made after the calibration in force "
            f"(of {device.calibration.calibrated_on}), got {calibration.calibrated_on}.",
            current=device.calibration.calibrated_on.isoformat(),
        )
    changed = replace(
        device, calibration=scaled_calibration(calibration), version=device.version + 1
    )
    return changed, {
        "device": device_json(changed),
        "previous_calibration": calibration_json(device.calibration),
    }


def _check_replacement_time(device: Device, at: datetime, now: datetime) -> None:
    last = device.replacements[-1].at if device.replacements else None
    problem = None
    if at.tzinfo is None or at.utcoffset() is None:
        problem = "its time must carry a UTC offset"
    elif at > now:
        problem = f"at {at.isoformat()} is in the future"
    elif last is not None and at <= last:
        problem = f"at {at.isoformat()} is not after the last one ({last.isoformat()})"
    if problem is not None:
        raise _bad(
            "D7_BAD_REPLACEMENT",
            device.id,
            "at",
            f"Device {device.id}: a replacement {problem}.",
        )


def _check_readings(device: Device, old_final_wh: int, new_initial_wh: int) -> None:
    ceiling = device.register_max_wh if device.register_max_wh is not None else MAX_REGISTER_WH
    for field, value in (("old_final_wh", old_final_wh), ("new_initial_wh", new_initial_wh)):
        fits = not isinstance(value, bool) and 0 <= value <= ceiling
        if device.register is RegisterKind.INTERVAL:
            fits = fits and value == 0  # an interval register has no running total
        if not fits:
            raise _bad(
                "D7_BAD_REPLACEMENT",
                device.id,
                field,
                f"Device {device.id}: {field} must be 0-{ceiling} Wh on a cumulative register "
                f"and 0 on an interval register, got {value}.",
                value=value,
            )


def replace_meter(
    device: Device,
    replacement: Replacement,
    public_key: str,
    calibration: Calibration,
    now: datetime,
) -> tuple[Device, dict[str, Any]]:
    """The metering point with a new meter: new serial, key and calibration, the
    replacement appended (readings are never differenced across it).

    ``replacement.old_serial`` is ignored: the serial in force is recorded."""
    _check_replacement_time(device, replacement.at, now)
    _check_text(device.id, "new_serial", replacement.new_serial, MAX_SERIAL, "D7_BAD_REPLACEMENT")
    if replacement.new_serial == device.meter_serial:
        raise _bad(
            "D7_BAD_REPLACEMENT",
            device.id,
            "new_serial",
            f"Device {device.id}: the new meter's serial must differ from the one replaced "
            f"({device.meter_serial}).",
        )
    check_public_key(device.id, public_key)
    if public_key == device.public_key:
        raise _bad(
            "D7_BAD_REPLACEMENT",
            device.id,
            "public_key",
            f"Device {device.id}: a new meter signs with a new key, not the replaced one's.",
        )
    _check_readings(device, replacement.old_final_wh, replacement.new_initial_wh)
    check_calibration(device.id, calibration, now.date())
    recorded = replace(replacement, old_serial=device.meter_serial)
    changed = replace(
        device,
        meter_serial=replacement.new_serial,
        public_key=public_key,
        calibration=scaled_calibration(calibration),
        replacements=(*device.replacements, recorded),
        version=device.version + 1,
    )
    return changed, {"device": device_json(changed), "replacement": replacement_json(recorded)}
