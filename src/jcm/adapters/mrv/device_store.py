"""The SQL store of devices (table mrv_devices). Owned by devices."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlDeviceStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
