"""SQL of the public ledger views (issuances, cancellations and retirements, serial search).

Lists are read a page at a time, newest first, by keyset on the transaction id (``id <
before``: the primary key, so page 1,000 costs what page 1 does); the pieces a page shows
(serial ranges, decisions, Article 6 state) come in one statement per page, never one per
row. Blocks never merge, and a transaction's range was one whole block when it was made, so
the blocks now holding a range's units all *start* inside it: an index range on (decision,
serial_start), not a scan of the decision's blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    String,
    and_,
    func,
    or_,
    select,
)

from jcm.adapters import schema as t
from jcm.service_layer.public.ledger_results import IssuanceFilter, RetirementFilter

_TX = t.transactions.c
_R = t.transaction_ranges.c
_B = t.unit_blocks.c
_D = t.decisions.c
_L = t.decision_lines.c
_A = t.accounts.c
_CYCLE = t.cycle_aggregates.c
TERMINAL_KINDS = ("cancellation", "retirement")


def _in_year(query: Select[Any], year: int | None) -> Select[Any]:
    # A range on the timestamp (not extract(year)), so the index and both dialects agree.
    if year is None:
        return query
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    return query.where(_TX.created_at >= start, _TX.created_at < end)


def _of_project(query: Select[Any], project: str | None) -> Select[Any]:
    # From the project's decisions to their ranges: bounded by the project's own
    # transactions, never a scan of every transaction for a rare project.
    if project is None:
        return query
    touched = (
        select(_R.transaction_id)
        .join(t.decisions, _D.id == _R.decision_id)
        .where(_D.project_id == project)
    )
    return query.where(_TX.id.in_(touched))


def _page(query: Select[Any], before: int | None, limit: int) -> Select[Any]:
    if before is not None:
        query = query.where(_TX.id < before)
    return query.order_by(_TX.id.desc()).limit(limit)


_DETAIL_TEXTS = ("purpose", "beneficiary", "note")


def _day_text(connection: Connection, column: ColumnElement[Any]) -> ColumnElement[str]:
    # The date a timestamp's value shows (what ``created_at.date()`` gives once read):
    # SQLite stores UTC text; PostgreSQL reads a timestamptz in the session's time zone,
    # which the engine sets to UTC on every connection (adapters/database.py).
    if connection.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD", type_=String)
    return func.substr(column, 1, 10, type_=String)


def _retirements(
    filters: RetirementFilter, before: int | None, limit: int, at: ColumnElement[Any]
) -> Select[Any]:
    """A page of cancellations and retirements with their ranges, decisions and blocks
    (the columns of RETIREMENT_EXPORT_FIELDS, ``at`` as the timestamp)."""
    kinds = (filters.kind,) if filters.kind else TERMINAL_KINDS
    # The detail's three texts read in SQL: no JSON document parsed per row.
    query: Select[Any] = select(
        _TX.id,
        at.label("created_at"),
        _TX.kind,
        _TX.registry,
        _TX.source,
        _TX.quantity,
        *(_TX.detail[key].as_string().label(key) for key in _DETAIL_TEXTS),
    ).where(_TX.kind.in_(kinds))
    if filters.registry is not None:
        query = query.where(_TX.registry == filters.registry)
    if filters.purpose is not None:
        query = query.where(_TX.detail["purpose"].as_string() == filters.purpose)
    query = _of_project(_in_year(query, filters.year), filters.project)
    page = _page(query, before, limit).subquery("page")
    # The page's ranges, decisions and blocks in the same statement: units in a
    # terminal account never move again, so a range is one block (or a few, if an
    # adjustment split it later) and the rows stay about one per range.
    return (
        select(
            *page.c,
            _R.serial_start,
            _R.serial_end,
            _D.project_id,
            _D.vintage,
            _D.period_seq,
            t.projects.c.partner,
            _B.origin_registry.label("origin"),
            _B.authorised_uses,
            _B.first_transferred,
            _B.ca_status,
            (_B.serial_end - _B.serial_start + 1).label("held"),
        )
        .select_from(page)
        .join(t.transaction_ranges, _R.transaction_id == page.c.id)
        .join(t.decisions, _D.id == _R.decision_id)
        .join(t.projects, t.projects.c.id == _D.project_id)
        .join(
            t.unit_blocks,
            and_(
                _B.decision_id == _R.decision_id,
                _B.serial_start >= _R.serial_start,
                _B.serial_start <= _R.serial_end,
            ),
        )
        .order_by(page.c.id.desc(), _R.id, _B.serial_start)
    )


class SqlLedgerQueries:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _rows(self, query: Select[Any]) -> list[RowMapping]:
        # Read-only mappings over the fetched rows (fetched at once: one driver call, not
        # one per row), no copy per row.
        return [row._mapping for row in self.connection.execute(query).fetchall()]

    def issuances(
        self, filters: IssuanceFilter, before: int | None, limit: int
    ) -> list[RowMapping]:
        # Issuances are few beside the moves: found through the decision lines they
        # issued (a small table), not by scanning every transaction for their kind.
        lines = select(_L.issued_tx).where(_L.issued_tx.is_not(None))
        if filters.registry is not None:
            lines = lines.where(_L.registry == filters.registry)
        if filters.project is not None or filters.country is not None:
            lines = lines.join(t.decisions, _D.id == _L.decision_id)
        if filters.project is not None:
            lines = lines.where(_D.project_id == filters.project)
        if filters.country is not None:
            lines = lines.join(t.projects, t.projects.c.id == _D.project_id).where(
                t.projects.c.partner == filters.country
            )
        query: Select[Any] = select(_TX.id, _TX.registry, _TX.quantity, _TX.created_at).where(
            _TX.id.in_(lines), _TX.kind == "issuance"
        )
        query = _in_year(query, filters.year)
        return self._rows(_page(query, before, limit))

    def retirements(
        self, filters: RetirementFilter, before: int | None, limit: int
    ) -> list[RowMapping]:
        return self._rows(_retirements(filters, before, limit, _TX.created_at))

    def retirement_export(
        self, filters: RetirementFilter, before: int | None, limit: int
    ) -> Sequence[Sequence[Any]]:
        # Positional rows (RETIREMENT_EXPORT_FIELDS) and the day as text: no timestamp
        # parsed and no mapping per row on the export's 10^5 rows.
        day = _day_text(self.connection, _TX.created_at)
        return self.connection.execute(_retirements(filters, before, limit, day)).fetchall()

    def ranges_of(self, transactions: Sequence[int]) -> list[RowMapping]:
        if not transactions:
            return []
        title = _CYCLE.body["title"].as_string()
        query = (
            select(
                _R.transaction_id,
                _R.decision_id,
                _R.serial_start,
                _R.serial_end,
                _D.project_id,
                _D.vintage,
                _D.period_seq,
                _D.period_start,
                _D.period_end,
                _D.reference,
                t.projects.c.partner,
                _L.registry.label("origin"),
                title.label("title"),
            )
            .join(t.decisions, _D.id == _R.decision_id)
            .join(t.projects, t.projects.c.id == _D.project_id)
            # Each allocation line holds one registry's contiguous serials: the line
            # holding a range's first serial names the registry that issued it.
            .join(
                t.decision_lines,
                and_(
                    _L.decision_id == _R.decision_id,
                    _L.serial_start <= _R.serial_start,
                    _L.serial_end >= _R.serial_start,
                ),
            )
            .outerjoin(
                t.cycle_aggregates,
                and_(_CYCLE.kind == "project", _CYCLE.key == _D.project_id),
            )
            .where(_R.transaction_id.in_(list(transactions)))
            .order_by(_R.transaction_id, _R.id)
        )
        return self._rows(query)

    def article6_of(self, transactions: Sequence[int]) -> list[RowMapping]:
        if not transactions:
            return []
        quantity = func.sum(_B.serial_end - _B.serial_start + 1).label("quantity")
        blocks = (
            select(
                _R.transaction_id,
                _B.authorised_uses,
                _B.first_transferred,
                _B.ca_status,
                quantity,
            )
            .join(
                t.unit_blocks,
                and_(
                    _B.decision_id == _R.decision_id,
                    _B.serial_start >= _R.serial_start,
                    _B.serial_start <= _R.serial_end,
                ),
            )
            .where(_R.transaction_id.in_(list(transactions)))
            # An issuance's units may since have split into thousands of blocks: summed
            # here, a handful of attribute sets per transaction reach Python.
            .group_by(_R.transaction_id, _B.authorised_uses, _B.first_transferred, _B.ca_status)
        )
        return self._rows(blocks)

    def blocks_in(
        self, decision_id: int, origin: str, start: int, end: int, limit: int
    ) -> list[RowMapping]:
        # The block holding `start` begins at or before it; the others begin inside.
        first = (
            select(_B.id)
            .where(_B.decision_id == decision_id, _B.serial_start <= start)
            .order_by(_B.serial_start.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            select(
                _B.serial_start,
                _B.serial_end,
                _B.registry,
                _B.account_id,
                _B.origin_registry,
                _B.authorised_uses,
                _B.first_transferred,
                _B.ca_status,
                _A.type.label("account_type"),
                _A.status.label("account_status"),
            )
            .join(t.accounts, _A.id == _B.account_id)
            .where(
                or_(
                    _B.id == first,
                    and_(
                        _B.decision_id == decision_id,
                        _B.serial_start > start,
                        _B.serial_start <= end,
                    ),
                ),
                _B.origin_registry == origin,
                _B.serial_end >= start,
            )
            .order_by(_B.serial_start)
            .limit(limit)
        )
        return self._rows(query)

    def touching(self, decision_id: int, start: int, end: int, limit: int) -> list[RowMapping]:
        query = (
            select(
                _R.transaction_id,
                _R.serial_start,
                _R.serial_end,
                _TX.kind,
                _TX.registry,
                _TX.source,
                _TX.destination,
                _TX.created_at,
            )
            .join(t.transactions, _TX.id == _R.transaction_id)
            .where(_R.decision_id == decision_id, _R.serial_start <= end, _R.serial_end >= start)
            .order_by(_R.transaction_id, _R.serial_start)
            .limit(limit)
        )
        return self._rows(query)
