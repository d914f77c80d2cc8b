"""Bulk loader: a consistent ledger of N unit blocks, written straight into the tables.

Building 10^6 blocks through the service would take hours, so only the registries (JP and
KE, with their government and terminal accounts) are created through the service; the
rest is inserted with SQLAlchemy Core ``executemany`` (SQLite) or ``COPY`` (PostgreSQL):

* ~100 organisations and 1,000 entity holding accounts in registry JP
  (``JP-ENT-0004`` …, numbered as the service would number them);
* 1,000 Joint Committee decisions (projects KE000–KE099, ten monthly monitoring periods
  each), each fully issued to ``JP-GOV-0001`` in one issuance transaction (with its serial
  range and its one event), decision lines marked issued, status ``issued``;
* the decisions' units pre-split into blocks of 10 units, handed round-robin to the entity
  accounts, as if the government account had since transferred them out.

The result passes ``app.registry.audit()`` (checked at the smallest size on every run).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, insert, text

from jcm.adapters import schema as t
from jcm.bootstrap import App
from jcm.domain.accounts import AccountType, account_id, organisation_id
from jcm.domain.commands import CreateRegistry

BLOCK_UNITS = 10
ENTITY_ACCOUNTS = 1000
ACCOUNTS_PER_ORGANISATION = 10
LOADED_DECISIONS = 1000
LOADED_PROJECTS = 100
CHUNK = 20_000

JP_GOVERNMENT = account_id("JP", AccountType.GOVERNMENT_HOLDING, 1)
KE_GOVERNMENT = account_id("KE", AccountType.GOVERNMENT_HOLDING, 1)

_BLOCK_COLUMNS = (
    "decision_id",
    "serial_start",
    "serial_end",
    "origin_registry",
    "registry",
    "account_id",
    "authorised_uses",
    "authorisation_ref",
    "first_transfer_trigger",
    "first_transferred",
    "ca_status",
)

BlockRow = tuple[int, int, int, str, str, str, str, None, None, bool, str]


@dataclass
class LoadedLedger:
    accounts: list[str]  # the entity holding accounts, all in registry JP
    balances: dict[str, int]  # units per entity account
    blocks: int
    decisions: int
    seconds: float


def month_period(index: int, first_year: int) -> tuple[date, date]:
    """The ``index``-th calendar month from January of ``first_year``: (first day, last day)."""
    year, month = first_year + index // 12, index % 12 + 1
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _blocks_per_decision(blocks: int, decisions: int) -> list[int]:
    base, extra = divmod(blocks, decisions)
    return [base + (1 if i < extra else 0) for i in range(decisions)]


def _block_rows(per_decision: list[int], accounts: list[str]) -> Iterator[BlockRow]:
    n_accounts = len(accounts)
    g = 0
    for decision_id, count in enumerate(per_decision, start=1):
        for j in range(count):
            start = j * BLOCK_UNITS + 1
            yield (
                decision_id,
                start,
                start + BLOCK_UNITS - 1,
                "JP",
                "JP",
                accounts[g % n_accounts],
                "",
                None,
                None,
                False,
                "not_required",
            )
            g += 1


def load(app: App, blocks: int, *, entity_accounts: int = ENTITY_ACCOUNTS) -> LoadedLedger:
    began = time.perf_counter()
    app.registry.create_registry(CreateRegistry("JP"))
    app.registry.create_registry(CreateRegistry("KE"))
    now = datetime.now(UTC)
    decisions = min(LOADED_DECISIONS, blocks)
    per_decision = _blocks_per_decision(blocks, decisions)
    accounts = [account_id("JP", AccountType.ENTITY_HOLDING, 4 + i) for i in range(entity_accounts)]
    engine = app.engine
    with engine.begin() as conn:
        _load_accounts(conn, accounts, now)
        _load_decisions(conn, per_decision, now)
    _load_blocks(engine, per_decision, accounts)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table, column in (
                ("decisions", "id"),
                ("transactions", "id"),
                ("transaction_ranges", "id"),
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                        f"(SELECT max({column}) FROM {table}))"
                    )
                )
    balances = dict.fromkeys(accounts, 0)
    for g in range(blocks):
        balances[accounts[g % len(accounts)]] += BLOCK_UNITS
    return LoadedLedger(accounts, balances, blocks, decisions, time.perf_counter() - began)


def _load_accounts(conn: Connection, accounts: list[str], now: datetime) -> None:
    n_orgs = -(-len(accounts) // ACCOUNTS_PER_ORGANISATION)
    orgs = [organisation_id("JP", 2 + i) for i in range(n_orgs)]
    conn.execute(
        insert(t.organisations),
        [
            {
                "id": org,
                "registry": "JP",
                "name": f"Bench company {i}",
                "kind": "company",
                "created_at": now,
            }
            for i, org in enumerate(orgs)
        ],
    )
    conn.execute(
        insert(t.accounts),
        [
            {
                "id": acc,
                "registry": "JP",
                "type": AccountType.ENTITY_HOLDING.value,
                "organisation_id": orgs[i // ACCOUNTS_PER_ORGANISATION],
                "name": f"Bench holding {i}",
                "status": "open",
                "created_at": now,
            }
            for i, acc in enumerate(accounts)
        ],
    )


def _load_decisions(conn: Connection, per_decision: list[int], now: datetime) -> None:
    n = len(per_decision)
    per_project = -(-n // LOADED_PROJECTS)
    projects: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    transactions: list[dict[str, Any]] = []
    ranges: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for i, count in enumerate(per_decision):
        decision_id = i + 1
        project, seq = f"KE{i // per_project:03d}", i % per_project + 1
        if seq == 1:
            projects.append(
                {"id": project, "partner": "KE", "decisions": min(per_project, n - i)}
            )
        start, end = month_period(seq - 1, 2020)
        amount = count * BLOCK_UNITS
        decisions.append(
            {
                "id": decision_id,
                "project_id": project,
                "period_start": start,
                "period_end": end,
                "vintage": start.year,
                "period_seq": seq,
                "amount": amount,
                "status": "issued",
                "reference": f"bench-{decision_id}",
                "created_at": now,
            }
        )
        lines.append(
            {
                "decision_id": decision_id,
                "line_no": 1,
                "account_id": JP_GOVERNMENT,
                "registry": "JP",
                "share_pct": Decimal(100),
                "quantity": amount,
                "serial_start": 1,
                "serial_end": amount,
                "receives_remainder": True,
                "issued_tx": decision_id,
            }
        )
        serial = f"JP-KE-JCM-{project}-{start.year}-{seq}-1-{amount}"
        detail = {"decision": decision_id, "project": project, "bulk_loaded": True}
        transactions.append(
            {
                "id": decision_id,
                "kind": "issuance",
                "registry": "JP",
                "source": None,
                "destination": None,
                "quantity": amount,
                "detail": detail,
                "created_at": now,
            }
        )
        ranges.append(
            {
                "id": decision_id,
                "transaction_id": decision_id,
                "decision_id": decision_id,
                "serial_start": 1,
                "serial_end": amount,
            }
        )
        events.append(
            {
                "kind": "issuance",
                "transaction_id": decision_id,
                "payload": {
                    "transaction": decision_id,
                    "kind": "issuance",
                    "registry": "JP",
                    "quantity": amount,
                    "detail": detail,
                    "ranges": [
                        {"decision": decision_id, "start": 1, "end": amount, "serial": serial}
                    ],
                },
                "created_at": now,
            }
        )
    conn.execute(insert(t.projects), projects)
    conn.execute(insert(t.decisions), decisions)
    conn.execute(insert(t.decision_lines), lines)
    conn.execute(insert(t.transactions), transactions)
    conn.execute(insert(t.transaction_ranges), ranges)
    conn.execute(insert(t.events), events)


def _load_blocks(engine: Engine, per_decision: list[int], accounts: list[str]) -> None:
    rows = _block_rows(per_decision, accounts)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            raw: Any = conn.connection.driver_connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY unit_blocks ({', '.join(_BLOCK_COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        return
    statement = insert(t.unit_blocks)
    while chunk := list(islice(rows, CHUNK)):
        with engine.begin() as conn:
            conn.execute(statement, [dict(zip(_BLOCK_COLUMNS, row, strict=True)) for row in chunk])


def settle(app: App) -> None:
    """Steady state after loading: planner statistics and a clean WAL."""
    engine = app.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    raw = engine.raw_connection()  # autocommit: the PRAGMAs run outside a transaction
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA optimize")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def count_blocks(app: App) -> int:
    with app.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        return int(conn.execute(text("SELECT count(*) FROM unit_blocks")).scalar_one())
