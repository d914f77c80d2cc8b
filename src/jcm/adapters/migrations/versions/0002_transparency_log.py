"""Transparency log: events become the log's leaves; Merkle nodes, head, keys, checkpoints.

Existing events are turned into log entries in their commit order (seq), hashed and
added to the tree, so a registry created before this migration keeps a complete log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from jcm.adapters.canonical import canonical_json
from jcm.domain.transparency.log_entries import log_entry
from jcm.domain.transparency.merkle import CompactRange, leaf_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _aware(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def upgrade() -> None:
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "log_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
        sa.Column("checkpointed_size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_state")),
    )
    op.create_table(
        "log_keys",
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("verifier", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_log_keys")),
    )
    op.create_table(
        "checkpoints",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["log_keys.key_id"], name=op.f("fk_checkpoints_key_id_log_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoints")),
    )
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.create_index("ix_checkpoints_size", ["size"], unique=False)

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("log_index", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("entry", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=True))

    # Backfill: every existing event becomes a log entry, in commit order.
    connection = op.get_bind()
    events = sa.table(
        "events",
        sa.column("seq"),
        sa.column("kind"),
        sa.column("payload"),
        sa.column("created_at"),
        sa.column("log_index"),
        sa.column("entry"),
        sa.column("leaf_hash"),
    )
    nodes = sa.table("log_nodes", sa.column("level"), sa.column("idx"), sa.column("hash"))
    tree = CompactRange()
    rows = connection.execute(
        sa.select(events.c.seq, events.c.kind, events.c.payload, events.c.created_at).order_by(
            events.c.seq
        )
    ).all()
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
        entry = canonical_json(log_entry(row.kind, payload, _aware(row.created_at)))
        leaf = leaf_hash(entry)
        index = tree.size
        completed = tree.append(leaf)
        connection.execute(
            events.update()
            .where(events.c.seq == row.seq)
            .values(log_index=index, entry=entry.decode("utf-8"), leaf_hash=leaf)
        )
        parents = [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in completed if lv > 0]
        if parents:
            connection.execute(nodes.insert(), parents)
    connection.execute(
        sa.table(
            "log_state",
            sa.column("id"),
            sa.column("size"),
            sa.column("frontier", sa.JSON()),
            sa.column("checkpointed_size"),
        ).insert(),
        {"id": 1, "size": tree.size, "frontier": tree.to_hex(), "checkpointed_size": 0},
    )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("entry", existing_type=sa.Text(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_events_log_index"), ["log_index"])
        batch_op.drop_column("payload")


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
    connection = op.get_bind()
    events = sa.table("events", sa.column("seq"), sa.column("entry"), sa.column("payload"))
    for seq, entry in connection.execute(sa.select(events.c.seq, events.c.entry)).all():
        connection.execute(
            events.update().where(events.c.seq == seq).values(payload=json.loads(entry)["change"])
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_events_log_index"), type_="unique")
        batch_op.drop_column("leaf_hash")
        batch_op.drop_column("entry")
        batch_op.drop_column("log_index")
    op.drop_table("checkpoints")
    op.drop_table("log_keys")
    op.drop_table("log_state")
    op.drop_table("log_nodes")
