"""A device as plain JSON (the event change of its registration and changes, the stored
replacements): the log must be able to rebuild every stored device from its events alone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
    Replacement,
)


def replacement_json(replacement: Replacement) -> dict[str, Any]:
    return {
        "at": replacement.at.isoformat(),
        "old_serial": replacement.old_serial,
        "old_final_wh": replacement.old_final_wh,
        "new_serial": replacement.new_serial,
        "new_initial_wh": replacement.new_initial_wh,
    }


def replacement_of(data: dict[str, Any]) -> Replacement:
    return Replacement(
        at=datetime.fromisoformat(data["at"]),
        old_serial=data["old_serial"],
        old_final_wh=int(data["old_final_wh"]),
        new_serial=data["new_serial"],
        new_initial_wh=int(data["new_initial_wh"]),
    )


def calibration_json(calibration: Calibration) -> dict[str, Any]:
    return {
        "calibrated_on": calibration.calibrated_on.isoformat(),
        "valid_until": calibration.valid_until.isoformat(),
        "max_permissible_error_pct": str(calibration.max_permissible_error_pct),
        "certificate": calibration.certificate,
    }


def calibration_of(data: dict[str, Any]) -> Calibration:
    return Calibration(
        calibrated_on=date.fromisoformat(data["calibrated_on"]),
        valid_until=date.fromisoformat(data["valid_until"]),
        max_permissible_error_pct=Decimal(str(data["max_permissible_error_pct"])),
        certificate=data.get("certificate", ""),
    )


def device_json(device: Device) -> dict[str, Any]:
    """Every field of ``device``; Decimals as strings so nothing is rounded on the way."""
    return {
        "id": device.id,
        "project_id": device.project_id,
        "parameter": device.parameter,
        "kind": device.kind.value,
        "register": device.register.value,
        "interval_minutes": device.interval_minutes,
        "nameplate_kw": str(device.nameplate_kw),
        "location": {
            "latitude": str(device.location.latitude),
            "longitude": str(device.location.longitude),
            "timezone": device.location.timezone,
        },
        "meter_serial": device.meter_serial,
        "calibration": calibration_json(device.calibration),
        "public_key": device.public_key,
        "register_max_wh": device.register_max_wh,
        "replacements": [replacement_json(r) for r in device.replacements],
        "version": device.version,
    }


def device_columns(device: Device) -> dict[str, Any]:
    """The stored columns of ``device`` (those its own fields determine; replacements as
    JSON): what the SQL store writes and what the log's replay rebuilds."""
    return {
        "project_id": device.project_id,
        "parameter": device.parameter,
        "kind": device.kind.value,
        "register": device.register.value,
        "interval_minutes": device.interval_minutes,
        "nameplate_kw": device.nameplate_kw,
        "latitude": device.location.latitude,
        "longitude": device.location.longitude,
        "timezone": device.location.timezone,
        "meter_serial": device.meter_serial,
        "calibrated_on": device.calibration.calibrated_on,
        "calibration_valid_until": device.calibration.valid_until,
        "max_permissible_error_pct": device.calibration.max_permissible_error_pct,
        "calibration_certificate": device.calibration.certificate,
        "public_key": device.public_key,
        "register_max_wh": device.register_max_wh,
        "replacements": [replacement_json(r) for r in device.replacements],
        "version": device.version,
    }


def device_of(data: dict[str, Any]) -> Device:
    location = data["location"]
    maximum = data.get("register_max_wh")
    return Device(
        id=data["id"],
        project_id=data["project_id"],
        parameter=data["parameter"],
        kind=DeviceKind(data["kind"]),
        register=RegisterKind(data["register"]),
        interval_minutes=int(data["interval_minutes"]),
        nameplate_kw=Decimal(str(data["nameplate_kw"])),
        location=Location(
            latitude=Decimal(str(location["latitude"])),
            longitude=Decimal(str(location["longitude"])),
            timezone=location["timezone"],
        ),
        meter_serial=data["meter_serial"],
        calibration=calibration_of(data["calibration"]),
        public_key=data["public_key"],
        register_max_wh=None if maximum is None else int(maximum),
        replacements=tuple(replacement_of(r) for r in data.get("replacements", ())),
        version=int(data.get("version", 1)),
    )


# -- a registration body as users write it (API body, `jcm mrv device register --file`) ------

_BODY_FIELDS = frozenset(
    {
        "id",
        "project_id",
        "parameter",
        "kind",
        "register",
        "interval_minutes",
        "nameplate_kw",
        "location",
        "meter_serial",
        "calibration",
        "public_key",
        "register_max_wh",
    }
)
_OPTIONAL = frozenset({"register_max_wh"})


def _shape(field: str, expected: str, data: object = None) -> InvalidInput:
    return InvalidInput(
        "D7_BAD_DEVICE",
        f"Device field {field!r} must be {expected}.",
        field=field,
        device=data if isinstance(data, str) else None,
        rule="D7_BAD_DEVICE",
    )


def _text(data: dict[str, Any], field: str, device: object, longest: int = 200) -> str:
    value = data.get(field)
    if not isinstance(value, str) or len(value) > longest:
        raise _shape(field, f"text of at most {longest} characters", device)
    return value


def _integer(value: object, field: str, device: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _shape(field, "a whole number", device)
    return value


def _decimal(value: object, field: str, device: object) -> Decimal:
    """A number as text ("1250.5") or a whole number; never a float (binary rounding)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or len(str(value)) > 40:
        raise _shape(field, 'a decimal number as text, e.g. "250.5"', device)
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise _shape(field, 'a decimal number as text, e.g. "250.5"', device) from None
    if not parsed.is_finite():
        raise _shape(field, "a finite decimal number", device)
    return parsed


def _date(value: object, field: str, device: object) -> date:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else date.fromisoformat("")
    except ValueError:
        raise _shape(field, "a date YYYY-MM-DD", device) from None


def _object(data: dict[str, Any], field: str, device: object) -> dict[str, Any]:
    value = data.get(field)
    if not isinstance(value, dict):
        raise _shape(field, "an object", device)
    return value


def calibration_of_body(data: object, device: object = None) -> Calibration:
    if not isinstance(data, dict):
        raise _shape("calibration", "an object", device)
    unknown = set(data) - {
        "calibrated_on",
        "valid_until",
        "max_permissible_error_pct",
        "certificate",
    }
    if unknown:
        raise _shape(
            f"calibration.{sorted(unknown)[0]}", "absent (not a calibration field)", device
        )
    certificate = data.get("certificate", "")
    if not isinstance(certificate, str):
        raise _shape("calibration.certificate", "text", device)
    return Calibration(
        calibrated_on=_date(data.get("calibrated_on"), "calibration.calibrated_on", device),
        valid_until=_date(data.get("valid_until"), "calibration.valid_until", device),
        max_permissible_error_pct=_decimal(
            data.get("max_permissible_error_pct"), "calibration.max_permissible_error_pct", device
        ),
        certificate=certificate,
    )


def _enum(
    kind: type[DeviceKind] | type[RegisterKind], value: object, field: str, device: object
) -> Any:
    try:
        return kind(str(value)) if isinstance(value, str) else kind("")
    except ValueError:
        names = " or ".join(k.value for k in kind)
        raise _shape(field, names, device) from None


def device_of_body(data: object) -> Device:
    """A device to register from its JSON body (``D7_BAD_DEVICE`` naming the field at
    fault); the ranges are judged by :mod:`jcm.domain.mrv.device_rules`."""
    if not isinstance(data, dict):
        raise _shape("body", "a JSON object")
    device = data.get("id")
    unknown = set(data) - _BODY_FIELDS
    missing = _BODY_FIELDS - _OPTIONAL - set(data)
    if unknown or missing:
        field = sorted(unknown or missing)[0]
        raise _shape(field, "absent (not a device field)" if unknown else "given", device)
    location = _object(data, "location", device)
    if set(location) != {"latitude", "longitude", "timezone"}:
        raise _shape("location", "an object of latitude, longitude and timezone", device)
    maximum = data.get("register_max_wh")
    return Device(
        id=_text(data, "id", device, 64),
        project_id=_text(data, "project_id", device, 40).strip().upper(),
        parameter=_text(data, "parameter", device, 40),
        kind=_enum(DeviceKind, data["kind"], "kind", device),
        register=_enum(RegisterKind, data["register"], "register", device),
        interval_minutes=_integer(data["interval_minutes"], "interval_minutes", device),
        nameplate_kw=_decimal(data["nameplate_kw"], "nameplate_kw", device),
        location=Location(
            latitude=_decimal(location["latitude"], "location.latitude", device),
            longitude=_decimal(location["longitude"], "location.longitude", device),
            timezone=_text(location, "timezone", device, 64),
        ),
        meter_serial=_text(data, "meter_serial", device, 64),
        calibration=calibration_of_body(data["calibration"], device),
        public_key=_text(data, "public_key", device, 64),
        register_max_wh=None if maximum is None else _integer(maximum, "register_max_wh", device),
    )
