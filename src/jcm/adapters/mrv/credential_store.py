"""The SQL store of devices' MQTT password hashes (table mrv_device_credentials). Owned by MQTT."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlCredentialStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
