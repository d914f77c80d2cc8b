"""Tables of the registry (SQLAlchemy Core). Alembic migrations create them; a test checks
that the migrations and this module agree."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids that are still SQLite's rowid alias (INTEGER PRIMARY KEY).
Id = BigInteger().with_variant(Integer(), "sqlite")

registries = Table(
    "registries",
    metadata,
    Column("code", String(2), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One register of organisations: those holding accounts name their home registry; others
# (TPEs, the JC, the platform's administrator) have none. Their roles are below.
organisations = Table(
    "organisations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("registry", String(2), ForeignKey("registries.code"), nullable=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("registry", String(2), ForeignKey("registries.code"), nullable=False),
    Column("type", String(30), nullable=False),
    Column("organisation_id", String(20), ForeignKey("organisations.id"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index(
        "uq_accounts_singleton_per_registry",
        "registry",
        "type",
        unique=True,
        sqlite_where=text("type <> 'entity_holding'"),
        postgresql_where=text("type <> 'entity_holding'"),
    ),
    # The singleton look-up by registry and type (the partial index above cannot serve a
    # bound type on SQLite), and an account count per registry.
    Index("ix_accounts_registry_type", "registry", "type"),
)

projects = Table(
    "projects",
    metadata,
    Column("id", String(5), primary_key=True),
    Column("partner", String(2), nullable=False),
    Column("decisions", Integer, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", String(5), ForeignKey("projects.id"), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("vintage", Integer, nullable=False),
    Column("period_seq", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("reference", String(200)),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("project_id", "period_seq"),
)

decision_lines = Table(
    "decision_lines",
    metadata,
    Column("decision_id", Id, ForeignKey("decisions.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("account_id", String(20), ForeignKey("accounts.id"), nullable=False),
    Column("registry", String(2), nullable=False),
    Column("share_pct", Numeric(9, 6), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("serial_start", BigInteger),
    Column("serial_end", BigInteger),
    Column("receives_remainder", Boolean, nullable=False),
    Column("issued_tx", Id),
)

unit_blocks = Table(
    "unit_blocks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("decision_id", Id, ForeignKey("decisions.id"), nullable=False),
    Column("serial_start", BigInteger, nullable=False),
    Column("serial_end", BigInteger, nullable=False),
    Column("origin_registry", String(2), nullable=False),
    Column("registry", String(2), nullable=False),
    Column("account_id", String(20), ForeignKey("accounts.id"), nullable=False),
    Column("authorised_uses", String(20), nullable=False),
    Column("authorisation_ref", String(200)),
    Column("first_transfer_trigger", String(30)),
    Column("first_transferred", Boolean, nullable=False),
    Column("ca_status", String(20), nullable=False),
    # A second block starting at the same serial of a decision would be an overlap.
    UniqueConstraint("decision_id", "serial_start"),
    Index("ix_unit_blocks_holding_order", "account_id", "decision_id", "serial_start"),
    # Units authorised under one authorisation, counted against its quantity (migration 0015).
    Index("ix_unit_blocks_authorisation", "authorisation_ref"),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(30), nullable=False),
    Column("registry", String(2), nullable=False),
    Column("source", String(20)),
    Column("destination", String(20)),
    Column("quantity", BigInteger, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_transactions_source", "source", "id"),
    Index("ix_transactions_destination", "destination", "id"),
    Index("ix_transactions_registry", "registry", "id"),
    # The public lists by kind (issuances, cancellations and retirements), newest first.
    Index("ix_transactions_kind", "kind", "id"),
)

transaction_ranges = Table(
    "transaction_ranges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("transaction_id", Id, ForeignKey("transactions.id"), nullable=False),
    Column("decision_id", Id, nullable=False),
    Column("serial_start", BigInteger, nullable=False),
    Column("serial_end", BigInteger, nullable=False),
    Index("ix_transaction_ranges_serials", "decision_id", "serial_start"),
    Index("ix_transaction_ranges_transaction", "transaction_id"),
)

# One row per committed change, and the leaves of the transparency log: `entry` is the
# canonical JSON (RFC 8785) that was hashed, `log_index` its position in the Merkle tree.
events = Table(
    "events",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("kind", String(80), nullable=False),
    Column("transaction_id", Id),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("log_index", BigInteger, unique=True),
    Column("entry", Text, nullable=False),
    Column("leaf_hash", LargeBinary(32)),
    Index("ix_events_transaction", "transaction_id"),  # a transaction's log entry
)

# Perfect-subtree hashes of the Merkle tree above the leaves (level >= 1): node (level, idx)
# covers leaves [idx·2^level, (idx+1)·2^level). They never change once written.
log_nodes = Table(
    "log_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# The head of the log: its size and compact range (one row, locked by every append).
log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("frontier", JSON, nullable=False),
    Column("checkpointed_size", BigInteger, nullable=False),
)

log_keys = Table(
    "log_keys",
    metadata,
    Column("key_id", String(8), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("verifier", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("retired_at", UtcDateTime()),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("key_id", String(8), ForeignKey("log_keys.key_id"), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_checkpoints_size", "size"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("command", String(50), nullable=False),
    Column("request_digest", String(64), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# -- the project cycle (issue #4) -------------------------------------------------------------

# Organisations acting in a cycle role (project participant, TPE with its designations,
# secretariat, JC member, registry manager). One organisation may hold several roles.
# An organisation's roles (the cycle's roles, registry_admin and administrator): granted and
# revoked by logged events; body is the Actor's codec JSON (side, partnership, designations).
organisation_roles = Table(
    "organisation_roles",
    metadata,
    Column("organisation_id", String(64), ForeignKey("organisations.id"), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("body", JSON, nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Versions of a partner's rule set (PCP) that projects and methodologies run under.
cycle_rule_books = Table(
    "cycle_rule_books",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("body", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# The aggregates of the cycle: kind is project, monitoring_period or methodology; body is
# the whole aggregate (codec), state is repeated for listing. `decision_id` links a
# monitoring period to the registry's JC decision once recorded; `parameters` keeps a
# project's ex-ante facts and fixed parameters from its PDD.
cycle_aggregates = Table(
    "cycle_aggregates",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("key", String(80), primary_key=True),
    Column("project_id", String(20)),
    Column("state", String(40), nullable=False),
    Column("body", JSON, nullable=False),
    Column("parameters", JSON),
    Column("decision_id", Id, ForeignKey("decisions.id")),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_cycle_aggregates_project", "project_id", "kind"),
)

# The calculation record of a monitoring report: every input, default and intermediate
# value, byte-identical for the same inputs; its digest goes into the log entry.
calculation_records = Table(
    "calculation_records",
    metadata,
    Column("monitoring_id", String(40), primary_key=True),
    Column("methodology_id", String(20), nullable=False),
    Column("methodology_version", String(10), nullable=False),
    Column("emission_reductions", BigInteger, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("record", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# -- people and machines (migration 0008). These tables hold secrets' hashes (passwords,
# session and API tokens) and a TOTP secret: the log records who was created and which token
# was made or revoked, never a secret or a hash.
users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organisation_id", String(64), ForeignKey("organisations.id"), nullable=False),
    Column("login", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(255), nullable=False),  # argon2id, PHC string
    Column("must_change_password", Boolean, nullable=False),
    Column("totp_secret", String(64), nullable=True),
    Column("totp_enabled", Boolean, nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # Manages the people of its own organisation (migration 0013).
    Column("organisation_admin", Boolean, nullable=False, server_default=false()),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("user_id", String(32), ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_hash", String(64), nullable=False),
    Column("second_factor_passed", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),  # the public id, part of the token
    Column("secret_hash", String(64), nullable=False),  # SHA-256 of the secret part
    Column("organisation_id", String(64), ForeignKey("organisations.id"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("last_used_at", UtcDateTime(), nullable=True),
)

# Failed logins per login ("login") and per client address ("client"), for the backoff.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("kind", String(10), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime(), nullable=False),
    Column("blocked_until", UtcDateTime(), nullable=True),
)

# The funded portfolio: MOEJ's financing programme's projects (shared/data), imported as
# pipeline projects in their seed state; a row may link to its project in the JCM cycle.
portfolio_projects = Table(
    "portfolio_projects",
    metadata,
    Column("id", String(40), primary_key=True),  # e.g. KE-F001 (country, seq)
    Column("country", String(2), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("title_ja", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("support_scheme", String(40), nullable=False),
    Column("eco_lease", Boolean, nullable=False),
    Column("registered_marks", Integer, nullable=False),
    Column("technology", String(40), nullable=False, index=True),
    Column("sector", String(80), nullable=False),
    Column("capacity_mw", Numeric(12, 3), nullable=True),
    Column("storage_mwh", Numeric(12, 3), nullable=True),
    Column("state", String(20), nullable=False, index=True),  # funded | operating | registered
    Column("cycle_project_id", String(40), nullable=True),
    Column("note", String(300), nullable=False),
    Column("imported_at", UtcDateTime(), nullable=False),
    UniqueConstraint("country", "seq"),
)

# The JCM partner countries (shared/data): signing date and place, names in both languages;
# imported with the funded portfolio, each row a logged change (migration 0011).
partner_countries = Table(
    "partner_countries",
    metadata,
    Column("code", String(2), primary_key=True),  # ISO 3166-1 alpha-2
    Column("position", Integer, nullable=False),  # order of signing (1 = Mongolia)
    Column("name_ja", String(100), nullable=False),
    Column("name_en", String(100), nullable=False),
    Column("region_ja", String(100), nullable=False),
    Column("signed_on", Date, nullable=True),
    Column("signed_place_ja", String(100), nullable=False),
    Column("note", String(300), nullable=False),
    Column("imported_at", UtcDateTime(), nullable=False),
)

# The digital MRV tables live in their own module (registered on the same metadata).
# Imported last: that module needs ``metadata`` and ``UtcDateTime`` from above.
from jcm.adapters.mrv import tables as _mrv  # noqa: E402

mrv_aggregates: Table = _mrv.mrv_aggregates
mrv_batches: Table = _mrv.mrv_batches
mrv_device_credentials: Table = _mrv.mrv_device_credentials
mrv_devices: Table = _mrv.mrv_devices
mrv_qa_reports: Table = _mrv.mrv_qa_reports
mrv_refusals: Table = _mrv.mrv_refusals
mrv_verifications: Table = _mrv.mrv_verifications

# The Article 6.2 reporting tables (issue 12): imported here so every table is known
# wherever the schema is.
from jcm.adapters.aef import tables as _aef  # noqa: E402

aef_approach_parties: Table = _aef.aef_approach_parties
aef_approaches: Table = _aef.aef_approaches
aef_authorisations: Table = _aef.aef_authorisations
aef_entities: Table = _aef.aef_entities
aef_submissions: Table = _aef.aef_submissions

# The webhook tables (issue #9) live in their own module as well.
from jcm.adapters import webhook_tables as _webhooks  # noqa: E402

webhook_attempts: Table = _webhooks.webhook_attempts
webhook_deliveries: Table = _webhooks.webhook_deliveries
webhook_subscriptions: Table = _webhooks.webhook_subscriptions
