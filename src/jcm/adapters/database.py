"""Engines for the embedded default (SQLite, WAL) and PostgreSQL (psycopg 3).

SQLite: every write transaction starts with ``BEGIN IMMEDIATE`` so that writers queue on
the database lock (with a busy timeout) instead of failing half-way on a lock upgrade.
PostgreSQL: READ COMMITTED plus ``SELECT … FOR UPDATE`` on the sending account (see the
ledger adapter).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from jcm.adapters.files import create_private_file, private_directory

# The longest a statement waits for a lock another connection holds (SQLite's busy timeout,
# PostgreSQL's lock_timeout) unless the settings say otherwise: a few seconds, then the
# command is refused with G9_BUSY and may be retried.
BUSY_TIMEOUT_MS = 5_000


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'registry.sqlite3'}"


def make_engine(url: str, lock_timeout_ms: int | None = None, **kwargs: Any) -> Engine:
    """An engine whose every lock wait is bounded by ``lock_timeout_ms``."""
    timeout_ms = BUSY_TIMEOUT_MS if lock_timeout_ms is None else lock_timeout_ms
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            # Private whatever the umask: the directory if we create it, the database file
            # (and so the -wal and -shm files SQLite derives from it) always.
            private_directory(Path(database).parent)
            create_private_file(Path(database))
        # A unit of work always ends with an explicit commit or rollback, so the pool need
        # not reset connections on return (a call per transaction saved).
        engine = create_engine(
            url,
            connect_args={"timeout": timeout_ms / 1000},
            pool_reset_on_return=None,
            **kwargs,
        )
        _configure_sqlite(engine, timeout_ms)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # render_as_string, not str(): str() of a URL masks its password as "***".
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # No pool_pre_ping and no reset on return: each costs a round trip per transaction. A
    # unit of work always ends with an explicit commit or rollback, and a dropped
    # connection fails the command cleanly (nothing half-written); the pool replaces it.
    engine = create_engine(url, pool_reset_on_return=None, **kwargs)
    _configure_postgresql(engine, timeout_ms)
    return engine


def _configure_postgresql(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Once per pooled connection, not per transaction: a row or table lock held
        # elsewhere fails the statement with SQLSTATE 55P03 after the bound. The session
        # speaks UTC whatever the server's default, so timestamps come back in UTC and a
        # day or year computed in SQL is the UTC one, as on SQLite.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


def _configure_sqlite(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint the WAL every ~16 MB instead of ~4 MB: fewer commit-time stalls.
        cursor.execute("PRAGMA wal_autocheckpoint=4000")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        statement = f"BEGIN {mode}"
        # Straight on the driver: this runs once per unit of work, and SQLAlchemy's
        # execution path cost more than the statement itself (about 5-20 % of a single
        # transfer, measured A/B). Errors are wrapped as SQLAlchemy's, so a busy database
        # is still recognised and retried.
        try:
            connection.connection.driver_connection.execute(statement)
        except sqlite3.OperationalError as error:
            raise OperationalError(statement, None, error) from error
