"""An index of transactions by kind, newest first: the public lists of issuances and of
cancellations and retirements (issue 10) read them without scanning every move.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transactions_kind", "transactions", ["kind", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_transactions_kind", table_name="transactions")
