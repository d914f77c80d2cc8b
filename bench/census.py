"""Counting the SQL statements the registry sends, below SQLAlchemy.

Counting happens on the driver (a sqlite3 connection subclass, a psycopg cursor factory,
installed through SQLAlchemy's ``do_connect`` event), so statements that the ledger runs
straight on the driver cursor are counted too.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Self, cast

import psycopg
from sqlalchemy import Engine, event

_WHERE = re.compile(r"\bWHERE (.*?)(?: ORDER BY| LIMIT| FOR UPDATE| RETURNING|$)")
_FROM = re.compile(r"\bFROM (\w+)")


@functools.lru_cache(maxsize=4096)
def statement_shape(sql: str) -> str:
    """A short, stable label for a statement: verb, table and the WHERE clause's start."""
    text = " ".join(sql.split())
    upper = text.upper()
    if upper.startswith("SELECT"):
        table = _FROM.search(text)
        where = _WHERE.search(text)
        label = f"SELECT {table.group(1) if table else '?'}"
        if where:
            label += f" WHERE {where.group(1)[:60]}"
        if "FOR UPDATE" in upper:
            label += " FOR UPDATE"
        return label
    match = re.match(r"(INSERT INTO|UPDATE|DELETE FROM) (\w+)", text, re.IGNORECASE)
    if match:
        return f"{match.group(1).upper()} {match.group(2)}"
    return text[:50]


@dataclass
class Census:
    """Statements sent to the database while enabled, by shape, counted on the driver.

    Counting happens below SQLAlchemy (a sqlite3 connection subclass, a psycopg cursor
    factory), so statements that the ledger runs straight on the driver cursor are
    counted too. ``BEGIN``/``COMMIT`` and the pool's ping go through other calls on
    PostgreSQL: commits are counted from SQLAlchemy's commit event.
    """

    enabled: bool = False
    count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    commits: int = 0
    commit_seconds: float = 0.0

    def record(self, sql: str | bytes, rows: int, seconds: float, many: bool) -> None:
        if not self.enabled:
            return
        text = sql.decode() if isinstance(sql, bytes) else str(sql)
        shape = statement_shape(text) + (" [executemany]" if many else "")
        self.count[shape] += 1
        self.rows[shape] += rows
        self.seconds[shape] += seconds

    def attach(self, engine: Engine) -> None:
        """Route new DBAPI connections of ``engine`` through counting classes."""
        census = self
        if engine.dialect.name == "sqlite":
            counting_sqlite_cursor = _sqlite_cursor(census)

            class CountingConnection(sqlite3.Connection):
                def cursor(self, factory: Any = None) -> Any:
                    return super().cursor(factory or counting_sqlite_cursor)

                def commit(self) -> None:
                    began = time.perf_counter()
                    super().commit()
                    if census.enabled:
                        census.commits += 1
                        census.commit_seconds += time.perf_counter() - began

            factory_key, factory = "factory", cast(type, CountingConnection)
        else:
            factory_key, factory = "cursor_factory", cast(type, _psycopg_cursor(census))

            @event.listens_for(engine, "commit")
            def _commit(conn: Any) -> None:
                if census.enabled:
                    census.commits += 1

        @event.listens_for(engine, "do_connect")
        def _connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
            cparams[factory_key] = factory

        engine.dispose()  # later connections are made with the counting classes

    def total(self) -> int:
        return sum(self.count.values())

    def reset(self) -> None:
        self.count.clear()
        self.rows.clear()
        self.seconds.clear()
        self.commits = 0
        self.commit_seconds = 0.0

    def report(self, per: int, unit: str, wall: float) -> str:
        total_n = sum(self.count.values())
        total_s = sum(self.seconds.values())
        lines = [
            f"{total_n / per:.2f} statements and {self.commits / per:.3f} commits per {unit}; "
            f"{total_s:.2f}s of {wall:.2f}s wall inside the driver's execute/executemany "
            f"({total_s / wall:.0%})"
            + (
                f", {self.commit_seconds:.2f}s in commit ({self.commit_seconds / wall:.0%})"
                if self.commit_seconds
                else ""
            ),
            f"{'per ' + unit:>10} {'rows/stmt':>9} {'ms/stmt':>8} {'total s':>8}  statement",
        ]
        for shape, n in sorted(self.count.items(), key=lambda kv: -self.seconds[kv[0]]):
            lines.append(
                f"{n / per:>10.3f} {self.rows[shape] / n:>9.1f} "
                f"{self.seconds[shape] / n * 1000:>8.3f} {self.seconds[shape]:>8.2f}  {shape}"
            )
        return "\n".join(lines)


def _sqlite_cursor(census: Census) -> type[sqlite3.Cursor]:
    class CountingCursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> Self:
            began = time.perf_counter()
            try:
                return super().execute(sql, parameters)
            finally:
                census.record(sql, 1, time.perf_counter() - began, False)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Self:
            params = list(seq_of_parameters)
            began = time.perf_counter()
            try:
                return super().executemany(sql, params)
            finally:
                census.record(sql, len(params), time.perf_counter() - began, True)

    return CountingCursor


def _psycopg_cursor(census: Census) -> type[psycopg.Cursor[Any]]:
    class CountingCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return super().execute(query, params, **kwargs)
            finally:
                census.record(_query_text(query), 1, time.perf_counter() - began, False)

        def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
            params = list(params_seq)
            began = time.perf_counter()
            try:
                super().executemany(query, params, **kwargs)
            finally:
                census.record(_query_text(query), len(params), time.perf_counter() - began, True)

    return CountingCursor


def _query_text(query: Any) -> str | bytes:
    return query if isinstance(query, str | bytes) else str(query)
