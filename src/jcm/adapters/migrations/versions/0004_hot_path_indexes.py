"""Indexes for every hot lookup (issue 8).

- accounts (registry, type): the singleton look-up of a registry's cancellation or
  retirement account on every cancellation and retirement. The partial unique index on the
  same columns cannot serve it on SQLite (the planner cannot prove that a bound type is not
  'entity_holding'), so it scanned the whole table: retirement p50 grew from 0.65 ms at 10^3
  accounts to 8.4 ms at 10^5.
- events (transaction_id): the log entry of a transaction (`jcm log proof --tx`, proofs of
  a serial's history).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_registry_type", "accounts", ["registry", "type"])
    op.create_index("ix_events_transaction", "events", ["transaction_id"])


def downgrade() -> None:
    op.drop_index("ix_events_transaction", table_name="events")
    op.drop_index("ix_accounts_registry_type", table_name="accounts")
