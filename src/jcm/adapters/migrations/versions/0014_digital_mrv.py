"""Digital MRV: devices, their MQTT credentials, batch receipts, refusals, QA reports, daily
aggregates and automatic verifications (issue 11). Readings live in Parquet, not here.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mrv_devices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("parameter", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("nameplate_kw", sa.Numeric(14, 3), nullable=False),
        sa.Column("latitude", sa.Numeric(9, 6), nullable=False),
        sa.Column("longitude", sa.Numeric(10, 6), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("meter_serial", sa.String(length=64), nullable=False),
        sa.Column("calibrated_on", sa.Date(), nullable=False),
        sa.Column("calibration_valid_until", sa.Date(), nullable=False),
        sa.Column("max_permissible_error_pct", sa.Numeric(6, 3), nullable=False),
        sa.Column("calibration_certificate", sa.String(length=200), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("register_max_wh", sa.BigInteger(), nullable=True),
        sa.Column("replacements", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrv_devices")),
    )
    op.create_index(op.f("ix_mrv_devices_project_id"), "mrv_devices", ["project_id"])
    op.create_table(
        "mrv_device_credentials",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("mqtt_password_hash", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_mrv_device_credentials")),
    )
    op.create_table(
        "mrv_batches",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("readings", sa.Integer(), nullable=False),
        sa.Column("first_ts", sa.BigInteger(), nullable=False),
        sa.Column("last_ts", sa.BigInteger(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duplicates", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq", name=op.f("pk_mrv_batches")),
    )
    op.create_index("ix_mrv_batches_project_ts", "mrv_batches", ["project_id", "first_ts"])
    op.create_table(
        "mrv_refusals",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrv_refusals")),
    )
    op.create_index(op.f("ix_mrv_refusals_device_id"), "mrv_refusals", ["device_id"])
    op.create_index(op.f("ix_mrv_refusals_code"), "mrv_refusals", ["code"])
    op.create_table(
        "mrv_qa_reports",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("rule_set", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "device_id", "period_start", "period_end", "rule_set", name=op.f("pk_mrv_qa_reports")
        ),
    )
    op.create_index(op.f("ix_mrv_qa_reports_project_id"), "mrv_qa_reports", ["project_id"])
    op.create_table(
        "mrv_aggregates",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rule_set", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("expected_intervals", sa.Integer(), nullable=False),
        sa.Column("readings", sa.Integer(), nullable=False),
        sa.Column("measured_wh", sa.BigInteger(), nullable=False),
        sa.Column("excluded_wh", sa.BigInteger(), nullable=False),
        sa.Column("calibration_reduction_wh", sa.BigInteger(), nullable=False),
        sa.Column("credited_wh", sa.BigInteger(), nullable=False),
        sa.Column("exclusions", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "day", "rule_set", name=op.f("pk_mrv_aggregates")),
    )
    op.create_index(op.f("ix_mrv_aggregates_project_id"), "mrv_aggregates", ["project_id"])
    op.create_table(
        "mrv_verifications",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("rule_set", sa.String(length=40), nullable=False),
        sa.Column("qa_rule_set", sa.String(length=40), nullable=False),
        sa.Column("merkle_root", sa.String(length=64), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("readings", sa.BigInteger(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("monitoring_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrv_verifications")),
    )
    op.create_index(op.f("ix_mrv_verifications_project_id"), "mrv_verifications", ["project_id"])


def downgrade() -> None:
    op.drop_table("mrv_verifications")
    op.drop_table("mrv_aggregates")
    op.drop_table("mrv_qa_reports")
    op.drop_table("mrv_refusals")
    op.drop_table("mrv_batches")
    op.drop_table("mrv_device_credentials")
    op.drop_table("mrv_devices")
