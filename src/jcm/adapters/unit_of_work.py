"""The unit of work on SQLAlchemy: one connection, one database transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from jcm.adapters.cycle_store import SqlCycleStore
from jcm.adapters.log_store import LogSettings
from jcm.adapters.sql_ledger import SqlLedger
from jcm.domain.errors import ConcurrencyConflict
from jcm.domain.registry.issuance import IssuanceDecision

# PostgreSQL SQLSTATEs worth retrying: serialization failure, deadlock, unique violation
# (two processes racing on one idempotency key or account number).
_RETRY_SQLSTATES = {"40001", "40P01", "23505"}


def _is_transient(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


class SqlUnitOfWork:
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        decision_cache: dict[int, IssuanceDecision] | None = None,
        log: LogSettings | None = None,
        read_only: bool = False,
    ) -> None:
        self._read_only = read_only
        self._engine = engine
        self._log = log or LogSettings()
        self._clock = clock
        self.decision_cache = {} if decision_cache is None else decision_cache
        self._connection: Connection | None = None
        self.ledger: SqlLedger
        self.cycle: SqlCycleStore
        self.now: datetime

    def __enter__(self) -> Self:
        try:
            connection = self._engine.connect()
            if self._read_only:
                # Readers never queue behind writers (WAL): no write lock for a read.
                connection = connection.execution_options(sqlite_begin="DEFERRED")
            self._connection = connection
            connection.begin()
        except OperationalError as error:
            if _is_transient(error):
                raise ConcurrencyConflict(
                    "G9_BUSY", "The registry database stayed busy; retry the command."
                ) from error
            raise
        self.ledger = SqlLedger(self._connection, self._log)
        self.cycle = SqlCycleStore(self._connection)
        self.now = self._clock()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        self._connection = None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()
        if isinstance(exc, DBAPIError) and _is_transient(exc):
            raise ConcurrencyConflict(
                "G9_BUSY",
                "Another command changed the same records at the same moment; retry it.",
            ) from exc

    def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit outside a unit of work")
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self.ledger.log.before_commit(self.now)
            self._connection.commit()
        except (OperationalError, IntegrityError) as error:
            if _is_transient(error):
                raise ConcurrencyConflict(
                    "G9_BUSY", "The registry database stayed busy; retry the command."
                ) from error
            raise

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()
