"""What the database's own refusals become: bounded lock waits and real duplicates.

A lock held by another process makes a command wait at most the lock timeout, then it is
refused with G9_BUSY (retry later) — on SQLite (the write lock) and on PostgreSQL (a row
lock). A unique violation is a real duplicate: refused at once with G7_DUPLICATE, never
retried as if it were a conflict.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import Registry
from jcm.domain.registry.allocation import AllocationShare
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.results import ChangeResult
from jcm.service_layer.runner import execute

BOUND_S = 1.0
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SOURCE = "JP-GOV-0001"

# A second process that takes the lock a transfer from SOURCE needs, says so, and holds it
# until its standard input closes.
_HOLDER = """
import os, sys
url = os.environ["HOLDER_DATABASE_URL"]  # never on the command line: it may carry a password
if url.startswith("sqlite"):
    import sqlite3
    connection = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")  # the database's write lock
else:
    from sqlalchemy import create_engine, text
    connection = create_engine(url).connect()
    connection.execute(text("SELECT id FROM accounts WHERE id = 'JP-GOV-0001' FOR UPDATE"))
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def bounded(database_url: str, tmp_path: Path) -> Iterator[App]:
    app = bootstrap(Settings(tmp_path, database_url, lock_timeout=BOUND_S), clock=lambda: NOW)
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    decision = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 1, 1),
            date(2023, 12, 31),
            2023,
            100,
            (AllocationShare(SOURCE, Decimal(100)),),
        )
    ).decision
    r.issue(c.Issue(decision, "JP"))
    yield app
    app.close()


@pytest.fixture
def lock_holder(database_url: str) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER],
        env={**os.environ, "HOLDER_DATABASE_URL": database_url},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "locked"
            yield holder
        finally:
            assert holder.stdin is not None
            if not holder.stdin.closed:
                holder.stdin.close()
            holder.wait(timeout=30)


def _transactions(app: App) -> int:
    with app.unit_of_work(read_only=True) as uow:  # readers never wait for the write lock
        return len(uow.ledger.list_transactions({}, 1000))


def test_a_transfer_behind_another_process_lock_is_refused_within_the_bound(
    bounded: App, lock_holder: subprocess.Popen[str]
) -> None:
    before = _transactions(bounded)
    started = time.monotonic()

    with pytest.raises(JcmError) as refused:
        bounded.registry.retire(c.Move(SOURCE, quantity=1))
    waited = time.monotonic() - started

    assert refused.value.code == "G9_BUSY"
    assert "retry" in refused.value.message
    assert refused.value.details["waited_seconds"] >= BOUND_S * 0.9
    # One wait of the bound, not one per retry (8 attempts would be 8 s).
    assert BOUND_S * 0.9 <= waited < BOUND_S * 3
    assert lock_holder.poll() is None  # the lock was really held all along

    assert lock_holder.stdin is not None
    lock_holder.stdin.close()
    lock_holder.wait(timeout=30)
    assert _transactions(bounded) == before
    bounded.registry.retire(c.Move(SOURCE, quantity=1))  # free again: the retry passes
    assert _transactions(bounded) == before + 1


def test_a_unique_violation_is_refused_at_once_as_a_duplicate(bounded: App) -> None:
    attempts = []

    def duplicate(uow: UnitOfWork) -> ChangeResult:
        attempts.append(1)
        uow.ledger.add_registry(Registry("JP", "a second JP"), uow.now)
        return ChangeResult()

    with pytest.raises(JcmError) as refused:
        execute(bounded.unit_of_work, "duplicate", None, duplicate, result_type=ChangeResult)

    assert refused.value.code == "G7_DUPLICATE"
    assert len(attempts) == 1  # not retried
    assert [r.registry for r in bounded.registry.registries()] == ["JP", "KE"]


@pytest.mark.parametrize(("text", "seconds"), [("2.5", 2.5), ("0.01", 0.01), (None, 5.0)])
def test_the_lock_timeout_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str | None, seconds: float
) -> None:
    if text is None:
        monkeypatch.delenv("JCM_LOCK_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("JCM_LOCK_TIMEOUT", text)
    assert Settings.from_env(tmp_path).lock_timeout == seconds


@pytest.mark.parametrize("text", ["abc", "0", "-1", "nan", "inf", "601"])
def test_a_lock_timeout_out_of_bounds_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str
) -> None:
    monkeypatch.setenv("JCM_LOCK_TIMEOUT", text)
    with pytest.raises(JcmError) as refused:
        Settings.from_env(tmp_path)
    assert refused.value.code == "G1_BAD_LOCK_TIMEOUT"


def test_the_bound_is_the_database_s_own_lock_timeout(bounded: App) -> None:
    with bounded.engine.connect() as conn:
        if bounded.engine.dialect.name == "postgresql":
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar_one() == "1s"
        else:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 1000
