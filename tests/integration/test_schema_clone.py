"""A test's PostgreSQL schema, made by replaying the recorded migration (tests/conftest.py),
is the schema Alembic makes: the same catalogue and the same rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from jcm.adapters import migrate
from jcm.adapters.database import make_engine

# As tests/conftest.py: PostgreSQL unless JCM_TEST_BACKENDS leaves it out.
WITH_POSTGRESQL = "postgresql" in os.environ.get("JCM_TEST_BACKENDS", "sqlite,postgresql")
ON_POSTGRESQL = pytest.mark.parametrize(
    "database_url", ["postgresql"] if WITH_POSTGRESQL else [], indirect=True
)

# The catalogue of the schema on search_path, each query's rows in a fixed order. Names the
# server renders relative to search_path; the schema's own name is masked where it appears.
CATALOGUE = {
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence, c.relnatts
        FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace""",
    "columns": """
        SELECT table_name, column_name, ordinal_position, column_default, is_nullable,
               data_type, udt_name, character_maximum_length, numeric_precision,
               numeric_scale, datetime_precision, collation_name, is_identity,
               identity_generation, identity_start, identity_increment, is_generated,
               generation_expression
        FROM information_schema.columns WHERE table_schema = current_schema()""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = current_schema()""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, contype, condeferrable, condeferred,
               convalidated, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = current_schema()::regnamespace""",
    "sequences": """
        SELECT s.sequencename, s.data_type, s.start_value, s.min_value, s.max_value,
               s.increment_by, s.cycle, s.cache_size, s.last_value,
               d.refobjid::regclass::text, d.refobjsubid, d.deptype
        FROM pg_sequences s
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass
            AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
            AND d.refclassid = 'pg_class'::regclass
        WHERE s.schemaname = current_schema()""",
    "types": """
        SELECT t.typname, t.typtype, e.enumsortorder, e.enumlabel
        FROM pg_type t LEFT JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = current_schema()::regnamespace""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal""",
    "functions": """
        SELECT proname, pg_get_function_identity_arguments(oid), prosrc FROM pg_proc
        WHERE pronamespace = current_schema()::regnamespace""",
}


def catalogue(conn: Connection, schema: str) -> dict[str, list[tuple[str, ...]]]:
    return {
        name: sorted(
            tuple(str(value).replace(schema, "<schema>") for value in row)
            for row in conn.execute(text(query))
        )
        for name, query in CATALOGUE.items()
    }


def contents(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, alembic_version's included."""
    tables = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).scalars()
    return {
        table: sorted(
            (tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}"'))), key=repr
        )
        for table in tables
    }


@pytest.fixture
def migrated_by_alembic() -> Iterator[str]:
    """A new schema migrated by Alembic itself, as ``jcm init`` does; its URL."""
    admin_url = os.environ["JCM_TEST_POSTGRES_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    engine = make_engine(rendered)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def described(url: str) -> tuple[dict[str, list[tuple[str, ...]]], dict[str, Any]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        result = catalogue(conn, schema), contents(conn)
    engine.dispose()
    return result


@ON_POSTGRESQL
def test_a_tests_schema_has_the_catalogue_and_rows_of_a_freshly_migrated_one(
    database_url: str, migrated_by_alembic: str
) -> None:
    cloned_catalogue, cloned_rows = described(database_url)
    fresh_catalogue, fresh_rows = described(migrated_by_alembic)
    assert cloned_catalogue == fresh_catalogue
    assert cloned_rows == fresh_rows
    # Not two empty descriptions: the migrations' tables, sequences and rows are there.
    assert len(fresh_catalogue["relations"]) > 50
    assert fresh_catalogue["sequences"]
    assert fresh_rows["alembic_version"]
    assert fresh_rows["log_state"]


@ON_POSTGRESQL
@pytest.mark.unmigrated
def test_a_test_marked_unmigrated_gets_an_empty_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        relations = conn.execute(
            text(
                "SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
            )
        ).scalar_one()
    engine.dispose()
    assert relations == 0
