"""SQL of the project views: one list over the funded portfolio and the JCM cycle.

The list unites the funded projects (with the state and methodology of the cycle project
each is linked to, if any) and the cycle projects that no funded project stands for, as one
subquery with the same columns on both sides; filters, counting and paging apply to it, so
the database does the work whatever the size (no project is read that the page does not show).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Subquery

from jcm.adapters import schema as t
from jcm.adapters.cycle_store import PROJECT
from jcm.domain.portfolio.sectors import Sector
from jcm.domain.registry.serials import SerialRange
from jcm.service_layer.public.project_results import (
    CountryTotals,
    IssuanceLine,
    ProjectFilter,
    ProjectRow,
)

_P = t.portfolio_projects.c
_A = t.cycle_aggregates.c


def _methodology(body: Any) -> Any:
    return body["methodology"]["id"].as_string()


def _sector_of_scope(body: Any) -> Any:
    scope = body["sectoral_scope"].as_integer()
    return case(*((scope == s.scope, literal(s.value)) for s in Sector), else_=null())


def _issued() -> Subquery:
    """Credits issued per project (both sides): decision lines whose issuance happened."""
    d, lines = t.decisions.c, t.decision_lines.c
    return (
        select(d.project_id.label("project_id"), func.sum(lines.quantity).label("issued"))
        .select_from(t.decisions.join(t.decision_lines, lines.decision_id == d.id))
        .where(lines.issued_tx.is_not(None))
        .group_by(d.project_id)
        .subquery("issued")
    )


def _union() -> Subquery:
    linked = t.cycle_aggregates.alias("linked")
    funded = select(
        _P.id.label("id"),
        literal("funded").label("kind"),
        _P.country.label("country"),
        _P.title_ja.label("title_ja"),
        _P.title_en.label("title_en"),
        cast(_P.sector, String(80)).label("sector"),
        cast(_P.technology, String(40)).label("technology"),
        _methodology(linked.c.body).label("methodology"),
        func.coalesce(linked.c.state, _P.state).label("state"),
        _P.capacity_mw.label("capacity_mw"),
        cast(_P.support_scheme, String(40)).label("support_scheme"),
        _P.cycle_project_id.label("cycle_project_id"),
        linked.c.body["registered_on"].as_string().label("registered_on"),
        _P.seq.label("seq"),
    ).select_from(
        t.portfolio_projects.outerjoin(
            linked, and_(linked.c.kind == PROJECT, linked.c.key == _P.cycle_project_id)
        )
    )
    stood_for = select(_P.cycle_project_id).where(_P.cycle_project_id.is_not(None))
    cycle = select(
        _A.key.label("id"),
        literal("cycle").label("kind"),
        func.substr(_A.key, 1, 2).label("country"),
        _A.body["title"].as_string().label("title_ja"),
        _A.body["title"].as_string().label("title_en"),
        _sector_of_scope(_A.body).label("sector"),
        cast(null(), String(40)).label("technology"),
        _methodology(_A.body).label("methodology"),
        _A.state.label("state"),
        cast(null(), Numeric(12, 3)).label("capacity_mw"),
        cast(null(), String(40)).label("support_scheme"),
        _A.key.label("cycle_project_id"),
        _A.body["registered_on"].as_string().label("registered_on"),
        cast(literal(0), Integer).label("seq"),
    ).where(_A.kind == PROJECT, _A.key.not_in(stood_for))
    return union_all(funded, cycle).subquery("projects")


def _filtered(projects: Subquery, filters: ProjectFilter) -> list[Any]:
    c = projects.c
    wanted = {
        c.country: filters.country,
        c.sector: filters.sector,
        c.technology: filters.technology,
        c.methodology: filters.methodology,
        c.state: filters.state,
    }
    return [column == value for column, value in wanted.items() if value is not None]


def _order(projects: Subquery, issued: Subquery, sort: str) -> list[Any]:
    """The list's order: the chosen key (``-`` for descending; projects without a value
    last on both databases), then partner, funded before cycle, sequence, id (stable)."""
    c = projects.c
    keys = {
        "capacity": c.capacity_mw,
        "credits": func.coalesce(issued.c.issued, 0),
        "state": c.state,
    }
    first: list[Any] = []
    key = keys.get(sort.removeprefix("-"))
    if key is not None:
        first = [key.is_(None), key.desc() if sort.startswith("-") else key.asc()]
    return [*first, c.country, c.kind.desc(), c.seq, c.id]


def _plain(value: Decimal | None) -> Decimal | None:
    """A capacity without the column's trailing zeros (1.000 → 1, 0.230 → 0.23)."""
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _row(r: Any) -> ProjectRow:
    return ProjectRow(
        id=r.id,
        kind=r.kind,
        country=r.country,
        title_ja=r.title_ja,
        title_en=r.title_en,
        sector=r.sector,
        technology=r.technology,
        methodology=r.methodology,
        state=r.state,
        capacity_mw=_plain(r.capacity_mw),
        support_scheme=r.support_scheme,
        cycle_project_id=r.cycle_project_id,
        registered_on=date.fromisoformat(r.registered_on) if r.registered_on else None,
        credits_issued=int(r.issued or 0),
    )


class SqlProjectQueries:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _select(
        self, filters: ProjectFilter, project_id: str | None = None, sort: str = "country"
    ) -> Any:
        projects = _union()
        # A cycle project that a funded project stands for is found under either id.
        found = (
            []
            if project_id is None
            else [or_(projects.c.id == project_id, projects.c.cycle_project_id == project_id)]
        )
        issued = _issued()
        return (
            select(projects, issued.c.issued)
            .select_from(
                projects.outerjoin(issued, issued.c.project_id == projects.c.cycle_project_id)
            )
            .where(*_filtered(projects, filters), *found)
            .order_by(*_order(projects, issued, sort))
        )

    def list_projects(
        self, filters: ProjectFilter, limit: int, offset: int, sort: str = "country"
    ) -> Sequence[ProjectRow]:
        query = self._select(filters, sort=sort).limit(limit).offset(offset)
        return [_row(r) for r in self.connection.execute(query)]

    def count_projects(self, filters: ProjectFilter) -> int:
        projects = _union()
        query = select(func.count()).select_from(projects).where(*_filtered(projects, filters))
        return int(self.connection.execute(query).scalar_one())

    def project_row(self, project_id: str) -> ProjectRow | None:
        row = self.connection.execute(self._select(ProjectFilter(), project_id)).first()
        return _row(row) if row else None

    def issuance_lines(self, cycle_project_id: str) -> Sequence[IssuanceLine]:
        d, lines, tx = t.decisions.c, t.decision_lines.c, t.transactions.c
        query = (
            select(
                d.id,
                d.vintage,
                d.period_seq,
                d.period_start,
                d.period_end,
                lines.registry,
                lines.quantity,
                lines.serial_start,
                lines.serial_end,
                tx.created_at,
            )
            .select_from(
                t.decisions.join(t.decision_lines, lines.decision_id == d.id).join(
                    t.transactions, tx.id == lines.issued_tx
                )
            )
            .where(d.project_id == cycle_project_id)
            .order_by(d.period_seq, lines.line_no)
        )
        partner = cycle_project_id[:2]
        out = []
        for r in self.connection.execute(query):
            serials = SerialRange(
                r.registry, partner, cycle_project_id, r.vintage, r.period_seq,
                r.serial_start, r.serial_end,
            )  # fmt: skip
            out.append(
                IssuanceLine(
                    r.id,
                    r.vintage,
                    r.period_seq,
                    r.period_start,
                    r.period_end,
                    r.registry,
                    int(r.quantity),
                    serials.format(),
                    r.created_at.date(),
                )
            )
        return out

    def country_totals(self) -> dict[str, CountryTotals]:
        projects = _union()
        issued = _issued()
        query = (
            select(
                projects.c.country,
                func.count().label("projects"),
                func.coalesce(func.sum(issued.c.issued), 0).label("issued"),
            )
            .select_from(
                projects.outerjoin(issued, issued.c.project_id == projects.c.cycle_project_id)
            )
            .group_by(projects.c.country)
        )
        return {
            r.country: CountryTotals(int(r.projects), int(r.issued))
            for r in self.connection.execute(query)
        }

    def methodologies(self) -> list[str]:
        projects = _union()
        query = (
            select(projects.c.methodology)
            .where(projects.c.methodology.is_not(None))
            .distinct()
            .order_by(projects.c.methodology)
        )
        return [str(m) for m in self.connection.execute(query).scalars()]
