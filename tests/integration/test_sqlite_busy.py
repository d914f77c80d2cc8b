"""SQLite: a writer that cannot get the database lock is told to retry, never shown a crash."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jcm.adapters import database
from jcm.adapters.database import make_engine
from jcm.adapters.migrate import upgrade
from jcm.adapters.unit_of_work import SqlUnitOfWork
from jcm.domain.errors import ConcurrencyConflict

NOW = datetime(2026, 4, 1, tzinfo=UTC)


def test_a_unit_of_work_that_cannot_begin_is_a_retryable_busy_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "registry.sqlite3"
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(ConcurrencyConflict) as busy, SqlUnitOfWork(engine, lambda: NOW):
            pass
        assert busy.value.code == "G9_BUSY"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with SqlUnitOfWork(engine, lambda: NOW) as uow:  # free again
        assert uow.ledger.list_registries() == []
    engine.dispose()
