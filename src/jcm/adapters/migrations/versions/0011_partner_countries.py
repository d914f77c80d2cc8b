"""The JCM partner countries, imported with the funded portfolio (issue 10).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_countries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_ja", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("region_ja", sa.String(length=100), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("signed_place_ja", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_partner_countries")),
    )


def downgrade() -> None:
    op.drop_table("partner_countries")
