"""The funded portfolio: pipeline projects of MOEJ's financing programme (issue 10).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portfolio_projects",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title_ja", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("support_scheme", sa.String(length=40), nullable=False),
        sa.Column("eco_lease", sa.Boolean(), nullable=False),
        sa.Column("registered_marks", sa.Integer(), nullable=False),
        sa.Column("technology", sa.String(length=40), nullable=False),
        sa.Column("sector", sa.String(length=80), nullable=False),
        sa.Column("capacity_mw", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("storage_mwh", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("cycle_project_id", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_projects")),
        sa.UniqueConstraint("country", "seq", name=op.f("uq_portfolio_projects_country")),
    )
    for column in ("country", "technology", "state"):
        op.create_index(
            op.f(f"ix_portfolio_projects_{column}"), "portfolio_projects", [column], unique=False
        )


def downgrade() -> None:
    for column in ("country", "technology", "state"):
        op.drop_index(op.f(f"ix_portfolio_projects_{column}"), table_name="portfolio_projects")
    op.drop_table("portfolio_projects")
