"""The SQL store of devices (table mrv_devices). Owned by devices.

One row per metering point; a replacement or recalibration updates the row (version + 1)
and the full history stays in the log's device events. Replacements are a JSON list.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from jcm.adapters import schema as t
from jcm.domain.mrv.device_json import device_columns, replacement_json, replacement_of
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
)

_D = t.mrv_devices.c


def device_row(device: Device) -> dict[str, Any]:
    """The columns of ``device`` that change with it (not organisation or timestamps)."""
    return {**device_columns(device), "replacements": replacements_text(device)}


def replacements_text(device: Device) -> str:
    return json.dumps([replacement_json(r) for r in device.replacements], separators=(",", ":"))


def device_of_row(row: Any) -> Device:
    return Device(
        id=row.id,
        project_id=row.project_id,
        parameter=row.parameter,
        kind=DeviceKind(row.kind),
        register=RegisterKind(row.register),
        interval_minutes=row.interval_minutes,
        nameplate_kw=row.nameplate_kw,
        location=Location(row.latitude, row.longitude, row.timezone),
        meter_serial=row.meter_serial,
        calibration=Calibration(
            calibrated_on=row.calibrated_on,
            valid_until=row.calibration_valid_until,
            max_permissible_error_pct=row.max_permissible_error_pct,
            certificate=row.calibration_certificate,
        ),
        public_key=row.public_key,
        register_max_wh=row.register_max_wh,
        replacements=tuple(replacement_of(r) for r in json.loads(row.replacements)),
        version=row.version,
    )


class SqlDeviceStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, device_id: str, *, lock: bool = False) -> Device | None:
        """The device; ``lock``: its row stays locked until the unit of work ends."""
        query = select(t.mrv_devices).where(_D.id == device_id)
        if lock:
            query = query.with_for_update()
        row = self._connection.execute(query).first()
        return device_of_row(row) if row else None

    def organisation_of(self, device_id: str) -> str | None:
        """The organisation that registered the device (None if there is no such device)."""
        found = self._connection.execute(
            select(_D.organisation_id).where(_D.id == device_id)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def add(self, device: Device, organisation_id: str, now: datetime) -> None:
        self._connection.execute(
            insert(t.mrv_devices).values(
                id=device.id,
                organisation_id=organisation_id,
                registered_at=now,
                updated_at=now,
                **device_row(device),
            )
        )

    def update(self, device: Device, now: datetime) -> None:
        self._connection.execute(
            update(t.mrv_devices)
            .where(_D.id == device.id)
            .values(updated_at=now, **device_row(device))
        )

    def listed(self, project_id: str | None = None) -> list[tuple[Device, str]]:
        """Devices by id (of one project, or all) with the organisation that registered each."""
        query = select(t.mrv_devices).order_by(_D.id)
        if project_id is not None:
            query = query.where(_D.project_id == project_id)
        return [(device_of_row(r), r.organisation_id) for r in self._connection.execute(query)]

    def list(self, project_id: str | None = None) -> list[Device]:
        return [device for device, _ in self.listed(project_id)]
