"""Copies of the populated registry for test_replay_tamper: one per test, each exact.

SQLite: a copy of the file. PostgreSQL: a scratch schema per worker and module, migrated
once; each copy empties every table of it, refills it from the populated schema and sets
every sequence to the populated one's state, in one transaction and one round trip, before
the app starts on it. Nothing a test tampered with survives into the next copy: all the
rows are replaced, the sequences set, and nothing else of the schema (alembic_version
included) is written by a test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from jcm.adapters import migrate, schema
from jcm.adapters.database import make_engine
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.registry.commands import CreateRegistry

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Populated:
    backend: str
    location: str  # the SQLite file, or the PostgreSQL schema holding the populated tables
    data_dir: Path
    scratch: Engine | None = None  # PostgreSQL: on the schema each copy is made in
    refill: str = ""  # PostgreSQL: the script that makes the scratch schema a copy

    @property
    def url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.location}"
        return pg_url(self.location)


def postgres_admin_url() -> str:
    url = os.environ.get("JCM_TEST_POSTGRES_URL")
    if not url:
        pytest.fail("JCM_TEST_POSTGRES_URL is not set (or set JCM_TEST_BACKENDS=sqlite)")
    return url


class admin:  # noqa: N801 - used as a context manager, like a function
    def __enter__(self) -> sa.Connection:
        self.engine = create_engine(postgres_admin_url())
        self.conn = self.engine.connect()
        self.conn.begin()
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.commit()
        self.conn.close()
        self.engine.dispose()


def pg_url(schema_name: str) -> str:
    options = {"options": f"-csearch_path={schema_name}"}
    url = make_url(postgres_admin_url()).update_query_dict(options)
    return url.render_as_string(hide_password=False)


def new_schema() -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    return name


def drop_schema(name: str) -> None:
    with admin() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))


@contextmanager
def populated_registry(
    backend: str, directory: Path, populate: Callable[[App], None]
) -> Iterator[Populated]:
    """The registry populate() makes, in a SQLite file or a PostgreSQL schema (then with a
    scratch schema to copy it into); the schemas are dropped after."""
    if backend == "sqlite":
        path = directory / "registry.sqlite3"
        app = bootstrap(Settings(directory, f"sqlite:///{path}", checkpoint_every=20), lambda: NOW)
        populate(app)
        app.close()
        yield Populated("sqlite", str(path), directory)
        return
    schema_name = new_schema()
    try:
        app = bootstrap(Settings(directory, pg_url(schema_name), checkpoint_every=20), lambda: NOW)
        populate(app)
        app.close()
        with postgres_scratch(Populated("postgresql", schema_name, directory)) as copyable:
            yield copyable
    finally:
        drop_schema(schema_name)


@contextmanager
def postgres_scratch(populated: Populated) -> Iterator[Populated]:
    """The populated registry with a migrated scratch schema to copy it into, dropped after."""
    scratch = new_schema()
    engine = make_engine(pg_url(scratch))
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            script = refill_script(conn, populated.location, scratch)
        yield replace(populated, scratch=engine, refill=script)
    finally:
        engine.dispose()
        drop_schema(scratch)


def refill_script(conn: Connection, source: str, target: str) -> str:
    """SQL making the target schema's tables and sequences those of the source."""
    tables = [t.name for t in schema.metadata.sorted_tables]
    sequences = conn.execute(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = :s ORDER BY 1"),
        {"s": target},
    ).scalars()
    # DELETE, not TRUNCATE: with a few hundred rows it takes a tenth of the time (TRUNCATE
    # makes new files for every table and index). Referencing tables first. Refilled rows
    # may sit elsewhere on disk than in a new table: no test here depends on it (all pass
    # with every copy's rows inserted in random order).
    statements = [f'DELETE FROM "{target}"."{t}"' for t in reversed(tables)]
    statements += [f'INSERT INTO "{target}"."{t}" SELECT * FROM "{source}"."{t}"' for t in tables]
    # A copy continues the populated registry's counters, whatever the last test drew.
    statements += [
        f'SELECT setval(\'"{target}"."{s}"\', last_value, is_called) FROM "{source}"."{s}"'
        for s in sequences
    ]
    return ";\n".join(statements)


@contextmanager
def copied(populated: Populated, directory: Path) -> Iterator[App]:
    """An app on a fresh copy of the populated registry, its keys copied into directory."""
    shutil.copytree(populated.data_dir / "keys", directory / "keys", dirs_exist_ok=True)
    if populated.scratch is None:
        target = directory / "registry.sqlite3"
        shutil.copyfile(populated.location, target)
        url = f"sqlite:///{target}"
    else:
        # Refilled before the app starts, as the file is copied: it starts on the copy.
        with populated.scratch.begin() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute(populated.refill)  # several statements: one round trip
        url = populated.scratch.url.render_as_string(hide_password=False)
    # Both are migrated already: a copy of a migrated file, or the scratch schema.
    app = bootstrap(
        Settings(directory, url, checkpoint_every=20), lambda: NOW, run_migrations=False
    )
    try:
        yield app
    finally:
        app.close()


def stored_state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows and, on PostgreSQL, every sequence's state."""
    engine = create_engine(url)
    with engine.connect() as conn:
        state = {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in schema.metadata.sorted_tables
        }
        state["alembic_version"] = [
            tuple(r) for r in conn.execute(text("SELECT * FROM alembic_version"))
        ]
        if conn.dialect.name == "postgresql":
            state["sequences"] = [
                tuple(row)
                for row in conn.execute(
                    text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = current_schema() ORDER BY 1"
                    )
                )
            ]
    engine.dispose()
    return state


def add_rows(app: App) -> None:
    """A registry created: new rows in several tables, and on PostgreSQL sequences drawn."""
    app.registry.create_registry(CreateRegistry("VN"))


def delete_rows(app: App) -> None:
    """Every row of every table deleted."""
    with app.engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            conn.execute(table.delete())
