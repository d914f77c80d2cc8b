"""Bringing a database to the newest schema with Alembic (run at `jcm init` and start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate. On SQLite, foreign keys are off while migrations rebuild a table that others
    reference (SQLite's own procedure: a pragma that only takes effect outside a
    transaction), then on again, and every reference is checked before returning."""
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
    config = alembic_config(engine)
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
