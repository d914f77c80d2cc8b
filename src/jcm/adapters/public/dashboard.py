"""SQL of the dashboard views (filled in by that area's work)."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlDashboardQueries:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
