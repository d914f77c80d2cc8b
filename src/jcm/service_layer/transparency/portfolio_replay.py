"""Replaying the funded portfolio and the partner countries from their log entries, and
comparing the rebuilt rows with ``portfolio_projects`` and ``partner_countries``.

Each row is rebuilt column by column from its entry alone (the entry's time is the row's
``imported_at``); a link made later sets the row's cycle project once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jcm.domain.portfolio import entries
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import Divergence, TableSpec, compare_table

PROJECTS = TableSpec("portfolio_projects", ("id",), lambda k: f"funded project {k}")
COUNTRIES = TableSpec("partner_countries", ("code",), lambda k: f"partner country {k}")


@dataclass
class PortfolioReplay:
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def handles(kind: Any) -> bool:
        return kind in entries.KINDS

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """Raise ValueError (or KeyError) when the entry cannot be applied."""
        if kind == entries.COUNTRY_RECORDED:
            self._country(index, change, now)
        elif kind == entries.PROJECT_IMPORTED:
            self._project(index, change, now)
        else:
            self._link(index, change)

    def _country(self, index: int, change: dict[str, Any], now: datetime) -> None:
        country = entries.country_of_change(change)
        if country.code in self.countries:
            raise ValueError(f"partner country {country.code} is recorded twice")
        self.countries[country.code] = {
            "position": country.order,
            "name_ja": country.name_ja,
            "name_en": country.name_en,
            "region_ja": country.region_ja,
            "signed_on": country.signed_on,
            "signed_place_ja": country.signed_place_ja,
            "note": country.note,
            "imported_at": now,
        }
        self.touched[f"partner country {country.code}"] = index

    def _project(self, index: int, change: dict[str, Any], now: datetime) -> None:
        project, cycle_id = entries.project_of_change(change)
        if project.id in self.projects:
            raise ValueError(f"funded project {project.id} is imported twice")
        if project.country not in self.countries:
            raise ValueError(f"funded project {project.id} is in no recorded partner country")
        self.projects[project.id] = {
            "country": project.country,
            "seq": project.seq,
            "title_ja": project.title_ja,
            "title_en": project.title_en,
            "support_scheme": project.support_scheme.value,
            "eco_lease": project.eco_lease,
            "registered_marks": project.registered_marks,
            "technology": project.technology.value,
            "sector": project.sector.value,
            "capacity_mw": project.capacity_mw,
            "storage_mwh": project.storage_mwh,
            "state": project.state.value,
            "cycle_project_id": cycle_id,
            "note": project.note,
            "imported_at": now,
        }
        self.touched[f"funded project {project.id}"] = index

    def _link(self, index: int, change: dict[str, Any]) -> None:
        row = self.projects[change["project"]]
        if row["cycle_project_id"] is not None:
            raise ValueError(f"funded project {change['project']} is linked twice")
        row["cycle_project_id"] = change["cycle_project"]
        self.touched[f"funded project {change['project']}"] = index


def _touched(state: PortfolioReplay, prefix: str) -> Callable[[Any], int | None]:
    return lambda key: state.touched.get(f"{prefix} {key}")


def compare_portfolio(state: PortfolioReplay, ledger: RowSource) -> Divergence | None:
    """The first stored country or funded project that differs from the replayed one."""
    for spec, expected, prefix in (
        (COUNTRIES, state.countries, "partner country"),
        (PROJECTS, state.projects, "funded project"),
    ):
        touched = _touched(state, prefix)
        problem = compare_table(spec, expected, ledger.rows(spec.table), touched)
        if problem is not None:
            return problem
    return None
