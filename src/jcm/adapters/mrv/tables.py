"""The digital MRV tables (issue 11, migration 0014), on the registry's one metadata.

Readings themselves live in Parquet partitions (``jcm.adapters.mrv``); the database keeps
devices, batch receipts, refusals, QA reports, daily aggregates and verification records
only. ``jcm.adapters.schema`` imports this module, so every table is known wherever the
schema is.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from jcm.adapters.schema import UtcDateTime, metadata

__all__ = [
    "mrv_aggregates",
    "mrv_batches",
    "mrv_device_credentials",
    "mrv_devices",
    "mrv_qa_reports",
    "mrv_refusals",
    "mrv_verifications",
]

# Readings themselves live in Parquet partitions (adapters/mrv); the database keeps devices,
# batch receipts, refusals, QA reports, daily aggregates and verification records only.

# A metering point: a meter or inverter of a project, measuring one methodology parameter.
mrv_devices: Table = Table(
    "mrv_devices",
    metadata,
    Column("id", String(64), primary_key=True),  # e.g. KE001-PV-001; the MQTT user name
    Column("project_id", String(40), nullable=False, index=True),
    Column("organisation_id", String(64), nullable=False),  # the participant registering it
    Column("parameter", String(40), nullable=False),  # e.g. EG_p
    Column("kind", String(20), nullable=False),  # meter | inverter
    Column("register", String(20), nullable=False),  # interval | cumulative
    Column("interval_minutes", Integer, nullable=False),
    Column("nameplate_kw", Numeric(14, 3), nullable=False),
    Column("latitude", Numeric(9, 6), nullable=False),
    Column("longitude", Numeric(10, 6), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("meter_serial", String(64), nullable=False),
    Column("calibrated_on", Date, nullable=False),
    Column("calibration_valid_until", Date, nullable=False),
    Column("max_permissible_error_pct", Numeric(6, 3), nullable=False),
    Column("calibration_certificate", String(200), nullable=False),
    Column("public_key", String(64), nullable=False),  # Ed25519, base64 of 32 bytes
    Column("register_max_wh", BigInteger, nullable=True),
    Column("replacements", Text, nullable=False),  # JSON list, oldest first
    Column("version", Integer, nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# A device's MQTT password, as the broker's password file holds it (PBKDF2-SHA512, never
# the password itself); exported to Mosquitto with the ACL.
mrv_device_credentials: Table = Table(
    "mrv_device_credentials",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("mqtt_password_hash", String(300), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One receipt per accepted batch: (device, seq) is stored exactly once.
mrv_batches: Table = Table(
    "mrv_batches",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("project_id", String(40), nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of the canonical batch
    Column("signature", String(100), nullable=False),  # base64 Ed25519
    Column("readings", Integer, nullable=False),
    Column("first_ts", BigInteger, nullable=False),  # UTC seconds of the earliest reading
    Column("last_ts", BigInteger, nullable=False),
    Column("files", Text, nullable=False),  # the Parquet files holding its rows, JSON list
    Column("channel", String(10), nullable=False),  # mqtt | http | file
    Column("received_at", UtcDateTime(), nullable=False),
    # How many times the same bytes arrived again (acknowledged as duplicates).
    Column("duplicates", Integer, nullable=False, server_default="0"),
    Index("ix_mrv_batches_project_ts", "project_id", "first_ts"),
)

# Every refused batch, with the rule that refused it (counted by code).
mrv_refusals: Table = Table(
    "mrv_refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=True, index=True),
    Column("seq", BigInteger, nullable=True),
    Column("code", String(40), nullable=False, index=True),
    Column("message", String(500), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("digest", String(64), nullable=True),
    Column("received_at", UtcDateTime(), nullable=False),
)

# A device's QA report for a period under a rule set (the JSON of DeviceQaReport).
mrv_qa_reports: Table = Table(
    "mrv_qa_reports",
    metadata,
    # One report per (device, period, rule set): a later run replaces it (the log replays
    # runs by this key, so there is no surrogate id).
    Column("device_id", String(64), primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("period_end", Date, primary_key=True),
    Column("rule_set", String(40), primary_key=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("report", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# Daily aggregates per device and rule set, as the QA job computed them.
mrv_aggregates: Table = Table(
    "mrv_aggregates",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("rule_set", String(40), primary_key=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("expected_intervals", Integer, nullable=False),
    Column("readings", Integer, nullable=False),
    Column("measured_wh", BigInteger, nullable=False),
    Column("excluded_wh", BigInteger, nullable=False),
    Column("calibration_reduction_wh", BigInteger, nullable=False),
    Column("credited_wh", BigInteger, nullable=False),
    Column("exclusions", Text, nullable=False),  # JSON: [[rule, intervals, wh], ...]
    Column("computed_at", UtcDateTime(), nullable=False),
)

# An automatic verification of a project's monitoring period: its inputs' Merkle root, the
# result, and the monitoring request it entered the cycle as.
mrv_verifications: Table = Table(
    "mrv_verifications",
    metadata,
    Column("id", String(40), primary_key=True),  # e.g. KE001-V001
    Column("project_id", String(40), nullable=False, index=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("rule_set", String(40), nullable=False),  # verification rule set version
    Column("qa_rule_set", String(40), nullable=False),
    Column("merkle_root", String(64), nullable=False),
    Column("batches", Integer, nullable=False),
    Column("readings", BigInteger, nullable=False),
    Column("record", Text, nullable=False),  # the verification record, JSON
    Column("digest", String(64), nullable=False),
    Column("monitoring_id", String(40), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)
