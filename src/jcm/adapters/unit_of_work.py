"""The unit of work on SQLAlchemy: one connection, one database transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from jcm.adapters.aef.facts_reader import SqlFactsReader
from jcm.adapters.aef.register_store import SqlRegisterStore
from jcm.adapters.aef.submission_store import SqlSubmissionStore
from jcm.adapters.cycle_store import SqlCycleStore
from jcm.adapters.identity_store import SqlIdentityStore
from jcm.adapters.log_store import LogSettings
from jcm.adapters.mrv.credential_store import SqlCredentialStore
from jcm.adapters.mrv.device_store import SqlDeviceStore
from jcm.adapters.mrv.qa_store import SqlQaStore
from jcm.adapters.mrv.receipt_store import SqlReceiptStore
from jcm.adapters.mrv.verification_store import SqlVerificationStore
from jcm.adapters.portfolio_store import SqlPortfolioStore
from jcm.adapters.public import SqlPublicQueries
from jcm.adapters.sql_ledger import SqlLedger
from jcm.adapters.webhook_store import SqlWebhookStore
from jcm.domain.errors import AccountRuleViolation, ConcurrencyConflict, JcmError
from jcm.domain.identity.principal import Principal
from jcm.domain.registry.issuance import IssuanceDecision

# PostgreSQL SQLSTATEs worth retrying at once: serialization failure and deadlock (the
# other transaction has gone on; a fresh attempt usually passes).
_RETRY_SQLSTATES = {"40001", "40P01"}
# A lock wait that reached the bound (PostgreSQL lock_not_available, SQLite busy): the
# wait already took the whole budget, so the command is refused, not retried.
_LOCK_TIMEOUT_SQLSTATES = {"55P03"}
_UNIQUE_VIOLATION = "23505"


def _is_transient(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in _RETRY_SQLSTATES


def _is_lock_timeout(error: DBAPIError) -> bool:
    if getattr(error.orig, "sqlstate", None) in _LOCK_TIMEOUT_SQLSTATES:
        return True
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _is_unique_violation(error: DBAPIError) -> bool:
    if not isinstance(error, IntegrityError):
        return False
    if getattr(error.orig, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return str(error.orig).startswith("UNIQUE constraint failed")


def _refusal(error: DBAPIError, started: float) -> JcmError | None:
    """The refusal a database error stands for, or None when it is a fault."""
    if _is_transient(error):
        return ConcurrencyConflict(
            "G9_BUSY",
            "Another command changed the same records at the same moment; retry it.",
        )
    if _is_lock_timeout(error):
        waited = round(time.monotonic() - started, 3)
        return ConcurrencyConflict(
            "G9_BUSY",
            f"The records this command needs stayed locked by another command for {waited} s; "
            "retry it in a moment.",
            waited_seconds=waited,
        )
    if _is_unique_violation(error):
        diag = getattr(error.orig, "diag", None)
        return AccountRuleViolation(
            "G7_DUPLICATE",
            "The record this command would create already exists.",
            constraint=getattr(diag, "constraint_name", None) or str(error.orig),
        )
    return None


class SqlUnitOfWork:
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        decision_cache: dict[int, IssuanceDecision] | None = None,
        log: LogSettings | None = None,
        read_only: bool = False,
        principal: Principal | None = None,
    ) -> None:
        self.principal = principal  # who the entries of this unit of work are attributed to
        self._read_only = read_only
        self._engine = engine
        self._log = log or LogSettings()
        self._clock = clock
        self.decision_cache = {} if decision_cache is None else decision_cache
        self._connection: Connection | None = None
        self._started = 0.0
        self.ledger: SqlLedger
        self.cycle: SqlCycleStore
        self.webhooks: SqlWebhookStore
        self.identity: SqlIdentityStore
        self.public: SqlPublicQueries
        self.portfolio: SqlPortfolioStore
        self.mrv_devices: SqlDeviceStore
        self.mrv_credentials: SqlCredentialStore
        self.mrv_receipts: SqlReceiptStore
        self.mrv_qa: SqlQaStore
        self.mrv_verifications: SqlVerificationStore
        self.aef_register: SqlRegisterStore
        self.aef_facts: SqlFactsReader
        self.aef_submissions: SqlSubmissionStore
        self.now: datetime

    def __enter__(self) -> Self:
        self._started = time.monotonic()
        try:
            connection = self._engine.connect()
            if self._read_only:
                # Readers never queue behind writers (WAL): no write lock for a read.
                connection = connection.execution_options(sqlite_begin="DEFERRED")
            self._connection = connection
            connection.begin()
        except OperationalError as error:
            refusal = _refusal(error, self._started)
            if refusal is not None:
                raise refusal from error
            raise
        self.ledger = SqlLedger(self._connection, self._log)
        if self.principal is not None:
            self.ledger.log.actor = self.principal.attribution()
        self.cycle = SqlCycleStore(self._connection)
        self.webhooks = SqlWebhookStore(self._connection)
        self.identity = SqlIdentityStore(self._connection)
        self.public = SqlPublicQueries(self._connection)
        self.portfolio = SqlPortfolioStore(self._connection)
        self.mrv_devices = SqlDeviceStore(self._connection)
        self.mrv_credentials = SqlCredentialStore(self._connection)
        self.mrv_receipts = SqlReceiptStore(self._connection)
        self.mrv_qa = SqlQaStore(self._connection)
        self.mrv_verifications = SqlVerificationStore(self._connection)
        self.aef_register = SqlRegisterStore(self._connection)
        self.aef_facts = SqlFactsReader(self._connection)
        self.aef_submissions = SqlSubmissionStore(self._connection)
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
        if isinstance(exc, DBAPIError):
            refusal = _refusal(exc, self._started)
            if refusal is not None:
                raise refusal from exc

    def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit outside a unit of work")
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            # The webhooks' outbox, in the same transaction as the change it reports.
            self.webhooks.enqueue(self.ledger.log.appended, self.now)
            self.ledger.log.before_commit(self.now)
            self._connection.commit()
        except (OperationalError, IntegrityError) as error:
            refusal = _refusal(error, self._started)
            if refusal is not None:
                raise refusal from error
            raise

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()
