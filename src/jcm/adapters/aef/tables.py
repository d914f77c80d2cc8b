"""The Article 6.2 reporting tables (issue 12, migration 0015), on the registry's one
metadata: the cooperative-approach register and the AEF submissions.

Register records keep their key columns for look-ups and the whole record as canonical
JSON (``body``), the form the log entry carries, so replay compares them column by
column. A submission keeps its exported tables as JSON and the SHA-256 of its files.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from jcm.adapters.schema import UtcDateTime, metadata

__all__ = [
    "aef_approach_parties",
    "aef_approaches",
    "aef_authorisations",
    "aef_entities",
    "aef_submissions",
]

aef_approaches: Table = Table(
    "aef_approaches",
    metadata,
    Column("id", String(6), primary_key=True),  # CANNNN
    Column("name", String(200), nullable=False),
    Column("partner", String(2), nullable=False, unique=True),  # one approach per JCM
    Column("created_at", UtcDateTime(), nullable=False),
)

aef_approach_parties: Table = Table(
    "aef_approach_parties",
    metadata,
    Column("approach_id", String(6), ForeignKey("aef_approaches.id"), primary_key=True),
    Column("party", String(2), primary_key=True),
    Column("party_id", String(3), nullable=False),
    Column("registry_id", String(5), nullable=False),
    Column("ndc_first_year", Integer, nullable=False),
    Column("ndc_last_year", Integer, nullable=False),
)

aef_authorisations: Table = Table(
    "aef_authorisations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("party", String(2), nullable=False),
    Column("approach_id", String(6), ForeignKey("aef_approaches.id"), nullable=False),
    Column("authorised_on", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

aef_entities: Table = Table(
    "aef_entities",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("approach_id", String(6), ForeignKey("aef_approaches.id"), nullable=False),
    Column("party", String(2), nullable=False),
    Column("organisation_id", String(64), nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

aef_submissions: Table = Table(
    "aef_submissions",
    metadata,
    # One row per Party, reported year and version (a draft carries the version it would
    # be submitted as): the key ``jcm log verify`` names a submission by.
    Column("party", String(2), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("version", String(12), primary_key=True),
    Column("status", String(12), nullable=False),  # draft, submitted, superseded
    Column("tables", Text, nullable=False),  # canonical JSON of the five tables
    Column("checks", Text, nullable=False),  # JSON list of check failures at build time
    Column("digest", String(64), nullable=False),  # SHA-256 of the exported files
    Column("created_at", UtcDateTime(), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=True),
    Column("superseded_at", UtcDateTime(), nullable=True),
    Column("log_index", BigInteger, nullable=True),  # the submission's log entry
    Index("ix_aef_submissions_party_year", "party", "year", "status"),
)
