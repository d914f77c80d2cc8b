"""The ledger's read-only reports: transaction lists, serial history, holdings, a
registry's published statistics, and streamed rows for ``jcm log verify``."""

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    extract,
    func,
    or_,
    select,
)

from jcm.adapters import schema as t
from jcm.adapters.table_rows import table_rows, table_tuples

_B = t.unit_blocks.c


class LedgerReports:
    """Reads over the ledger's connection that change nothing (mixed into SqlLedger)."""

    c: Connection

    def list_transactions(self, filters: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        tx = t.transactions.c
        query = select(t.transactions).order_by(tx.id.desc()).limit(limit)
        if filters.get("account"):
            query = query.where(
                or_(tx.source == filters["account"], tx.destination == filters["account"])
            )
        if filters.get("registry"):
            query = query.where(tx.registry == filters["registry"])
        if filters.get("kind"):
            query = query.where(tx.kind == filters["kind"])
        if filters.get("kinds"):
            query = query.where(tx.kind.in_(list(filters["kinds"])))
        if filters.get("before"):  # a page cursor: transactions older than this id
            query = query.where(tx.id < filters["before"])
        if filters.get("since"):
            query = query.where(tx.created_at >= filters["since"])
        if filters.get("until"):
            query = query.where(tx.created_at < filters["until"])
        if filters.get("project"):
            project_tx = (
                select(t.transaction_ranges.c.transaction_id)
                .join(t.decisions, t.decisions.c.id == t.transaction_ranges.c.decision_id)
                .where(t.decisions.c.project_id == filters["project"])
            )
            query = query.where(tx.id.in_(project_tx))
        return [dict(r._mapping) for r in self.c.execute(query)]

    def transaction_rows(self) -> Iterator[tuple[Any, ...]]:
        """(id, kind, registry, source, destination, quantity, detail) of every transaction."""
        tx = t.transactions.c
        query = select(
            tx.id, tx.kind, tx.registry, tx.source, tx.destination, tx.quantity, tx.detail
        ).order_by(tx.id)
        result = self.c.execute(query.execution_options(yield_per=5000))
        try:
            for row in result:
                yield tuple(row)
        finally:
            result.close()

    def history(self, decision_id: int, start: int, end: int) -> list[dict[str, Any]]:
        r = t.transaction_ranges.c
        query = (
            select(
                r.transaction_id,
                r.serial_start,
                r.serial_end,
                t.transactions.c.kind,
                t.transactions.c.registry,
                t.transactions.c.source,
                t.transactions.c.destination,
                t.transactions.c.created_at,
                t.transactions.c.detail,
            )
            .join(t.transactions, t.transactions.c.id == r.transaction_id)
            .where(r.decision_id == decision_id, r.serial_start <= end, r.serial_end >= start)
            .order_by(r.transaction_id, r.serial_start)
        )
        return [dict(row._mapping) for row in self.c.execute(query)]

    def transactions_without_one_event(self) -> list[int]:
        per_tx = (
            select(t.events.c.transaction_id.label("tx"), func.count().label("n"))
            .where(t.events.c.transaction_id.is_not(None))
            .group_by(t.events.c.transaction_id)
            .subquery()
        )
        query = (
            select(t.transactions.c.id)
            .outerjoin(per_tx, per_tx.c.tx == t.transactions.c.id)
            .where(or_(per_tx.c.n.is_(None), per_tx.c.n != 1))
        )
        return [int(i) for i in self.c.execute(query).scalars()]

    def holdings(self, account_id: str | None, registry: str | None) -> list[dict[str, Any]]:
        d = t.decisions.c
        quantity = func.sum(_B.serial_end - _B.serial_start + 1)
        query = (
            select(
                _B.account_id.label("account"),
                _B.registry,
                t.accounts.c.type.label("type"),
                d.project_id.label("project"),
                d.vintage,
                d.period_seq,
                _B.origin_registry.label("origin"),
                _B.authorised_uses,
                _B.first_transferred,
                _B.ca_status,
                quantity.label("quantity"),
                func.count().label("blocks"),
            )
            .join(t.decisions, d.id == _B.decision_id)
            .join(t.accounts, t.accounts.c.id == _B.account_id)
            .group_by(
                _B.account_id,
                _B.registry,
                t.accounts.c.type,
                d.project_id,
                d.vintage,
                d.period_seq,
                _B.origin_registry,
                _B.authorised_uses,
                _B.first_transferred,
                _B.ca_status,
            )
            .order_by(_B.account_id, d.project_id, d.period_seq)
        )
        if account_id:
            query = query.where(_B.account_id == account_id)
        if registry:
            query = query.where(_B.registry == registry)
        return [
            {
                **dict(r._mapping),
                "quantity": int(r.quantity),
                "first_transferred": bool(r.first_transferred),
            }
            for r in self.c.execute(query)
        ]

    def amounts_by_account_type(self, registry: str) -> list[dict[str, Any]]:
        """Units held in ``registry`` per account type and partner country (the project's),
        with the number of accounts of each type (types without units included)."""
        d = t.decisions.c
        a = t.accounts.c
        partner = func.substr(d.project_id, 1, 2)
        held = (
            select(
                a.type,
                partner.label("partner"),
                func.sum(_B.serial_end - _B.serial_start + 1).label("quantity"),
            )
            .join(t.accounts, a.id == _B.account_id)
            .join(t.decisions, d.id == _B.decision_id)
            .where(_B.registry == registry)
            .group_by(a.type, partner)
        )
        counted = select(a.type, func.count().label("accounts")).where(a.registry == registry)
        rows = [
            {"type": r.type, "partner": r.partner, "quantity": int(r.quantity)}
            for r in self.c.execute(held)
        ]
        counts = {r.type: int(r.accounts) for r in self.c.execute(counted.group_by(a.type))}
        return [{"type": k, "partner": None, "accounts": n} for k, n in counts.items()] + rows

    def annual_movements(self, registry: str) -> list[dict[str, Any]]:
        """Units moved per calendar year (UTC) and transaction kind, for transactions made in
        ``registry``; units that arrived by external transfer from the other registry count
        as kind ``external_acquisition``."""
        tx = t.transactions.c
        year = self._utc_year(tx.created_at)
        made = (
            select(year.label("year"), tx.kind, func.sum(tx.quantity).label("quantity"))
            .where(tx.registry == registry)
            .group_by(year, tx.kind)
        )
        arrived = (
            select(year.label("year"), func.sum(tx.quantity).label("quantity"))
            .join(t.accounts, t.accounts.c.id == tx.destination)
            .where(
                tx.kind == "external_transfer",
                t.accounts.c.registry == registry,
                tx.registry != registry,
            )
            .group_by(year)
        )
        out = [
            {"year": int(r.year), "kind": r.kind, "quantity": int(r.quantity)}
            for r in self.c.execute(made)
        ]
        out += [
            {"year": int(r.year), "kind": "external_acquisition", "quantity": int(r.quantity)}
            for r in self.c.execute(arrived)
        ]
        return out

    def _utc_year(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        # PostgreSQL extracts from a timestamptz in the session's time zone; SQLite stores UTC.
        if self.c.dialect.name == "postgresql":
            return extract("year", func.timezone("UTC", column))
        return extract("year", column)

    def rows(
        self,
        table: str,
        order_by: Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every stored row of a table, streamed (for ``jcm log verify``)."""
        return table_rows(self.c, table, order_by, where)

    def row_tuples(
        self, table: str, columns: Sequence[str], order_by: Sequence[str]
    ) -> Iterator[tuple[Any, ...]]:
        """Some columns of every row of a table as tuples, streamed (the largest tables)."""
        return table_tuples(self.c, table, columns, order_by)
