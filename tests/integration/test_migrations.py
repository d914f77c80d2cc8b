"""Alembic migrations and the schema module describe the same database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from jcm.adapters import migrate
from jcm.adapters.database import make_engine
from jcm.adapters.schema import metadata


def test_the_migrations_create_exactly_the_tables_the_code_uses(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_upgrading_twice_is_harmless(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0002"
    engine.dispose()
