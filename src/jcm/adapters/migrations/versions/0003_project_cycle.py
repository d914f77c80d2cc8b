"""Project cycle: actors, rule books, cycle aggregates and calculation records.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Cycle event types such as monitoring_period.accept_issuance_request exceed 40.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=40), type_=sa.String(length=80)
        )
    op.create_table(
        "cycle_actors",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "role", name=op.f("pk_cycle_actors")),
    )
    op.create_table(
        "cycle_rule_books",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_cycle_rule_books")),
    )
    op.create_table(
        "cycle_aggregates",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column("decision_id", _ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_cycle_aggregates_decision_id_decisions"),
        ),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_cycle_aggregates")),
    )
    with op.batch_alter_table("cycle_aggregates", schema=None) as batch_op:
        batch_op.create_index("ix_cycle_aggregates_project", ["project_id", "kind"], unique=False)
    op.create_table(
        "calculation_records",
        sa.Column("monitoring_id", sa.String(length=40), nullable=False),
        sa.Column("methodology_id", sa.String(length=20), nullable=False),
        sa.Column("methodology_version", sa.String(length=10), nullable=False),
        sa.Column("emission_reductions", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("monitoring_id", name=op.f("pk_calculation_records")),
    )


def downgrade() -> None:
    op.drop_table("calculation_records")
    with op.batch_alter_table("cycle_aggregates", schema=None) as batch_op:
        batch_op.drop_index("ix_cycle_aggregates_project")
    op.drop_table("cycle_aggregates")
    op.drop_table("cycle_rule_books")
    op.drop_table("cycle_actors")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=80), type_=sa.String(length=40)
        )
