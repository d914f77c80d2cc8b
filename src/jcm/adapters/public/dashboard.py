"""SQL of the dashboard views, and the partner countries' signing dates from the packaged
reference list.

The partner list is read here with a small reader of its own (``read_partner_signings``):
a shared reference-data adapter may replace it later.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from datetime import date
from functools import cache
from importlib.resources import files
from io import StringIO
from typing import Any

from sqlalchemy import ColumnElement, Connection, extract, func, select

from jcm.adapters import schema as t
from jcm.domain.cycle.project import REGISTERED_STATES
from jcm.domain.programme.figures import Flow, PartnerSigning
from jcm.service_layer.public.dashboard_ports import (
    CreditFlowRow,
    CycleProjectRow,
    PortfolioRow,
    Watermark,
)

_REGISTERED = frozenset(s.value for s in REGISTERED_STATES)


class SqlDashboardQueries:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def watermark(self) -> Watermark:
        pp = t.portfolio_projects.c
        size = self.connection.execute(select(t.log_state.c.size)).scalar()
        last = self.connection.execute(select(func.max(t.events.c.seq))).scalar()
        signature = self.connection.execute(
            select(func.count(), func.max(pp.imported_at), func.count(pp.cycle_project_id))
        ).one()
        return Watermark(int(size or 0), int(last or 0), tuple(signature))

    def credit_flows(self, logged: tuple[int, int] | None) -> list[CreditFlowRow]:
        """Issued, cancelled and retired credits per decision and month: summed over the
        transactions' serial ranges, so a cancellation spanning two decisions counts for
        each. ``logged`` picks transactions by their log entries' positions."""
        tx, tr, e = t.transactions.c, t.transaction_ranges.c, t.events.c
        local = self._japan_time(tx.created_at)
        year, month = extract("year", local), extract("month", local)
        quantity = func.sum(tr.serial_end - tr.serial_start + 1)
        source = t.transactions.join(t.transaction_ranges, tr.transaction_id == tx.id)
        query = select(tx.kind, tr.decision_id, year, month, quantity)
        if logged is not None:
            source = t.events.join(source, tx.id == e.transaction_id)
            query = query.where(e.log_index >= logged[0], e.log_index < logged[1])
        query = (
            query.select_from(source)
            .where(tx.kind.in_([f.value for f in Flow]))
            .group_by(tx.kind, tr.decision_id, year, month)
        )
        return [
            CreditFlowRow(Flow(kind), int(decision), int(y), int(m), int(q))
            for kind, decision, y, m, q in self.connection.execute(query)
        ]

    def decision_projects(self, decisions: Collection[int]) -> dict[int, tuple[str, str]]:
        d, p = t.decisions.c, t.projects.c
        out: dict[int, tuple[str, str]] = {}
        wanted = sorted(decisions)
        for start in range(0, len(wanted), 500):  # bounded IN lists
            query = (
                select(d.id, d.project_id, p.partner)
                .join(t.projects, p.id == d.project_id)
                .where(d.id.in_(wanted[start : start + 500]))
            )
            out.update(
                {
                    int(i): (project, partner)
                    for i, project, partner in self.connection.execute(query)
                }
            )
        return out

    def cycle_projects(self) -> list[CycleProjectRow]:
        a = t.cycle_aggregates.c
        # Only the scope is read out of each project's JSON document (not the whole history).
        scope = a.body["sectoral_scope"].as_integer()
        query = select(a.key, a.state, scope).where(a.kind == "project").order_by(a.key)
        return [
            CycleProjectRow(key, state in _REGISTERED, scope)
            for key, state, scope in self.connection.execute(query)
        ]

    def portfolio(self) -> list[PortfolioRow]:
        pp = t.portfolio_projects.c
        query = select(pp.id, pp.state, pp.sector, pp.cycle_project_id).order_by(pp.id)
        return [PortfolioRow(*row) for row in self.connection.execute(query)]

    def partner_signings(self) -> list[PartnerSigning]:
        return list(read_partner_signings())

    def _japan_time(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        # Fiscal years are Japan's: a credit retired at 20:00 UTC on 31 March belongs to the
        # next fiscal year. PostgreSQL converts the timestamptz; SQLite stores UTC text.
        if self.connection.dialect.name == "postgresql":
            return func.timezone("Asia/Tokyo", column)
        return func.datetime(column, "+9 hours")


@cache
def read_partner_signings() -> tuple[PartnerSigning, ...]:
    """The 29 partner countries in signing order (``jcm/data/partner_countries.csv``); a
    blank ``signed_on`` means no source gives the date."""
    text = files("jcm.data").joinpath("partner_countries.csv").read_text(encoding="utf-8")
    return tuple(
        PartnerSigning(
            int(row["order"]),
            row["iso3166_alpha2"],
            date.fromisoformat(row["signed_on"]) if row["signed_on"] else None,
        )
        for row in csv.DictReader(StringIO(text))
    )
