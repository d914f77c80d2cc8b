"""Bringing a database to the newest schema with Alembic (run at `jcm init` and start-up).

Every process start checks the schema, so the common case, a database already at
``HEAD_REVISION``, is answered by one query without Alembic: importing and configuring it
costs about 0.15 s per command, and on SQLite the upgrade's foreign-key check scans every
table. Alembic is imported only when a migration has to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision (a test keeps it equal to Alembic's head).
HEAD_REVISION = "0015"
_VERSION_TABLE = "alembic_version"


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database Alembic never touched."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(_VERSION_TABLE):
            return None
        found = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).all()
    return found[0][0] if len(found) == 1 else None


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # lazily: see the module docstring

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate. On SQLite, foreign keys are off while migrations rebuild a table that others
    reference (SQLite's own procedure: a pragma that only takes effect outside a
    transaction), then on again, and every reference is checked before returning."""
    if revision in ("head", HEAD_REVISION) and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command  # lazily: see the module docstring

    config = alembic_config(engine)
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                connection.commit()
                if broken:
                    raise RuntimeError(f"migration left dangling references: {broken[:5]}")
        finally:
            if sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, statement: str) -> None:
    """Straight on the driver, outside any transaction (where SQLite honours it)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(statement)


def revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a new migration from the schema module."""
    from alembic import command  # lazily: see the module docstring

    config = alembic_config(engine)
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
