"""Reading the ledger facts the AEF is derived from (``FactsReader``).

Bulk reads: the accounts, the decisions, then the transactions and all their serial
ranges in two statements (ranges ordered by transaction and range id), stitched together
in Python — never one statement per transaction. Rows are unpacked as tuples (the
columns are already typed), and the ranges grouped in one pass over the sorted rows.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, select

from jcm.adapters.aef.register_store import SqlRegisterStore
from jcm.adapters.schema import accounts, decisions, transaction_ranges, transactions
from jcm.domain.aef.bulk import cycle_collection_paused
from jcm.domain.aef.facts import (
    AccountFact,
    DecisionFact,
    LedgerFacts,
    RangeFact,
    Register,
    TransactionFact,
)


class SqlFactsReader:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def facts(self, until: datetime | None = None) -> LedgerFacts:
        """Every fact committed before ``until`` (all when None)."""
        with cycle_collection_paused():
            return LedgerFacts(
                accounts=self._accounts(),
                decisions=self._decisions(),
                transactions=self._transactions(until),
                register=self._register(),
            )

    def _accounts(self) -> dict[str, AccountFact]:
        rows = self._c.execute(
            select(accounts.c.id, accounts.c.registry, accounts.c.type, accounts.c.organisation_id)
        )
        return {r.id: AccountFact(r.id, r.registry, r.type, r.organisation_id) for r in rows}

    def _decisions(self) -> dict[int, DecisionFact]:
        rows = self._c.execute(
            select(
                decisions.c.id,
                decisions.c.project_id,
                decisions.c.vintage,
                decisions.c.amount,
                decisions.c.period_seq,
            ).order_by(decisions.c.id)
        )
        return {
            int(r.id): DecisionFact(int(r.id), r.project_id, r.vintage, int(r.amount), r.period_seq)
            for r in rows
        }

    def _transactions(self, until: datetime | None) -> tuple[TransactionFact, ...]:
        ranges = self._ranges(until)
        query = select(
            transactions.c.id,
            transactions.c.created_at,
            transactions.c.kind,
            transactions.c.registry,
            transactions.c.source,
            transactions.c.destination,
            transactions.c.detail,
        ).order_by(transactions.c.id)
        if until is not None:
            query = query.where(transactions.c.created_at < until)
        empty: tuple[RangeFact, ...] = ()
        return tuple(
            TransactionFact(id_, at, kind, reg, src, dst, _detail(detail), ranges.get(id_, empty))
            for id_, at, kind, reg, src, dst, detail in self._c.execute(query)
        )

    def _ranges(self, until: datetime | None) -> dict[int, tuple[RangeFact, ...]]:
        """Each transaction's ranges, from one statement ordered by transaction: grouped
        in one pass over the rows as they come."""
        query = select(
            transaction_ranges.c.transaction_id,
            transaction_ranges.c.decision_id,
            transaction_ranges.c.serial_start,
            transaction_ranges.c.serial_end,
        ).order_by(transaction_ranges.c.transaction_id, transaction_ranges.c.id)
        if until is not None:
            query = query.join(
                transactions, transactions.c.id == transaction_ranges.c.transaction_id
            ).where(transactions.c.created_at < until)
        return {
            transaction_id: tuple(RangeFact(d, start, end) for _, d, start, end in rows)
            for transaction_id, rows in groupby(self._c.execute(query), key=itemgetter(0))
        }

    def _register(self) -> Register:
        return SqlRegisterStore(self._c).register()


def _detail(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
