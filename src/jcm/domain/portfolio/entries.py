"""The portfolio's log entries: each imported funded project and partner country is one
change of the registry's state, recorded in the transparency log like any other.

``portfolio_project_imported`` carries the whole project (and the cycle project it is
linked to, if any), ``portfolio_project_linked`` a link made after the import, and
``partner_country_recorded`` the whole country. Replay (the log's verification) rebuilds the
``portfolio_projects`` and ``partner_countries`` rows from them alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from jcm.domain.portfolio.model import (
    FundedProject,
    PartnerCountry,
    PortfolioState,
    SupportScheme,
)
from jcm.domain.portfolio.sectors import Technology

PROJECT_IMPORTED = "portfolio_project_imported"
PROJECT_LINKED = "portfolio_project_linked"
COUNTRY_RECORDED = "partner_country_recorded"
KINDS = frozenset({PROJECT_IMPORTED, PROJECT_LINKED, COUNTRY_RECORDED})


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def project_change(p: FundedProject, cycle_project_id: str | None) -> dict[str, Any]:
    return {
        "project": p.id,
        "country": p.country,
        "seq": p.seq,
        "title_ja": p.title_ja,
        "title_en": p.title_en,
        "support_scheme": p.support_scheme.value,
        "eco_lease": p.eco_lease,
        "registered_marks": p.registered_marks,
        "technology": p.technology.value,
        "sector": p.sector.value,
        "capacity_mw": _decimal_text(p.capacity_mw),
        "storage_mwh": _decimal_text(p.storage_mwh),
        "state": p.state.value,
        "cycle_project": cycle_project_id,
        "note": p.note,
    }


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def project_of_change(change: dict[str, Any]) -> tuple[FundedProject, str | None]:
    """The project a change records and its cycle link (KeyError/ValueError if malformed)."""
    project = FundedProject(
        country=change["country"],
        seq=int(change["seq"]),
        title_ja=change["title_ja"],
        title_en=change["title_en"],
        support_scheme=SupportScheme(change["support_scheme"]),
        eco_lease=bool(change["eco_lease"]),
        registered_marks=int(change["registered_marks"]),
        technology=Technology(change["technology"]),
        capacity_mw=_decimal(change["capacity_mw"]),
        storage_mwh=_decimal(change["storage_mwh"]),
        note=change["note"],
        state=PortfolioState(change["state"]),
    )
    if project.id != change["project"] or project.sector.value != change["sector"]:
        raise ValueError(f"{change['project']}: the id or sector does not follow from the row")
    return project, change["cycle_project"]


def country_change(c: PartnerCountry) -> dict[str, Any]:
    return {
        "country": c.code,
        "order": c.order,
        "name_ja": c.name_ja,
        "name_en": c.name_en,
        "region_ja": c.region_ja,
        "signed_on": c.signed_on.isoformat() if c.signed_on else None,
        "signed_place_ja": c.signed_place_ja,
        "note": c.note,
    }


def country_of_change(change: dict[str, Any]) -> PartnerCountry:
    signed = change["signed_on"]
    return PartnerCountry(
        order=int(change["order"]),
        code=change["country"],
        name_ja=change["name_ja"],
        name_en=change["name_en"],
        region_ja=change["region_ja"],
        signed_on=date.fromisoformat(signed) if signed else None,
        signed_place_ja=change["signed_place_ja"],
        note=change["note"],
    )
