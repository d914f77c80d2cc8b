"""The webhook tables (issue #9, migration 0009), on the registry's one metadata: each
organisation's subscriptions, the outbox of deliveries and the log of attempts.
``jcm.adapters.schema`` imports this module, so every table is known wherever the schema
is."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from jcm.adapters.schema import Id, UtcDateTime, metadata

__all__ = ["webhook_attempts", "webhook_deliveries", "webhook_subscriptions"]

# An organisation's subscription: where to POST which event types. `secret` is the signing
# secret encrypted with the key directory's webhook key (`secret_key_id` names that key).
webhook_subscriptions: Table = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("organisation_id", String(64), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("secret", Text, nullable=False),
    Column("secret_key_id", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),
    # An idempotency key (SHA-256 of organisation and key) and the digest of the request.
    Column("request_key", String(64), unique=True),
    Column("request_digest", String(64)),
    Index("ix_webhook_subscriptions_organisation", "organisation_id", "active"),
    Index("ix_webhook_subscriptions_active", "active"),
)

# The outbox: one row per event and subscription, written in the transaction of the change.
# `id` is the Standard Webhooks message id (webhook-id), the same on every attempt.
webhook_deliveries: Table = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subscription_id", String(40), ForeignKey("webhook_subscriptions.id"), nullable=False),
    Column("organisation_id", String(64), nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("manual", Boolean, nullable=False),
    Column("next_attempt_at", UtcDateTime()),
    Column("last_status_code", Integer),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_organisation", "organisation_id", "created_at"),
    Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
)

# The delivery log: every attempt with its answer (status code) or error and duration.
webhook_attempts: Table = Table(
    "webhook_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", String(40), ForeignKey("webhook_deliveries.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("trigger", String(12), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),
    Column("error", String(500)),
    Index("ix_webhook_attempts_delivery", "delivery_id", "id"),
)
