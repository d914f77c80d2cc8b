"""The SQL store of automatic verifications (table mrv_verifications). Owned by verification."""

from __future__ import annotations

from sqlalchemy import Connection


class SqlVerificationStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
