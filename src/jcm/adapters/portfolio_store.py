"""The funded portfolio (pipeline projects) and the partner countries in SQL.

Rows are only inserted (an import never overwrites); a link to the cycle project may be set
once, later, as its own logged change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from jcm.adapters import schema as t
from jcm.domain.portfolio.model import (
    FundedProject,
    PartnerCountry,
    PortfolioState,
    SupportScheme,
)
from jcm.domain.portfolio.sectors import Technology
from jcm.service_layer.public.project_ports import StoredFundedProject

_P = t.portfolio_projects.c
_C = t.partner_countries.c


def _project_of(row: Any) -> StoredFundedProject:
    project = FundedProject(
        country=row.country,
        seq=row.seq,
        title_ja=row.title_ja,
        title_en=row.title_en,
        support_scheme=SupportScheme(row.support_scheme),
        eco_lease=bool(row.eco_lease),
        registered_marks=row.registered_marks,
        technology=Technology(row.technology),
        capacity_mw=row.capacity_mw,
        storage_mwh=row.storage_mwh,
        note=row.note,
        state=PortfolioState(row.state),
    )
    return StoredFundedProject(project, row.cycle_project_id, row.imported_at)


def _country_of(row: Any) -> PartnerCountry:
    return PartnerCountry(
        order=row.position,
        code=row.code,
        name_ja=row.name_ja,
        name_en=row.name_en,
        region_ja=row.region_ja,
        signed_on=row.signed_on,
        signed_place_ja=row.signed_place_ja,
        note=row.note,
    )


class SqlPortfolioStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- funded projects ----------------------------------------------------------------------
    def get_project(self, project_id: str) -> StoredFundedProject | None:
        row = self.connection.execute(
            select(t.portfolio_projects).where(_P.id == project_id)
        ).first()
        return _project_of(row) if row else None

    def list_projects(self) -> list[StoredFundedProject]:
        rows = self.connection.execute(select(t.portfolio_projects).order_by(_P.country, _P.seq))
        return [_project_of(r) for r in rows]

    def add_project(
        self, project: FundedProject, cycle_project_id: str | None, now: datetime
    ) -> None:
        self.connection.execute(
            insert(t.portfolio_projects).values(
                id=project.id,
                country=project.country,
                seq=project.seq,
                title_ja=project.title_ja,
                title_en=project.title_en,
                support_scheme=project.support_scheme.value,
                eco_lease=project.eco_lease,
                registered_marks=project.registered_marks,
                technology=project.technology.value,
                sector=project.sector.value,
                capacity_mw=project.capacity_mw,
                storage_mwh=project.storage_mwh,
                state=project.state.value,
                cycle_project_id=cycle_project_id,
                note=project.note,
                imported_at=now,
            )
        )

    def link_project(self, project_id: str, cycle_project_id: str) -> None:
        self.connection.execute(
            update(t.portfolio_projects)
            .where(_P.id == project_id, _P.cycle_project_id.is_(None))
            .values(cycle_project_id=cycle_project_id)
        )

    # -- partner countries --------------------------------------------------------------------
    def get_country(self, code: str) -> PartnerCountry | None:
        row = self.connection.execute(select(t.partner_countries).where(_C.code == code)).first()
        return _country_of(row) if row else None

    def list_countries(self) -> list[PartnerCountry]:
        rows = self.connection.execute(select(t.partner_countries).order_by(_C.position, _C.code))
        return [_country_of(r) for r in rows]

    def add_country(self, country: PartnerCountry, now: datetime) -> None:
        self.connection.execute(
            insert(t.partner_countries).values(
                code=country.code,
                position=country.order,
                name_ja=country.name_ja,
                name_en=country.name_en,
                region_ja=country.region_ja,
                signed_on=country.signed_on,
                signed_place_ja=country.signed_place_ja,
                note=country.note,
                imported_at=now,
            )
        )
