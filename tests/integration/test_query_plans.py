"""Every hot statement uses an index: no full scan of the big tables, on either database.

The hot path is run for real (issue, transfer, external transfer, authorisation, adjustment,
cancellation, retirement, a batch, a serial look-up, an account's transactions and
holdings, an inclusion proof by transaction) while every statement sent to the database is
recorded: those through SQLAlchemy (its cursor event) and those on the driver cursor
(``DriverStatement``). Each recorded SELECT/UPDATE/DELETE is then explained with its own
parameters: SQLite ``EXPLAIN QUERY PLAN`` must not ``SCAN`` a big table, and PostgreSQL
``EXPLAIN`` with ``enable_seqscan = off`` (so that tiny tables do not make a sequential
scan the cheaper plan) must not contain a ``Seq Scan`` on one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from aef_support import register_authorisation
from sqlalchemy import event

from jcm.adapters.driver_statement import DriverStatement
from jcm.bootstrap import App
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind

BIG_TABLES = ("accounts", "unit_blocks", "transactions", "transaction_ranges", "events")
Recorded = list[tuple[str, Any]]


@pytest.fixture
def recorded(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorded]:
    statements: Recorded = []

    def on_execute(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        statements.append((sql, params[0] if many and params else params))

    real_for = DriverStatement._for

    def recording_for(self: DriverStatement, connection: Any) -> Any:
        compiled = real_for(self, connection)
        real_params = compiled.params

        def params(values: Mapping[str, Any], ready: Mapping[str, Any] | None = None) -> Any:
            bound = real_params(values, ready)
            statements.append((compiled.sql, bound))
            return bound

        compiled.params = params  # type: ignore[method-assign]
        return compiled

    event.listen(app.engine, "before_cursor_execute", on_execute)
    monkeypatch.setattr(DriverStatement, "_for", recording_for)
    yield statements
    event.remove(app.engine, "before_cursor_execute", on_execute)


def _hot_path(app: App, statements: Recorded) -> None:
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    orgs = {
        code: r.create_organisation(c.CreateOrganisation(code, f"{code} Ltd")).organisation
        for code in ("JP", "KE")
    }
    for code in ("JP", "KE", "KE"):
        r.open_account(c.OpenAccount(code, orgs[code], AccountType.ENTITY_HOLDING, ""))
    decision = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 1, 1),
            date(2023, 12, 31),
            2023,
            1000,
            (
                AllocationShare("JP-GOV-0001", Decimal(50)),
                AllocationShare("KE-ENT-0004", Decimal(50)),
            ),
        )
    ).decision
    register_authorisation(app, "KE", "LoA")
    statements.clear()  # set-up done: from here on, the hot path
    r.issue(c.Issue(decision, "JP"))
    r.issue(c.Issue(decision, "KE"))
    r.transfer(c.Move("JP-GOV-0001", "JP-ENT-0004", quantity=20), key="hot-1")
    r.transfer(c.Move("JP-GOV-0001", "JP-ENT-0004", serials="JP-KE-JCM-KE001-2023-1-30-39"))
    r.authorise(c.Authorise("KE-ENT-0004", frozenset({AuthorisedUse.NDC}), "LoA", quantity=50))
    moved = r.external_transfer(c.Move("KE-ENT-0004", "JP-ENT-0004", quantity=40))
    r.apply_corresponding_adjustment(c.ApplyCorrespondingAdjustment(moved.serials[0], 2024))
    r.cancel(c.Move("JP-ENT-0004", serials="KE-KE-JCM-KE001-2023-1-501-505", purpose=NDC))
    r.cancel(c.Move("JP-GOV-0001", quantity=5, purpose=CancellationPurpose.VOLUNTARY))
    r.retire(c.Move("JP-ENT-0004", quantity=3))
    r.batch(
        [
            (c.Move("JP-GOV-0001", "JP-ENT-0004", quantity=2), TransactionKind.TRANSFER),
            (c.Move("KE-ENT-0004", "KE-ENT-0005", quantity=2), TransactionKind.TRANSFER),
        ]
    )
    r.lookup_serial("JP-KE-JCM-KE001-2023-1-1-100")
    r.transactions(account="JP-ENT-0004")
    r.holdings(account="JP-ENT-0004")
    app.log.sign_checkpoint()
    app.log.inclusion_proof(transaction=int(moved.transaction))
    app.log.inclusion_proofs_for_serial("JP-KE-JCM-KE001-2023-1-1-10")


NDC = CancellationPurpose.NDC


def _explained(statements: Recorded) -> list[tuple[str, Any]]:
    seen: dict[str, Any] = {}
    for sql, params in statements:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head in ("SELECT", "UPDATE", "DELETE", "WITH") and sql not in seen:
            seen[sql] = params
    return list(seen.items())


def _sqlite_full_scans(app: App, statements: Recorded) -> list[str]:
    found = []
    with app.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for sql, params in _explained(statements):
            plan = cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params or ()).fetchall()
            for row in plan:
                detail = str(row[-1])
                match = re.match(r"SCAN (\w+)", detail)
                if match and match.group(1) in BIG_TABLES:
                    found.append(f"{detail}\n    in: {sql}")
        cursor.close()
    return found


def _seq_scans(node: Mapping[str, Any]) -> Iterator[str]:
    if node.get("Node Type") == "Seq Scan":
        yield str(node.get("Relation Name"))
    for child in node.get("Plans", []):
        yield from _seq_scans(child)


def _postgres_full_scans(app: App, statements: Recorded) -> list[str]:
    found = []
    with app.engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            for sql, params in _explained(statements):
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                for table in _seq_scans(plan[0]["Plan"]):
                    if table in BIG_TABLES:
                        found.append(f"Seq Scan on {table}\n    in: {sql}")
        driver.rollback()
    return found


def test_no_hot_statement_scans_a_whole_big_table(app: App, recorded: Recorded) -> None:
    _hot_path(app, recorded)
    assert len(_explained(recorded)) > 15, "the recording missed the hot path"
    scans = (
        _postgres_full_scans(app, recorded)
        if app.engine.dialect.name == "postgresql"
        else _sqlite_full_scans(app, recorded)
    )
    assert scans == [], "\n".join(scans)
