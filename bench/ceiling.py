"""The raw ceiling: how many one-row write transactions the bare driver commits per second.

A single transfer needs at least one durable write transaction, so this rate, measured in the
same run on the same machine with the same durability settings, is the ceiling any design
could reach; the registry's single-transfer rate is reported as a share of it. That ratio is
what stays comparable on a shared, noisy machine, where absolute rates drift between runs.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROUNDS = 3
SECONDS_PER_ROUND = 1.0


def _rate(commit_one: Callable[[int], None]) -> float:
    """Median commits per second over a few timed rounds."""
    rates = []
    n = 0
    for _ in range(ROUNDS):
        began = time.perf_counter()
        count = 0
        while time.perf_counter() - began < SECONDS_PER_ROUND:
            n += 1
            count += 1
            commit_one(n)
        rates.append(count / (time.perf_counter() - began))
    return statistics.median(rates)


def sqlite_ceiling() -> float:
    """BEGIN IMMEDIATE; INSERT; COMMIT on a WAL database with synchronous=NORMAL, as the
    registry's own engine configures SQLite."""
    with tempfile.TemporaryDirectory(prefix="jcm-ceiling-") as tmp:
        conn = sqlite3.connect(Path(tmp) / "ceiling.sqlite3", isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")

            def commit_one(n: int) -> None:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO t (id, note) VALUES (?, ?)", (n, "x"))
                conn.execute("COMMIT")

            return _rate(commit_one)
        finally:
            conn.close()


def postgres_ceiling(admin_url: str) -> float:
    """INSERT; COMMIT of one row through psycopg in its own schema, dropped afterwards."""
    url = make_url(admin_url).set(drivername="postgresql")
    schema = f"ceiling_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".t (id bigint PRIMARY KEY, note text NOT NULL)')
        conn.commit()
        try:

            def commit_one(n: int) -> None:
                conn.execute(f'INSERT INTO "{schema}".t (id, note) VALUES (%s, %s)', (n, "x"))
                conn.commit()

            return _rate(commit_one)
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            conn.commit()


def raw_ceiling(backend: str, postgres_url: str | None) -> float | None:
    if backend == "sqlite":
        return sqlite_ceiling()
    return postgres_ceiling(postgres_url) if postgres_url else None
