"""Alembic migrations and the schema module describe the same database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from jcm.adapters import migrate
from jcm.adapters.database import make_engine
from jcm.adapters.schema import metadata
from jcm.domain.transparency.merkle import CompactRange, leaf_hash, root_from_leaves

# Each test runs the migrations itself: its database starts empty, not already migrated.
pytestmark = pytest.mark.unmigrated


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
        assert MigrationContext.configure(connection).get_current_revision() == "0015"
    engine.dispose()


def test_the_head_revision_the_start_up_check_trusts_is_the_newest_migration() -> None:
    assert ScriptDirectory(str(migrate.MIGRATIONS)).get_current_head() == migrate.HEAD_REVISION


def test_a_database_at_an_older_revision_is_migrated_to_the_head(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0014")
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert (before, after, differences) == ("0014", migrate.HEAD_REVISION, [])


def test_a_database_alembic_never_touched_has_no_revision(database_url: str) -> None:
    engine = make_engine(database_url)
    revision = migrate.current_revision(engine)
    engine.dispose()
    assert revision is None


def test_events_recorded_before_the_log_existed_become_its_first_entries(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0001")
    created = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    payloads = [{"registry": "JP", "n": n} for n in range(5)]
    with engine.begin() as conn:
        for payload in payloads:
            conn.execute(
                text(
                    "INSERT INTO events (kind, transaction_id, payload, created_at) "
                    "VALUES ('registry_created', NULL, :p, :t)"
                ),
                {"p": json.dumps(payload), "t": created},
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT log_index, entry, leaf_hash FROM events ORDER BY log_index")
        ).all()
        size, frontier = conn.execute(text("SELECT size, frontier FROM log_state")).one()
    engine.dispose()
    assert [r.log_index for r in rows] == [0, 1, 2, 3, 4]
    assert [json.loads(r.entry)["change"] for r in rows] == payloads
    leaves = [leaf_hash(r.entry.encode()) for r in rows]
    assert [bytes(r.leaf_hash) for r in rows] == leaves
    assert size == 5
    frontier = json.loads(frontier) if isinstance(frontier, str) else frontier
    assert CompactRange.from_hex(5, frontier).root() == root_from_leaves(leaves)
