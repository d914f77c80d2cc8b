"""The SQL store of devices' MQTT password hashes (table mrv_device_credentials). Owned by MQTT.

A row holds the hash exactly as Mosquitto's password file reads it (``$7$`` PBKDF2-SHA512,
written by ``mosquitto_passwd``), never the password.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from jcm.adapters import schema as t
from jcm.service_layer.mrv.broker_ports import DeviceOwner

_C = t.mrv_device_credentials.c
_D = t.mrv_devices.c


class SqlCredentialStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def owner(self, device_id: str) -> DeviceOwner | None:
        """The project and registering organisation of a device (None: not registered)."""
        row = self._connection.execute(
            select(_D.project_id, _D.organisation_id).where(_D.id == device_id)
        ).first()
        return None if row is None else DeviceOwner(device_id, row.project_id, row.organisation_id)

    def put(self, device_id: str, password_hash: str, now: datetime) -> None:
        """Store (or replace: a new password revokes the old one) a device's hash."""
        self._connection.execute(delete(t.mrv_device_credentials).where(_C.device_id == device_id))
        self._connection.execute(
            insert(t.mrv_device_credentials).values(
                device_id=device_id, mqtt_password_hash=password_hash, created_at=now
            )
        )

    def hashes(self) -> list[tuple[str, str]]:
        """Every (device id, hash), by device id: the broker's password file."""
        rows = self._connection.execute(
            select(_C.device_id, _C.mqtt_password_hash).order_by(_C.device_id)
        )
        return [(row.device_id, row.mqtt_password_hash) for row in rows]
