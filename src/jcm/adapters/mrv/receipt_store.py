"""The SQL store of batch receipts and refusals (tables mrv_batches, mrv_refusals).
Owned by intake."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlReceiptStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
