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
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from jcm.adapters.sql_ledger import SqlLedger
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.registry.accounts import (
    Account,
    AccountStatus,
    AccountType,
    Organisation,
    OrganisationKind,
    account_id,
    organisation_id,
)
from jcm.domain.registry.allocation import AllocatedLine
from jcm.domain.registry.commands import CreateRegistry
from jcm.domain.registry.issuance import (
    DecisionLine,
    DecisionStatus,
    IssuanceDecision,
    MonitoringPeriod,
)
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import MovedRange, TransactionKind, TransactionRecord
from jcm.service_layer.ports import Ledger

BLOCK_UNITS = 10
ENTITY_ACCOUNTS = 1000
ACCOUNTS_PER_ORGANISATION = 10
LOADED_DECISIONS = 1000
LOADED_PROJECTS = 100
CHUNK = 50_000

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
    settle_seconds: float = 0.0


def month_period(index: int, first_year: int) -> tuple[date, date]:
    """The ``index``-th calendar month from January of ``first_year``: (first day, last day)."""
    year, month = first_year + index // 12, index % 12 + 1
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _blocks_per_decision(blocks: int, decisions: int) -> list[int]:
    base, extra = divmod(blocks, decisions)
    return [base + (1 if i < extra else 0) for i in range(decisions)]


def _block_rows(decisions: list[tuple[int, int]], accounts: list[str]) -> Iterator[BlockRow]:
    """Blocks of 10 units for each (decision id, block count), accounts round-robin."""
    n_accounts = len(accounts)
    g = 0
    for decision_id, count in decisions:
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
    n_decisions = min(LOADED_DECISIONS, blocks)
    per_decision = _blocks_per_decision(blocks, n_decisions)
    accounts = [account_id("JP", AccountType.ENTITY_HOLDING, 4 + i) for i in range(entity_accounts)]
    # The small tables go through the ledger port in one unit of work, so that their rows
    # (transactions with ranges and events, whatever the event log needs) are exactly what
    # the adapter writes; only the blocks are bulk-inserted below.
    with app.registry.uow() as uow:
        _load_accounts(uow.ledger, accounts, uow.now)
        decisions = _load_decisions(uow.ledger, per_decision, uow.now)
        uow.commit()
    _load_blocks(app.engine, decisions, accounts)
    balances = dict.fromkeys(accounts, 0)
    for g in range(blocks):
        balances[accounts[g % len(accounts)]] += BLOCK_UNITS
    return LoadedLedger(accounts, balances, blocks, n_decisions, time.perf_counter() - began)


def _load_accounts(ledger: Ledger, accounts: list[str], now: datetime) -> None:
    n_orgs = -(-len(accounts) // ACCOUNTS_PER_ORGANISATION)
    orgs = [organisation_id("JP", 2 + i) for i in range(n_orgs)]
    for i, org in enumerate(orgs):
        ledger.add_organisation(
            Organisation(org, "JP", f"Bench company {i}", OrganisationKind.COMPANY), now
        )
    for i, acc in enumerate(accounts):
        ledger.add_account(
            Account(
                acc,
                "JP",
                AccountType.ENTITY_HOLDING,
                orgs[i // ACCOUNTS_PER_ORGANISATION],
                f"Bench holding {i}",
                AccountStatus.OPEN,
            ),
            now,
        )


def _load_decisions(
    ledger: Ledger, per_decision: list[int], now: datetime
) -> list[tuple[int, int]]:
    """Record and fully issue the decisions; returns (decision id, block count) pairs."""
    n = len(per_decision)
    per_project = -(-n // LOADED_PROJECTS)
    loaded: list[tuple[int, int]] = []
    lines: list[AllocatedLine] = []
    records: list[TransactionRecord] = []
    for i, count in enumerate(per_decision):
        project, seq = f"KE{i // per_project:03d}", i % per_project + 1
        if seq == 1:
            ledger.lock_project(project)  # creates the project row
        start, end = month_period(seq - 1, 2020)
        period = MonitoringPeriod(start, end)
        amount = count * BLOCK_UNITS
        decision_id = ledger.add_decision(
            IssuanceDecision(
                0, project, period, start.year, seq, amount, DecisionStatus.ISSUED, f"bench-{i}"
            ),
            now,
        )
        if seq == per_project or i == n - 1:
            ledger.set_project_decisions(project, seq)
        serial = SerialRange("JP", "KE", project, start.year, seq, 1, amount).format()
        loaded.append((decision_id, count))
        lines.append(AllocatedLine(1, JP_GOVERNMENT, Decimal(100), amount, 1, amount, True))
        records.append(
            TransactionRecord(
                TransactionKind.ISSUANCE,
                "JP",
                None,
                None,
                amount,
                {
                    "decision": decision_id,
                    "project": project,
                    "period": str(period),
                    "vintage": start.year,
                    "lines": [{"account": JP_GOVERNMENT, "quantity": amount, "serials": serial}],
                },
                [MovedRange(decision_id, 1, amount, serial)],
            )
        )
    # Bulk loading uses the SQL adapter's own batch insert, which the port does not offer.
    assert isinstance(ledger, SqlLedger)
    ledger.insert_transactions(records, now)
    ledger.add_decision_lines(
        [
            DecisionLine(decision_id, line, "JP", record.id)
            for (decision_id, _), line, record in zip(loaded, lines, records, strict=True)
        ]
    )
    return loaded


def _copy_line(row: BlockRow) -> str:
    # Text COPY format; only the two nullable text columns are ever NULL here.
    return (
        f"{row[0]}\t{row[1]}\t{row[2]}\t{row[3]}\t{row[4]}\t{row[5]}\t{row[6]}"
        f"\t\\N\t\\N\t{'t' if row[9] else 'f'}\t{row[10]}\n"
    )


def _load_blocks(engine: Engine, decisions: list[tuple[int, int]], accounts: list[str]) -> None:
    """Stream the blocks in, with foreign-key checks off (the rows are consistent by
    construction and the checks would triple the load time)."""
    rows = _block_rows(decisions, accounts)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            if conn.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar():
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            raw: Any = conn.connection.driver_connection
            columns = ", ".join(_BLOCK_COLUMNS)
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY unit_blocks ({columns}) FROM STDIN") as copy,
            ):
                while chunk := list(islice(rows, CHUNK)):
                    copy.write("".join(map(_copy_line, chunk)))
        return
    insert_sql = (
        f"INSERT INTO unit_blocks ({', '.join(_BLOCK_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _BLOCK_COLUMNS)})"
    )
    raw_connection = engine.raw_connection()  # the driver's autocommit connection
    try:
        cursor = raw_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")  # only takes effect outside a transaction
        cursor.execute("PRAGMA cache_size=-262144")
        cursor.execute("BEGIN IMMEDIATE")
        while chunk := list(islice(rows, CHUNK)):
            cursor.executemany(insert_sql, chunk)
        cursor.execute("COMMIT")
        cursor.close()
    finally:
        raw_connection.close()
    engine.dispose()  # forget the connection with the changed PRAGMAs


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


def settings(data_dir: Path, url: str, transparency_log: bool = True) -> Settings:
    """The application's settings; the transparency log can be switched off only to
    measure what it costs (``--log off``)."""
    if transparency_log:
        return Settings(data_dir, url)
    return Settings(data_dir, url, transparency_log=False)


def load_fresh(url: str, data_dir: str, blocks: int, transparency_log: bool = True) -> LoadedLedger:
    """Migrate, load and settle a new database; run in a child process by the worker so
    that the loader's memory (and SQLite's enlarged page cache) stays out of the
    measured process's peak RSS."""
    app = bootstrap(settings(Path(data_dir), url, transparency_log))
    try:
        loaded = load(app, blocks)
        began = time.perf_counter()
        settle(app)
        loaded.settle_seconds = time.perf_counter() - began
        return loaded
    finally:
        app.close()


def count_blocks(app: App) -> int:
    with app.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        return int(conn.execute(text("SELECT count(*) FROM unit_blocks")).scalar_one())
