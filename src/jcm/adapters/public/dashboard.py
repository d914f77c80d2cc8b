"""SQL of the dashboard views, and the partner countries' signing dates from the packaged
reference list.

The partner list is read here with a small reader of its own (``read_partner_signings``):
a shared reference-data adapter may replace it later.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from importlib.resources import files
from io import StringIO
from typing import Any

from sqlalchemy import ColumnElement, Connection, extract, func, select

from jcm.adapters import schema as t
from jcm.domain.cycle.project import REGISTERED_STATES
from jcm.domain.programme.figures import Flow, PartnerSigning
from jcm.service_layer.public.dashboard_ports import CreditFlowRow, CycleProjectRow, PortfolioRow

_REGISTERED = frozenset(s.value for s in REGISTERED_STATES)


class SqlDashboardQueries:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def credit_flows(self) -> list[CreditFlowRow]:
        """Issued, cancelled and retired credits per project and month: summed over the
        transactions' serial ranges, so a cancellation spanning two projects counts for each."""
        tx, tr, d, p = t.transactions.c, t.transaction_ranges.c, t.decisions.c, t.projects.c
        local = self._japan_time(tx.created_at)
        year, month = extract("year", local), extract("month", local)
        quantity = func.sum(tr.serial_end - tr.serial_start + 1)
        query = (
            select(tx.kind, d.project_id, p.partner, year, month, quantity)
            .select_from(
                t.transactions.join(t.transaction_ranges, tr.transaction_id == tx.id)
                .join(t.decisions, d.id == tr.decision_id)
                .join(t.projects, p.id == d.project_id)
            )
            .where(tx.kind.in_([f.value for f in Flow]))
            .group_by(tx.kind, d.project_id, p.partner, year, month)
        )
        return [
            CreditFlowRow(Flow(kind), project, partner, int(y), int(m), int(q))
            for kind, project, partner, y, m, q in self.connection.execute(query)
        ]

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
