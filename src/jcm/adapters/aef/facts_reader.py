"""Reading the ledger facts the AEF is derived from (``FactsReader``)."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlFactsReader:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
