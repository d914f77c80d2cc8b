"""The funded portfolio (pipeline projects) in SQL (filled in by the portfolio work)."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlPortfolioStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
