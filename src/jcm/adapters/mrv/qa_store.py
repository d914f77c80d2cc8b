"""The SQL store of QA reports and daily aggregates (tables mrv_qa_reports, mrv_aggregates).
Owned by QA."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlQaStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
