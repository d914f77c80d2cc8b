"""Bringing a database to the newest schema with Alembic (run at `jcm init` and start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a new migration from the schema module."""
    config = alembic_config(engine)
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
