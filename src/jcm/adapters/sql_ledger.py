"""The ledger port on SQLAlchemy Core: the same statements on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jcm.adapters import schema as t
from jcm.adapters.ledger_decisions import LedgerDecisions
from jcm.adapters.ledger_reports import LedgerReports
from jcm.adapters.ledger_rows import (
    account_from_row,
    block_from_row,
    block_from_tuple,
    block_values,
)
from jcm.adapters.ledger_statements import (
    ACCOUNT_FIELDS,
    ACCOUNTS,
    ACCOUNTS_LOCKED,
    BLOCK_COLUMNS,
    D_ACCOUNT,
    D_ACCOUNT_LOCKED,
    D_FIRST_PAGES,
    D_INSERT_BLOCKS,
    D_INSERT_RANGES,
    D_INSERT_TRANSACTION,
    D_INSERT_TRANSACTIONS,
    D_PAGE_AFTER,
    D_PAGE_FIRST,
    D_UPDATE_BLOCK,
    FIRST_PAGES_LATERAL,
    IDEMPOTENCY,
    MAX_TRANSACTION_ID,
    NEXT_TRANSACTION_IDS,
    PREFETCH_WIDTH,
    REGISTRY,
)
from jcm.adapters.log_store import LogSettings, SqlLogStore
from jcm.domain.registry.accounts import (
    Account,
    AccountStatus,
    AccountType,
    Organisation,
    OrganisationKind,
    Registry,
)
from jcm.domain.registry.blocks import BlockKey, UnitBlock
from jcm.domain.registry.transactions import TransactionRecord
from jcm.domain.transparency.log_entries import idempotency_record

_B = t.unit_blocks.c


class SqlLedger(LedgerReports, LedgerDecisions):
    def __init__(self, connection: Connection, log: LogSettings | None = None) -> None:
        self.c = connection
        self.log = SqlLogStore(connection, log or LogSettings())
        # Registries seen by this transaction (account look-ups join them in for free).
        self._registries: dict[str, Registry] = {}
        # Accounts read by this transaction; those in `_locked` are held FOR UPDATE.
        self._accounts: dict[str, Account] = {}
        self._locked: set[str] = set()

    # -- registries, organisations, accounts --------------------------------------------
    def get_registry(self, code: str) -> Registry | None:
        cached = self._registries.get(code)
        if cached is not None:
            return cached
        row = self.c.execute(REGISTRY, {"code": code}).first()
        if row is None:
            return None
        registry = self._registries[code] = Registry(row.code, row.name, bool(row.active))
        return registry

    def lock_registry(self, code: str) -> Registry | None:
        """Read a registry and hold its row until commit: numbering its organisations and
        accounts (count + 1) is then serial, so concurrent set-ups never collide."""
        row = self.c.execute(REGISTRY.with_for_update(key_share=True), {"code": code}).first()
        if row is None:
            return None
        registry = self._registries[code] = Registry(row.code, row.name, bool(row.active))
        return registry

    def add_registry(self, registry: Registry, now: datetime) -> None:
        self.c.execute(
            insert(t.registries).values(
                code=registry.code, name=registry.name, active=registry.active, created_at=now
            )
        )

    def list_registries(self) -> list[Registry]:
        rows = self.c.execute(select(t.registries).order_by(t.registries.c.code))
        return [Registry(r.code, r.name, bool(r.active)) for r in rows]

    def count_organisations(self, registry: str) -> int:
        return int(
            self.c.execute(
                select(func.count()).where(t.organisations.c.registry == registry)
            ).scalar_one()
        )

    def add_organisation(self, organisation: Organisation, now: datetime) -> None:
        self.c.execute(
            insert(t.organisations).values(
                id=organisation.id,
                registry=organisation.registry,
                name=organisation.name,
                kind=organisation.kind.value,
                created_at=now,
            )
        )

    def _org(self, row: Row[Any]) -> Organisation:
        return Organisation(row.id, row.registry, row.name, OrganisationKind(row.kind))

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        row = self.c.execute(
            select(t.organisations).where(
                t.organisations.c.id == organisation_id, t.organisations.c.registry.is_not(None)
            )
        ).first()
        return self._org(row) if row else None

    def list_organisations(self, registry: str | None) -> list[Organisation]:
        # The registry's organisations: those with a home registry (the register also holds
        # TPEs, the JC and administrators, which hold no accounts).
        query = (
            select(t.organisations)
            .where(t.organisations.c.registry.is_not(None))
            .order_by(t.organisations.c.id)
        )
        if registry:
            query = query.where(t.organisations.c.registry == registry)
        return [self._org(r) for r in self.c.execute(query)]

    def count_accounts(self, registry: str) -> int:
        return int(
            self.c.execute(
                select(func.count()).where(t.accounts.c.registry == registry)
            ).scalar_one()
        )

    def add_account(self, account: Account, now: datetime) -> None:
        self.c.execute(
            insert(t.accounts).values(
                id=account.id,
                registry=account.registry,
                type=account.type.value,
                organisation_id=account.organisation_id,
                name=account.name,
                status=account.status.value,
                created_at=now,
            )
        )

    def get_account(self, account_id: str, *, lock: bool = False) -> Account | None:
        cached = self._accounts.get(account_id)
        if cached is not None and (not lock or account_id in self._locked):
            return cached
        statement = D_ACCOUNT_LOCKED if lock else D_ACCOUNT
        rows = statement.rows(self.c, {"account": account_id})
        if not rows:
            return None
        row = dict(zip(ACCOUNT_FIELDS, rows[0], strict=True))
        if lock:
            self._locked.add(account_id)
        if row["registry"] not in self._registries:
            self._registries[row["registry"]] = Registry(
                row["registry"], row["registry_name"], bool(row["registry_active"])
            )
        account = self._accounts[account_id] = Account(
            row["id"],
            row["registry"],
            AccountType(row["type"]),
            row["organisation_id"],
            row["name"],
            AccountStatus(row["status"]),
        )
        return account

    def set_registry_active(self, code: str, active: bool) -> None:
        self.c.execute(
            update(t.registries).where(t.registries.c.code == code).values(active=active)
        )
        self._registries.pop(code, None)

    def set_account_status(self, account_id: str, status: AccountStatus) -> None:
        self.c.execute(
            update(t.accounts).where(t.accounts.c.id == account_id).values(status=status.value)
        )
        self._accounts.pop(account_id, None)

    def lock_accounts(self, account_ids: Sequence[str]) -> list[Account]:
        """Read and lock several accounts at once, in id order (no lock-order deadlocks)."""
        wanted = sorted(set(account_ids) - self._locked)
        if not wanted:
            return []
        rows = self.c.execute(ACCOUNTS_LOCKED, {"accounts": wanted}).all()
        accounts = []
        for row in rows:
            self._locked.add(row.id)
            self._remember_registry(row)
            account = self._accounts[row.id] = account_from_row(row)
            accounts.append(account)
        return accounts

    def get_accounts(self, account_ids: Sequence[str]) -> None:
        """Read several accounts (unlocked) in one statement into this transaction's cache."""
        wanted = sorted(set(account_ids) - set(self._accounts))
        if wanted:
            for row in self.c.execute(ACCOUNTS, {"accounts": wanted}):
                self._remember_registry(row)
                self._accounts[row.id] = account_from_row(row)

    def _remember_registry(self, row: Row[Any]) -> None:
        if row.registry not in self._registries:
            self._registries[row.registry] = Registry(
                row.registry, row.registry_name, bool(row.registry_active)
            )

    def singleton_account(self, registry: str, account_type: AccountType) -> Account | None:
        row = self.c.execute(
            select(t.accounts).where(
                t.accounts.c.registry == registry, t.accounts.c.type == account_type.value
            )
        ).first()
        return account_from_row(row) if row else None

    def list_accounts(
        self, registry: str | None, account_type: AccountType | None
    ) -> list[Account]:
        query = select(t.accounts).order_by(t.accounts.c.registry, t.accounts.c.id)
        if registry:
            query = query.where(t.accounts.c.registry == registry)
        if account_type:
            query = query.where(t.accounts.c.type == account_type.value)
        return [account_from_row(r) for r in self.c.execute(query)]

    # -- unit blocks ----------------------------------------------------------------------
    def blocks_page(self, account_id: str, after: BlockKey | None, limit: int) -> list[UnitBlock]:
        if after is None:
            rows = D_PAGE_FIRST.rows(self.c, {"account": account_id, "limit": limit})
        else:
            rows = D_PAGE_AFTER.rows(
                self.c,
                {
                    "account": account_id,
                    "after_decision": after[0],
                    "after_start": after[1],
                    "limit": limit,
                },
            )
        return [block_from_tuple(r) for r in rows]

    def first_pages(self, account_ids: Sequence[str], limit: int) -> dict[str, list[UnitBlock]]:
        """The first ``limit`` blocks of each account, in few statements (batch prefetch)."""
        pages: dict[str, list[UnitBlock]] = {a: [] for a in account_ids}
        ids = list(pages)
        if self.c.dialect.name == "postgresql":
            # One index range scan per account, planned once (the UNION is slow to plan).
            for lateral_row in self.c.execute(FIRST_PAGES_LATERAL, {"ids": ids, "limit": limit}):
                block = block_from_tuple(tuple(lateral_row))
                pages[block.account_id].append(block)
            ids = []
        for chunk_start in range(0, len(ids), PREFETCH_WIDTH):
            chunk = ids[chunk_start : chunk_start + PREFETCH_WIDTH]
            params: dict[str, Any] = {"limit": limit}
            for i in range(PREFETCH_WIDTH):  # pad with an id no account has
                params[f"a{i}"] = chunk[i] if i < len(chunk) else ""
            for row in D_FIRST_PAGES.rows(self.c, params):
                block = block_from_tuple(row)
                pages[block.account_id].append(block)
        for page in pages.values():
            page.sort(key=lambda b: b.key)
        return pages

    def blocks_overlapping(
        self, decision_id: int, start: int, end: int, *, lock: bool = False
    ) -> list[UnitBlock]:
        # The block holding `start` begins at or before it: the last such block, plus
        # every block beginning inside the range. Both use the (decision, start) index.
        first = (
            select(_B.id)
            .where(_B.decision_id == decision_id, _B.serial_start <= start)
            .order_by(_B.serial_start.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = select(*BLOCK_COLUMNS).where(
            or_(
                _B.id == first,
                and_(
                    _B.decision_id == decision_id,
                    _B.serial_start > start,
                    _B.serial_start <= end,
                ),
            )
        )
        if lock:
            query = query.with_for_update()
        rows = self.c.execute(query.order_by(_B.serial_start))
        return [b for b in map(block_from_row, rows) if b.end >= start]

    def update_blocks(self, blocks: Sequence[UnitBlock]) -> None:
        D_UPDATE_BLOCK.many(self.c, [{"b_id": b.id, **block_values(b)} for b in blocks])

    def insert_blocks(self, blocks: Sequence[UnitBlock]) -> None:
        D_INSERT_BLOCKS.many(self.c, [block_values(b) for b in blocks])

    def blocks_of_decision(self, decision_id: int) -> list[UnitBlock]:
        rows = self.c.execute(
            select(*BLOCK_COLUMNS).where(_B.decision_id == decision_id).order_by(_B.serial_start)
        )
        return [block_from_row(r) for r in rows]

    def _transaction_ids(self, count: int) -> list[int]:
        """Ids for new transactions, known before inserting so ranges and events can
        refer to them in bulk (INSERT … RETURNING in bulk is row-by-row on SQLite)."""
        if self.c.dialect.name == "sqlite":
            # Safe: the transaction began IMMEDIATE, so no other writer runs meanwhile.
            last = int(self.c.execute(MAX_TRANSACTION_ID).scalar_one())
            return list(range(last + 1, last + 1 + count))
        return [int(i) for i in self.c.execute(NEXT_TRANSACTION_IDS, {"n": count}).scalars()]

    def write_changes(
        self,
        changed: Sequence[UnitBlock],
        new: Sequence[UnitBlock],
        records: Sequence[TransactionRecord],
        now: datetime,
    ) -> None:
        """Write a unit of work's block changes, transactions, ranges and log entries.

        On PostgreSQL everything that needs an answer (transaction ids, the log head) is
        read first, then the writes go out in one psycopg pipeline: one round trip
        instead of seven.
        """
        if records and self.c.dialect.name != "sqlite":
            for record, tx_id in zip(records, self._transaction_ids(len(records)), strict=True):
                record.id = tx_id
        if records and self.log.settings.enabled:
            self.log.lock()
        with self._pipeline():
            if changed:
                self.update_blocks(changed)
            if new:
                self.insert_blocks(new)
            if records:
                self.insert_transactions(records, now)

    @contextmanager
    def _pipeline(self) -> Iterator[None]:
        if self.c.dialect.name != "postgresql":
            yield
            return
        driver = self.c.connection.driver_connection
        with driver.pipeline():  # type: ignore[union-attr]
            yield

    def insert_transactions(self, records: Sequence[TransactionRecord], now: datetime) -> None:
        rows = [
            {
                "id": r.id,
                "kind": r.kind.value,
                "registry": r.registry,
                "source": r.source,
                "destination": r.destination,
                "quantity": r.quantity,
                "detail": r.detail,
                "created_at": now,
            }
            for r in records
        ]
        if len(records) == 1 and records[0].id is None:
            del rows[0]["id"]
            records[0].id = int(D_INSERT_TRANSACTION.rows(self.c, rows[0])[0][0])
        else:
            if any(r.id is None for r in records):
                for record, row, tx_id in zip(
                    records, rows, self._transaction_ids(len(records)), strict=True
                ):
                    record.id = row["id"] = tx_id
            D_INSERT_TRANSACTIONS.many(self.c, rows)
        ranges = [
            {
                "transaction_id": r.id,
                "decision_id": m.decision_id,
                "serial_start": m.start,
                "serial_end": m.end,
            }
            for r in records
            for m in r.ranges
        ]
        if ranges:
            D_INSERT_RANGES.many(self.c, ranges)
        self.log.append([(r.kind.value, r.id, r.event_payload()) for r in records], now)

    def add_event(
        self, kind: str, transaction_id: int | None, payload: dict[str, Any], now: datetime
    ) -> None:
        self.log.append([(kind, transaction_id, payload)], now)

    # -- idempotency ----------------------------------------------------------------------
    def get_idempotency(self, key: str) -> tuple[str, str, Any] | None:
        row = self.c.execute(IDEMPOTENCY, {"key": key}).first()
        return (row.command, row.request_digest, row.response) if row else None

    def put_idempotency(
        self, key: str, command: str, digest: str, response: Any, now: datetime
    ) -> bool:
        # ON CONFLICT DO NOTHING: a key stored meanwhile by a concurrent transaction (which
        # PostgreSQL waits for) is a race to replay, not a duplicate to refuse.
        dialect_insert = pg_insert if self.c.dialect.name == "postgresql" else sqlite_insert
        result = self.c.execute(
            dialect_insert(t.idempotency_keys)
            .values(
                key=key,
                command=command,
                request_digest=digest,
                response=response,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(t.idempotency_keys.c.key)
        )
        stored = result.first() is not None
        if stored:  # bound into the command's last log entry, so verify can check the row
            self.log.bind_idempotency(idempotency_record(key, command, digest, response))
        return stored
