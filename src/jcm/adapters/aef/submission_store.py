"""AEF submissions in SQL: drafts, submitted and superseded versions."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlSubmissionStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
