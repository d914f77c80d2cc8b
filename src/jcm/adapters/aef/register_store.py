"""The cooperative-approach register in SQL (``RegisterStore``)."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlRegisterStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
