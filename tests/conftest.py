"""Shared fixtures: every integration test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``JCM_TEST_POSTGRES_URL`` (``scripts/test`` starts a local server and
sets it). Each test gets its own database, dropped afterwards, so tests never share state:
a new SQLite file, or a new PostgreSQL schema reached through ``search_path``.

How a PostgreSQL schema is made: once per worker session, the Alembic migrations run on a
scratch template schema while every SQL statement they send is recorded (with its
parameters inlined); the template is then dropped. Each test's schema is created and that
recorded script replayed into it, in one transaction and one round trip: about half the
time of running Alembic, and the same tables, indexes, constraints, sequences and rows
(``tests/integration/test_schema_clone.py`` compares the two). ``bootstrap()`` still runs
the migrations at start-up, and finds the schema at head. A test marked ``unmigrated``
migrates the database itself and gets an empty schema instead.

Set ``JCM_TEST_BACKENDS=sqlite`` to run the SQLite half alone while developing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from psycopg import ClientCursor
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from jcm.adapters import migrate
from jcm.adapters.database import make_engine
from jcm.bootstrap import App, Settings, bootstrap

BACKENDS = [b.strip() for b in os.environ.get("JCM_TEST_BACKENDS", "sqlite,postgresql").split(",")]

FIXED_NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def postgres_admin_url() -> str:
    url = os.environ.get("JCM_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "JCM_TEST_POSTGRES_URL is not set. Run the suite with scripts/test (it starts "
            "PostgreSQL), or set JCM_TEST_BACKENDS=sqlite to run only the SQLite half."
        )
    return url


def schema_url(schema: str) -> str:
    """The test server's URL with ``search_path`` set to the schema."""
    url = make_url(postgres_admin_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """One pooled connection per worker for creating and dropping schemas."""
    admin = create_engine(postgres_admin_url())
    yield admin
    admin.dispose()


@pytest.fixture(scope="session")
def migration_script(postgres_admin: Engine) -> str:
    """Every statement the migrations send to an empty schema, parameters inlined."""
    template = f"template_{uuid.uuid4().hex[:12]}"
    with postgres_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{template}"'))
    engine = make_engine(schema_url(template))
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(
        _conn: object, cursor: Any, statement: str, parameters: Any, _ctx: object, many: bool
    ) -> None:
        assert not many, "an executemany cannot be replayed as one statement"
        with ClientCursor(cursor.connection) as client:
            statements.append(client.mogrify(statement, parameters))

    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
        with postgres_admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{template}" CASCADE'))
    # Unqualified names land in whichever schema search_path names; a qualified one would not.
    assert not [s for s in statements if template in s], "a statement names the template"
    return ";\n".join(statements)


def create_schema(admin: Engine, script: str | None) -> str:
    """A new schema, empty or with the recorded migration replayed into it; its name."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    sql = f'CREATE SCHEMA "{schema}"'
    if script is not None:
        sql += f'; SET LOCAL search_path TO "{schema}";\n{script}'
    with admin.begin() as conn:
        # Straight to the driver without parameters: several statements in one round trip,
        # sent as recorded (no placeholder parsing of the inlined values).
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute(sql)
    return schema


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    migrated = request.node.get_closest_marker("unmigrated") is None
    script: str | None = request.getfixturevalue("migration_script") if migrated else None
    schema = create_schema(admin, script)
    try:
        yield schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[App]:
    application = bootstrap(Settings(tmp_path, database_url), clock=lambda: FIXED_NOW)
    yield application
    application.close()
