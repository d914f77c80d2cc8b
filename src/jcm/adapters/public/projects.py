"""SQL of the projects views (filled in by that area's work)."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlProjectQueries:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
