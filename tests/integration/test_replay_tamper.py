"""Tampering with any stored value is caught by `jcm log verify`, generated from the schema.

A registry is populated once per backend: three registries, every kind of registry move,
status changes, a rule book, a proposed methodology, two projects walked from PIN to credits
in both registries and the funded portfolio (the demo), idempotency keys on every step and
signed checkpoints. Then, for every table of ``jcm.adapters.schema`` and every column, one
value is altered in a copy of that database; for every table one row is deleted and one
inserted. Each time verify must fail and name the table, the row's key and the column. A
column added to the schema later gets its own case here, so it fails until verify covers it
or it is exempted below with a reason.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from replay_copy_support import (
    NOW,
    Populated,
    add_rows,
    copied,
    delete_rows,
    populated_registry,
    stored_state,
)
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from jcm.adapters import schema
from jcm.adapters.mrv.signatures import new_device_key, sign_batch
from jcm.adapters.signing import NoteVerifier
from jcm.bootstrap import App
from jcm.domain.aef.register_commands import RegisterEntity
from jcm.domain.cycle import DocumentKind, RuleBook
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import Unauthenticated
from jcm.domain.identity.principal import Scope, operator_for
from jcm.domain.identity.register import PLATFORM_ORGANISATION
from jcm.domain.mrv.devices import (
    Calibration,
    Device,
    DeviceKind,
    Location,
    RegisterKind,
    Replacement,
)
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountStatus
from jcm.domain.transparency.signed_note import MalformedKey, Verifier
from jcm.entrypoints.demo import DEMO_LINKS, run_demo
from jcm.entrypoints.demo_cycle import Walker
from jcm.service_layer.identity.accounts import CreateUser
from jcm.service_layer.results import to_json_object

BACKENDS = [b.strip() for b in os.environ.get("JCM_TEST_BACKENDS", "sqlite,postgresql").split(",")]

# Columns verify cannot and need not determine from the log, each with its reason.
EXEMPT_COLUMNS: dict[tuple[str, str], str] = {
    ("unit_blocks", "id"): "a surrogate key: holdings are compared as tilings of serial "
    "ranges with their attributes; how they are cut into rows is not state",
    ("transaction_ranges", "id"): "a surrogate key: a transaction's ranges are compared in "
    "their stored order, which a renumbering that keeps the order does not change",
    ("events", "seq"): "an insertion counter: an entry's place is its log_index, which the "
    "Merkle tree proves",
    ("log_keys", "created_at"): "the first key's creation is not logged (the key chain logs "
    "each later key's start in its rotation entry); the registry here has one key",
}
# Whole tables that hold no registry fact, so verify neither can nor should determine them.
EXEMPT_TABLES: dict[str, str] = {
    "webhook_subscriptions": "operational settings of notifications, not registry state; "
    "logging them would publish subscribers' URLs in a public log, and their secrets are "
    "sealed with a key outside the database",
    "webhook_deliveries": "the outbox: derived from logged changes as notices to send, "
    "with their delivery state, which changes after the fact and is not registry state",
    "webhook_attempts": "the delivery log: what receivers answered, not registry state",
    # Identity: they hold hashes of secrets or a TOTP secret, which the log must never carry.
    "users": "password hashes and TOTP secrets are secrets: the log records only who was "
    "created, by whom, in which organisation",
    "sessions": "session and CSRF token hashes are secrets, and sessions come and go "
    "without log entries",
    "api_tokens": "token secret hashes are secrets; the log records each token's creation "
    "and revocation without them, and its last use is not logged",
    "login_attempts": "failed-login counters for rate limiting, not registry state",
    "mrv_device_credentials": "devices' MQTT password hashes are secrets: the log records "
    "each issue (mrv_device_credentials_issued: device, project, topic), never the hash",
    "mrv_aggregates": "the QA job's daily breakdown, recomputed by every run from the "
    "receipted readings; the per-device reports that credits rest on are logged by digest "
    "and checked (mrv_qa_reports)",
}
# Rows whose insertion verify cannot see, each with its reason.
# Where a change is reported in another table than the one changed, and why.
REPORTED_AS: dict[tuple[str, str], str] = {
    # a deleted key: its checkpoints can no longer be checked
    ("log_keys", "delete"): "checkpoints",
    # a head naming a newer checkpoint than the newest row reads as a deleted checkpoint
    # (the two cannot be told apart; the message says both)
    ("log_state", "alter checkpointed_size"): "checkpoints",
}
# Columns reported in the place of the one altered, and why.
REPORTED_COLUMNS: dict[tuple[str, str], set[str | None]] = {
    # an entry's text and its leaf hash no longer agree: either may have been altered
    ("events", "entry"): {"entry", "leaf_hash"},
    ("events", "leaf_hash"): {"entry", "leaf_hash"},
    # moving a block's boundary uncovers units or covers some twice (no single column)
    ("unit_blocks", "serial_start"): {"serial_start", None},
    ("unit_blocks", "serial_end"): {"serial_start", None},
}
# Tables whose rows verify names by a parent key (they are compared per parent).
PARENT_KEY = {"unit_blocks": "decision_id", "transaction_ranges": "transaction_id"}


# -- the populated registry -------------------------------------------------------------------


def import_some_of_the_portfolio(app: App) -> None:
    """Two partners and a few of their funded projects, one linked to the demo's KE001:
    every column of both portfolio tables gets rows (each tamper case replays the whole
    log, so the whole list of 281 rows would only make the cases slower)."""
    views = app.public.projects
    projects, countries = views.read_lists()
    partners = [country for country in countries if country.code in ("KE", "TH")]
    some = [p for p in projects if p.country == "KE"][:2] + [
        p for p in projects if p.country == "TH"
    ][:2]
    views.import_portfolio(some, partners, DEMO_LINKS)


def populate(app: App) -> None:
    run_demo(
        app.registry,
        app.cycle,
        app.documents,
        app.log,
        identity=app.identity,
        register=app.aef.register,
        progress=False,
    )
    import_some_of_the_portfolio(app)
    r = app.registry
    r.set_registry_active(c.SetRegistryActive("ID", False, "audit"), key="t:suspend:ID")
    r.set_registry_active(c.SetRegistryActive("ID", True), key="t:resume:ID")
    r.set_account_status(c.SetAccountStatus("JP-ENT-0004", AccountStatus.BLOCKED), key="t:b")
    r.set_account_status(c.SetAccountStatus("JP-ENT-0004", AccountStatus.OPEN), key="t:o")
    app.cycle.define_rule_book(
        cc.DefineRuleBook(RuleBook("KE PCP ver02.0", pdd_public_input_days=20)), key="t:rules"
    )
    walker = Walker(app.cycle, app.documents, lambda _: None)
    app.cycle.propose_methodology(
        cc.ProposeMethodology(
            "KE_PM001",
            "Solar PV with storage at commercial buildings",
            1,
            cc.ActingAs("demo-tpe"),
            date(2025, 1, 10),
            walker.docs(
                "KE_PM001",
                DocumentKind.PROPOSED_METHODOLOGY,
                DocumentKind.METHODOLOGY_SPREADSHEET,
            ),
        ),
        key="t:methodology",
    )
    people(app)
    verify_a_period(app)
    key = register_devices(app)
    submit_batches(app, key)
    # A QA run of the meter's first days (no readings: all gaps): mrv_qa_reports rows.
    qa = app.acting(operator_for("demo-jp-solar")).mrv.qa
    qa.run("KE001", date(2026, 3, 14), date(2026, 3, 16))
    submit_reports(app)
    app.log.sign_checkpoint()


def submit_reports(app: App) -> None:
    """Kenya's AEF for 2025 submitted (1.0), then a late entity dated in 2025 and the
    resubmission (1.1): a superseded and a submitted aef_submissions row, no draft."""
    reports = app.aef.reports
    reports.build("KE", 2025)
    reports.submit("KE", 2025)
    late = RegisterEntity("KE-ENT-LATE", "CA0001", "Late Solar Ltd", "KEN")
    app.aef.register.register_entity(replace(late, authorised_on=date(2025, 6, 1)))
    reports.build("KE", 2025)
    reports.submit("KE", 2025)


def register_devices(app: App) -> Ed25519PrivateKey:
    """A meter of the demo's KE001, recalibrated and replaced (every mrv_devices column);
    the replacement meter's signing key."""
    devices = app.acting(operator_for("demo-jp-solar")).mrv.devices
    calibration = Calibration(date(2026, 1, 5), date(2028, 1, 4), Decimal("0.5"), "CAL-1")
    devices.register(
        Device(
            "KE001-PV-001", "KE001", "EG_p", DeviceKind.METER, RegisterKind.CUMULATIVE, 15,
            Decimal("1000"), Location(Decimal("-1.29"), Decimal("36.82"), "Africa/Nairobi"),
            "SN-1", calibration, new_device_key()[1], register_max_wh=10**12,
        ),
        "demo-jp-solar",
    )  # fmt: skip
    later = Calibration(date(2026, 3, 1), date(2028, 2, 28), Decimal("0.4"), "CAL-2")
    devices.recalibrate("KE001-PV-001", later)
    swap = Replacement(datetime(2026, 3, 15, 7, 0, tzinfo=UTC), "", 123_456, "SN-2", 7)
    key, public = new_device_key()
    devices.replace("KE001-PV-001", swap, public, later)
    return key


def submit_batches(app: App, key: Ed25519PrivateKey) -> None:
    """One call of intake: a batch accepted, sent again (a duplicate, counted) and a batch
    with another device's signature (refused): rows in mrv_batches and mrv_refusals, which
    verify rebuilds from the call's mrv_batches_received and mrv_batches_refused entries."""
    good = {"device": "KE001-PV-001", "seq": 1, "readings": [["2026-03-15T10:00:00+03:00", 150]]}
    forged = {**good, "seq": 2}
    envelopes = [
        sign_batch(good, key),
        sign_batch(good, key),
        sign_batch(forged, new_device_key()[0]),
    ]
    results = app.mrv.intake.accept_envelopes(envelopes, "http")
    assert [r.outcome.value for r in results] == ["accepted", "duplicate", "refused"]


def verify_a_period(app: App) -> None:
    """An automatic verification of KE001 (failed: no meters yet), so mrv_verifications has
    a row that verify rebuilds from its mrv_period_verified entry."""
    verification = app.acting(operator_for("demo-jp-solar")).mrv.verification
    result = verification.verify_period(
        "KE001", date(2025, 1, 1), date(2025, 1, 2), cc.ActingAs("demo-jp-solar")
    )
    assert not result.passed


def people(app: App) -> None:
    """A user who logged in, a failed login, and an API token (the exempt tables' rows)."""
    operator = operator_for(PLATFORM_ORGANISATION)
    created = app.identity.create_user(CreateUser("demo-tpe", "tpe-user", "TPE user"), operator)
    app.identity.login("tpe-user", created.password, "127.0.0.1")
    with pytest.raises(Unauthenticated):
        app.identity.login("tpe-user", "not the password", "127.0.0.2")
    app.identity.create_token(operator, "demo-tpe", "robot", frozenset({Scope.CYCLE_VERIFY}), 30)


@pytest.fixture(scope="module", params=BACKENDS)
def populated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Populated]:
    with populated_registry(request.param, tmp_path_factory.mktemp("populated"), populate) as it:
        yield it


@pytest.fixture
def copy(populated: Populated, tmp_path: Path) -> Iterator[App]:
    """An app on a fresh, exact copy of the populated registry (see replay_copy_support)."""
    with copied(populated, tmp_path) as app:
        yield app


# -- alterations by column type ---------------------------------------------------------------


def altered(column: sa.Column[Any], value: Any) -> Any:
    """A different value of the column's type that the database will store."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return not value
    if isinstance(kind, sa.Integer | sa.BigInteger | sa.SmallInteger):
        return (value or 0) + 1
    if isinstance(kind, sa.Numeric):
        return (value or Decimal(0)) + 1
    if isinstance(kind, schema.UtcDateTime):
        return (value or NOW) - timedelta(days=1)  # back-dated
    if isinstance(kind, sa.Date):
        return (value or date(2024, 1, 1)) + timedelta(days=1)
    if isinstance(kind, sa.LargeBinary):
        return bytes([value[0] ^ 1]) + value[1:] if value else b"\x01" * 32
    if isinstance(kind, sa.JSON):
        if isinstance(value, dict):
            return {**value, "tampered": 1}
        if isinstance(value, list):
            return [*value, "tampered"]
        return {"tampered": 1}
    if isinstance(kind, sa.String | sa.Text):
        text_value = value or ""
        limit = getattr(kind, "length", None) or 10**6
        if text_value and len(text_value) >= limit:
            return text_value[:-1] + ("X" if text_value[-1] != "X" else "Y")
        return text_value + "X"
    raise AssertionError(f"no alteration for {column.table.name}.{column.name} of type {kind}")


def columns() -> list[tuple[str, str]]:
    return [(t.name, col.name) for t in _checked_tables() for col in t.columns]


def tables() -> list[str]:
    return [t.name for t in _checked_tables()]


def _checked_tables() -> list[sa.Table]:
    return [t for t in schema.metadata.sorted_tables if t.name not in EXEMPT_TABLES]


def _last_row(conn: sa.Connection, table: sa.Table) -> dict[str, Any]:
    keys = list(table.primary_key.columns)
    row = conn.execute(select(table).order_by(*(k.desc() for k in keys)).limit(1)).first()
    assert row is not None, f"the populated registry has no row in {table.name}"
    return dict(row._mapping)


def _where(table: sa.Table, row: dict[str, Any]) -> Any:
    return sa.and_(*(k == row[k.name] for k in table.primary_key.columns))


def _key_texts(table: sa.Table, *rows: dict[str, Any]) -> set[str]:
    """How verify may name the row: by its primary key, a parent key, or a key digest."""
    out: set[str] = set()
    for row in rows:
        parent = PARENT_KEY.get(table.name)
        if parent:
            out.add(str(row[parent]))
            continue
        out.add("/".join(str(row[k.name]) for k in table.primary_key.columns))
        if table.name == "events":
            out.add(str(row["log_index"]))
        if table.name == "idempotency_keys":
            out.add("sha256:" + hashlib.sha256(row["key"].encode()).hexdigest())
    return out


def verdict(app: App) -> dict[str, Any]:
    verifiers: dict[str, Verifier] = {}
    for key in app.log.signing_keys():
        try:
            verifiers[key.key_id] = NoteVerifier.from_verifier_key(key.verifier)
        except MalformedKey:
            continue  # a damaged key row: its checkpoints cannot be checked
    result: dict[str, Any] = to_json_object(app.log.verify(verifiers))
    return result


def tamper(app: App, change: Callable[[sa.Connection], object]) -> bool:
    """Apply the change; False when the database itself refuses it (a constraint)."""
    try:
        with app.engine.begin() as conn:
            change(conn)
    except DBAPIError:
        return False
    return True


def rows_of(app: App, table: sa.Table) -> list[tuple[Any, ...]]:
    with app.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(table)))


def assert_refused_by_the_database(
    app: App, table: sa.Table, before: list[tuple[Any, ...]]
) -> None:
    """Where a constraint refuses the change itself there is nothing for verify to catch:
    the table must be exactly as it was, and the log must still verify."""
    assert rows_of(app, table) == before
    assert verdict(app)["problem"] is None


def assert_caught(app: App, table: str, keys: set[str], column: str | None, action: str) -> None:
    result = verdict(app)
    assert result["ok"] is False, f"{action} of {table} {keys} {column} passed verify"
    problem = result["problem"]
    what = f"{action} {column}" if column else action
    expected_table = REPORTED_AS.get((table, what), table)
    assert problem["table"] == expected_table, problem["message"]
    if expected_table == table:
        assert problem["key"] in keys, problem["message"]
        if column is not None:
            primary = column in {c.name for c in schema.metadata.tables[table].primary_key}
            allowed = {column, None} if primary or column == PARENT_KEY.get(table) else {column}
            allowed |= REPORTED_COLUMNS.get((table, column), set())
            assert problem["column"] in allowed, problem["message"]


def test_the_populated_registry_verifies_and_has_rows_in_every_table(copy: App) -> None:
    assert verdict(copy)["problem"] is None
    with copy.engine.connect() as conn:
        empty = [
            t.name
            for t in _checked_tables()
            if conn.execute(select(func.count()).select_from(t)).scalar_one() == 0
        ]
    assert empty == []


def test_a_copy_made_after_another_was_tampered_with_holds_exactly_the_populated_registry(
    populated: Populated, tmp_path: Path
) -> None:
    expected = stored_state(populated.url)  # rows, and on PostgreSQL sequences
    for n, wreck in enumerate((add_rows, delete_rows)):
        with copied(populated, tmp_path / f"wrecked-{n}") as wrecked:
            wreck(wrecked)
            assert stored_state(wrecked.settings.database_url) != expected
        with copied(populated, tmp_path / f"next-{n}") as following:
            assert stored_state(following.settings.database_url) == expected


def test_every_exemption_names_a_column_that_exists() -> None:
    assert set(EXEMPT_COLUMNS) <= set(columns())
    assert set(EXEMPT_TABLES) <= set(schema.metadata.tables)


@pytest.mark.parametrize(("table_name", "column_name"), columns())
def test_altering_any_stored_value_is_caught_naming_table_key_and_column(
    copy: App, table_name: str, column_name: str
) -> None:
    table = schema.metadata.tables[table_name]
    column = table.c[column_name]
    before = rows_of(copy, table)
    with copy.engine.connect() as conn:
        row = _last_row(conn, table)
        if column.primary_key and isinstance(column.type, sa.Integer):
            top = conn.execute(select(func.max(column))).scalar_one()
            new_value: Any = int(top) + 1000
        else:
            new_value = altered(column, row[column_name])
    if not tamper(
        copy, lambda conn: conn.execute(update(table).where(_where(table, row)).values(
            {column_name: new_value}))
    ):  # fmt: skip
        assert_refused_by_the_database(copy, table, before)
        return
    if (table_name, column_name) in EXEMPT_COLUMNS:
        # Not state (the reason is in EXEMPT_COLUMNS): the change must leave verify passing.
        assert verdict(copy)["problem"] is None, EXEMPT_COLUMNS[(table_name, column_name)]
        return
    if table_name in EXEMPT_TABLES:
        assert verdict(copy)["problem"] is None, EXEMPT_TABLES[table_name]
        return
    keys = _key_texts(table, row, {**row, column_name: new_value})
    assert_caught(copy, table_name, keys, column_name, "alter")


@pytest.mark.parametrize("table_name", tables())
def test_deleting_any_stored_row_is_caught_naming_table_and_key(copy: App, table_name: str) -> None:
    table = schema.metadata.tables[table_name]
    before = rows_of(copy, table)
    with copy.engine.connect() as conn:
        row = _last_row(conn, table)
    if not tamper(copy, lambda conn: conn.execute(delete(table).where(_where(table, row)))):
        assert_refused_by_the_database(copy, table, before)  # a foreign key protects it
        return
    if table_name in EXEMPT_TABLES:
        assert verdict(copy)["problem"] is None, EXEMPT_TABLES[table_name]
        return
    assert_caught(copy, table_name, _key_texts(table, row), None, "delete")


def _new_row(conn: sa.Connection, table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    """A copy of the row under a new primary key (and clear of unique constraints)."""
    new = dict(row)
    for key in table.primary_key.columns:
        if isinstance(key.type, sa.Integer):
            new[key.name] = int(conn.execute(select(func.max(key))).scalar_one()) + 1000
    if not any(isinstance(k.type, sa.Integer) for k in table.primary_key.columns):
        last = list(table.primary_key.columns)[-1]
        new[last.name] = altered(last, row[last.name])
    if table.name == "events":
        new["log_index"] = int(conn.execute(select(func.max(table.c.log_index))).scalar_one()) + 1
    if table.name == "unit_blocks":  # units out of nowhere, past the last serial
        new["serial_start"] = row["serial_end"] + 10**6
        new["serial_end"] = row["serial_end"] + 10**6 + 9
    return new


@pytest.mark.parametrize("table_name", tables())
def test_inserting_a_row_into_any_table_is_caught_naming_table_and_key(
    copy: App, table_name: str
) -> None:
    table = schema.metadata.tables[table_name]
    before = rows_of(copy, table)
    with copy.engine.connect() as conn:
        row = _last_row(conn, table)
        new = _new_row(conn, table, row)
    if not tamper(copy, lambda conn: conn.execute(insert(table).values(new))):
        assert_refused_by_the_database(copy, table, before)  # a constraint refuses it
        return
    if table_name in EXEMPT_TABLES:
        assert verdict(copy)["problem"] is None, EXEMPT_TABLES[table_name]
        return
    assert_caught(copy, table_name, _key_texts(table, new, row), None, "insert")
