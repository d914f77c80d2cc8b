"""Throw-away databases: a SQLite file in a temporary directory, or a PostgreSQL schema.

SQLite uses the project's own engine configuration (``jcm.adapters.database.make_engine``:
WAL, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``). PostgreSQL gets a fresh schema per
configuration, reached through ``?options=-csearch_path%3D<schema>``, and dropped
afterwards even when the run fails.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.machine import ROOT
from jcm.bootstrap import with_database_password

BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Database:
    backend: str
    url: str
    data_dir: Path
    server_version: str


def resolve_postgres_url(explicit: str | None) -> str | None:
    """The admin URL: the option, ``JCM_BENCH_POSTGRES_URL``, ``JCM_TEST_POSTGRES_URL``,
    or what ``scripts/start-postgres`` prints (it starts the local server if needed: the URL
    without its password, then the private file that holds it). A URL without a password
    takes it from ``JCM_DATABASE_PASSWORD`` or ``JCM_DATABASE_PASSWORD_FILE``, as ``jcm``
    does, so it need never be on a command line."""
    for candidate in (
        explicit,
        os.environ.get("JCM_BENCH_POSTGRES_URL"),
        os.environ.get("JCM_TEST_POSTGRES_URL"),
    ):
        if candidate:
            return with_database_password(candidate, os.environ)
    script = ROOT / "scripts" / "start-postgres"
    if not script.exists():
        return None
    try:
        out = subprocess.run(
            [str(script)], capture_output=True, text=True, check=True, timeout=180
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.splitlines()
    urls = [i for i, line in enumerate(lines) if line.startswith("postgresql")]
    if not urls or urls[-1] + 1 >= len(lines):
        return None
    password_file = lines[urls[-1] + 1].strip()
    return with_database_password(
        lines[urls[-1]].strip(), {"JCM_DATABASE_PASSWORD_FILE": password_file}
    )


def shown(url: str) -> str:
    """A URL as printed: its password masked."""
    return make_url(url).render_as_string(hide_password=True)


def postgres_version(admin_url: str) -> str:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def database(backend: str, postgres_admin_url: str | None) -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="jcm-bench-") as tmp:
        data_dir = Path(tmp)
        if backend == "sqlite":
            import sqlite3

            url = f"sqlite:///{data_dir / 'registry.sqlite3'}"
            yield Database(backend, url, data_dir, sqlite3.sqlite_version)
            return
        if backend != "postgresql":
            raise ValueError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
        if not postgres_admin_url:
            raise RuntimeError("no PostgreSQL URL (set --postgres-url or JCM_BENCH_POSTGRES_URL)")
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(postgres_admin_url)
        try:
            with admin.begin() as conn:
                version = str(conn.execute(text("SHOW server_version")).scalar_one())
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            schema_url = make_url(postgres_admin_url).update_query_dict(
                {"options": f"-csearch_path={schema}"}
            )
            try:
                yield Database(
                    backend, schema_url.render_as_string(hide_password=False), data_dir, version
                )
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        finally:
            admin.dispose()
