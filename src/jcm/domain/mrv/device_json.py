"""A device as plain JSON (the event change of its registration and changes, the stored
replacements): the log must be able to rebuild every stored device from its events alone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
