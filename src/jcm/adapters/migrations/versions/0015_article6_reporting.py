"""Article 6.2 reporting: the cooperative-approach register (approaches, their Parties,
authorisations, authorised entities) and the AEF submissions (issue 12).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Units authorised under one authorisation are counted against its quantity.
    op.create_index("ix_unit_blocks_authorisation", "unit_blocks", ["authorisation_ref"])
    op.create_table(
        "aef_approaches",
        sa.Column("id", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_aef_approaches"),
        sa.UniqueConstraint("partner", name="uq_aef_approaches_partner"),
    )
    op.create_table(
        "aef_approach_parties",
        sa.Column("approach_id", sa.String(length=6), nullable=False),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("registry_id", sa.String(length=5), nullable=False),
        sa.Column("ndc_first_year", sa.Integer(), nullable=False),
        sa.Column("ndc_last_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approach_id"],
            ["aef_approaches.id"],
            name="fk_aef_approach_parties_approach_id_aef_approaches",
        ),
        sa.PrimaryKeyConstraint("approach_id", "party", name="pk_aef_approach_parties"),
    )
    op.create_table(
        "aef_authorisations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("approach_id", sa.String(length=6), nullable=False),
        sa.Column("authorised_on", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approach_id"],
            ["aef_approaches.id"],
            name="fk_aef_authorisations_approach_id_aef_approaches",
        ),
        sa.PrimaryKeyConstraint("id", "version", name="pk_aef_authorisations"),
    )
    op.create_table(
        "aef_entities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("approach_id", sa.String(length=6), nullable=False),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approach_id"],
            ["aef_approaches.id"],
            name="fk_aef_entities_approach_id_aef_approaches",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_aef_entities"),
    )
    op.create_table(
        "aef_submissions",
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("tables", sa.Text(), nullable=False),
        sa.Column("checks", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("log_index", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("party", "year", "version", name="pk_aef_submissions"),
    )
    op.create_index("ix_aef_submissions_party_year", "aef_submissions", ["party", "year", "status"])


def downgrade() -> None:
    op.drop_index("ix_unit_blocks_authorisation", table_name="unit_blocks")
    op.drop_index("ix_aef_submissions_party_year", table_name="aef_submissions")
    op.drop_table("aef_submissions")
    op.drop_table("aef_entities")
    op.drop_table("aef_authorisations")
    op.drop_table("aef_approach_parties")
    op.drop_table("aef_approaches")
