"""The SQL store of devices' MQTT password hashes (table mrv_device_credentials). Owned by MQTT.

A row holds the hash exactly as Mosquitto's password file reads it (``$7$`` PBKDF2-SHA512,
written by ``mosquitto_passwd``), never the password.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from jcm.adapters import schema as t

_C = t.mrv_device_credentials.c


class SqlCredentialStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

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
