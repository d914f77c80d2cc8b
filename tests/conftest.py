"""Shared fixtures: every integration test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``JCM_TEST_POSTGRES_URL`` (``scripts/test`` starts a local server and
sets it). Each test gets its own schema, dropped afterwards, so tests never share state.
Set ``JCM_TEST_BACKENDS=sqlite`` to run the SQLite half alone while developing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        return
    admin_url = postgres_admin_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[App]:
    application = bootstrap(Settings(tmp_path, database_url), clock=lambda: FIXED_NOW)
    yield application
    application.close()
