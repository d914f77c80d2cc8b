"""registry core

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:59:20.692970
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("command", sa.String(length=50), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.String(length=5), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("decisions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_table(
        "registries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_registries")),
    )
    op.create_table(
        "transactions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("registry", sa.String(length=2), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("destination", sa.String(length=20), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index("ix_transactions_destination", ["destination", "id"], unique=False)
        batch_op.create_index("ix_transactions_registry", ["registry", "id"], unique=False)
        batch_op.create_index("ix_transactions_source", ["source", "id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("period_seq", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_decisions_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("project_id", "period_seq", name=op.f("uq_decisions_project_id")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("registry", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registry"], ["registries.code"], name=op.f("fk_organisations_registry_registries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_table(
        "transaction_ranges",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_transaction_ranges_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transaction_ranges")),
    )
    with op.batch_alter_table("transaction_ranges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transaction_ranges_serials", ["decision_id", "serial_start"], unique=False
        )
        batch_op.create_index("ix_transaction_ranges_transaction", ["transaction_id"], unique=False)

    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("registry", sa.String(length=2), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("organisation_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_accounts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["registry"], ["registries.code"], name=op.f("fk_accounts_registry_registries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_accounts_singleton_per_registry",
            ["registry", "type"],
            unique=True,
            sqlite_where=sa.text("type <> 'entity_holding'"),
            postgresql_where=sa.text("type <> 'entity_holding'"),
        )

    op.create_table(
        "decision_lines",
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=20), nullable=False),
        sa.Column("registry", sa.String(length=2), nullable=False),
        sa.Column("share_pct", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=True),
        sa.Column("serial_end", sa.BigInteger(), nullable=True),
        sa.Column("receives_remainder", sa.Boolean(), nullable=False),
        sa.Column("issued_tx", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_decision_lines_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_lines_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("decision_id", "line_no", name=op.f("pk_decision_lines")),
    )
    op.create_table(
        "unit_blocks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.Column("origin_registry", sa.String(length=2), nullable=False),
        sa.Column("registry", sa.String(length=2), nullable=False),
        sa.Column("account_id", sa.String(length=20), nullable=False),
        sa.Column("authorised_uses", sa.String(length=20), nullable=False),
        sa.Column("authorisation_ref", sa.String(length=200), nullable=True),
        sa.Column("first_transfer_trigger", sa.String(length=30), nullable=True),
        sa.Column("first_transferred", sa.Boolean(), nullable=False),
        sa.Column("ca_status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_unit_blocks_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_unit_blocks_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_blocks")),
        sa.UniqueConstraint("decision_id", "serial_start", name=op.f("uq_unit_blocks_decision_id")),
    )
    with op.batch_alter_table("unit_blocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unit_blocks_holding_order",
            ["account_id", "decision_id", "serial_start"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("unit_blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_blocks_holding_order")

    op.drop_table("unit_blocks")
    op.drop_table("decision_lines")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_accounts_singleton_per_registry",
            sqlite_where=sa.text("type <> 'entity_holding'"),
            postgresql_where=sa.text("type <> 'entity_holding'"),
        )

    op.drop_table("accounts")
    with op.batch_alter_table("transaction_ranges", schema=None) as batch_op:
        batch_op.drop_index("ix_transaction_ranges_transaction")
        batch_op.drop_index("ix_transaction_ranges_serials")

    op.drop_table("transaction_ranges")
    op.drop_table("organisations")
    op.drop_table("decisions")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_transactions_source")
        batch_op.drop_index("ix_transactions_registry")
        batch_op.drop_index("ix_transactions_destination")

    op.drop_table("transactions")
    op.drop_table("registries")
    op.drop_table("projects")
    op.drop_table("idempotency_keys")
    op.drop_table("events")
