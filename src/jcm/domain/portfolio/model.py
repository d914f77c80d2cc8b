"""Partner countries and funded projects as parsed from the seed lists, and their rules.

A row of ``partner_countries.csv`` or ``jcm_funded_projects.csv`` becomes a
:class:`PartnerCountry` or a :class:`FundedProject` only through :func:`country_from_row` and
:func:`project_from_row`: bounded lengths, no control characters, known schemes and
technologies, Decimal capacities. A bad row is refused with ``P8_PORTFOLIO_ROW`` naming the
row and the field, so a file is either imported whole or not at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from jcm.domain.errors import InvalidInput
from jcm.domain.limits import forbidden_character
from jcm.domain.portfolio.sectors import SECTOR_OF, Sector, Technology

_ALPHA2 = re.compile(r"^[A-Z]{2}$")
_PROJECT_ID = re.compile(r"^([A-Z]{2})-F([0-9]{3,4})$")
MAX_SEQ = 9999
MAX_CAPACITY = Decimal("1000000")  # MW or MWh; far above any single plant
TITLE_LENGTH = 300  # the columns of portfolio_projects
NAME_LENGTH = 100
NOTE_LENGTH = 300


class SupportScheme(StrEnum):
    """How MOEJ funds the project (the seed list merges ADB's and UNIDO's funds)."""

    EQUIPMENT_SUBSIDY = "equipment_subsidy"
    ADB_OR_UNIDO = "adb_or_unido"
    F_GAS = "f_gas"
    REDD_PLUS = "redd_plus"
    NEW_TECHNOLOGY = "new_technology"


class PortfolioState(StrEnum):
    """Where a funded project stands. ``operating`` exists although the seed data cannot
    give it (see :func:`seed_state`)."""

    FUNDED = "funded"
    OPERATING = "operating"
    REGISTERED = "registered"


def seed_state(registered_marks: int) -> PortfolioState:
    """A project's state as the seed list gives it: registered when the slide marks it JCM
    registered (※, ``jcm_registered_marks`` > 0), otherwise funded.

    The slide also showed which projects are operating (181 of them), by underlining; the
    underlining was lost in the plain text (``shared/data/facts.md`` §3), so no project can
    be imported as ``operating``. The state stays available for data that says so.
    """
    return PortfolioState.REGISTERED if registered_marks > 0 else PortfolioState.FUNDED


def project_id(country: str, seq: int) -> str:
    """The stable id of a funded project: partner, ``F`` for funded, its sequence in that
    country's list (``KE-F001``); never reused, distinct from cycle ids (``KE001``)."""
    return f"{country}-F{seq:03d}"


def parse_project_id(text: str) -> tuple[str, int] | None:
    match = _PROJECT_ID.match(text)
    return (match.group(1), int(match.group(2))) if match else None


@dataclass(frozen=True)
class PartnerCountry:
    order: int
    code: str  # ISO 3166-1 alpha-2
    name_ja: str
    name_en: str
    region_ja: str
    signed_on: date | None  # not in the seeds for the countries after the 17th
    signed_place_ja: str
    note: str = ""


@dataclass(frozen=True)
class FundedProject:
    country: str
    seq: int
    title_ja: str
    title_en: str
    support_scheme: SupportScheme
    eco_lease: bool
    registered_marks: int
    technology: Technology
    capacity_mw: Decimal | None
    storage_mwh: Decimal | None
    note: str
    state: PortfolioState

    @property
    def id(self) -> str:
        return project_id(self.country, self.seq)

    @property
    def sector(self) -> Sector:
        return SECTOR_OF[self.technology]


def _bad(row: int, field: str, problem: str) -> InvalidInput:
    return InvalidInput("P8_PORTFOLIO_ROW", f"Row {row}: {field} {problem}.", row=row, field=field)


def _text(row: int, data: Mapping[str, str], field: str, limit: int, required: bool) -> str:
    value = (data.get(field) or "").strip()
    if required and not value:
        raise _bad(row, field, "is empty")
    if len(value) > limit:
        raise _bad(row, field, f"is longer than {limit} characters")
    if forbidden_character(value) is not None:
        raise _bad(row, field, "holds a control or direction character")
    return value


def _int(row: int, data: Mapping[str, str], field: str, low: int, high: int) -> int:
    text = (data.get(field) or "").strip()
    if not text.isdigit() or len(text) > 6 or not low <= int(text) <= high:
        raise _bad(row, field, f"is not a whole number from {low} to {high}")
    return int(text)


def _decimal(row: int, data: Mapping[str, str], field: str) -> Decimal | None:
    text = (data.get(field) or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text) if len(text) <= 20 else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 < value < MAX_CAPACITY:
        raise _bad(row, field, f"is not a positive number below {MAX_CAPACITY}")
    if value != value.quantize(Decimal("0.001")):
        raise _bad(row, field, "has more than three decimals")
    return value


E = TypeVar("E", bound=StrEnum)


def _choice(row: int, data: Mapping[str, str], field: str, kind: type[E]) -> E:
    text = (data.get(field) or "").strip()
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise _bad(row, field, f"{text[:40]!r} is not one of {allowed}") from None


def _alpha2(row: int, data: Mapping[str, str], field: str) -> str:
    code = (data.get(field) or "").strip()
    if not _ALPHA2.match(code):
        raise _bad(row, field, "is not an ISO 3166-1 alpha-2 code")
    return code


def project_from_row(row: int, data: Mapping[str, str]) -> FundedProject:
    """A funded project from a row of the seed list (``row``: its line, for refusals)."""
    eco = (data.get("eco_lease") or "").strip()
    if eco not in ("yes", "no"):
        raise _bad(row, "eco_lease", "is neither yes nor no")
    marks = _int(row, data, "jcm_registered_marks", 0, 9)
    return FundedProject(
        country=_alpha2(row, data, "country_iso2"),
        seq=_int(row, data, "seq", 1, MAX_SEQ),
        title_ja=_text(row, data, "title_ja", TITLE_LENGTH, True),
        title_en=_text(row, data, "title_en", TITLE_LENGTH, True),
        support_scheme=_choice(row, data, "support_scheme", SupportScheme),
        eco_lease=eco == "yes",
        registered_marks=marks,
        technology=_choice(row, data, "technology_category", Technology),
        capacity_mw=_decimal(row, data, "capacity_mw"),
        storage_mwh=_decimal(row, data, "storage_mwh"),
        note=_text(row, data, "note", NOTE_LENGTH, False),
        state=seed_state(marks),
    )


def country_from_row(row: int, data: Mapping[str, str]) -> PartnerCountry:
    """A partner country from a row of the seed list of partners."""
    signed = (data.get("signed_on") or "").strip()
    try:
        signed_on = date.fromisoformat(signed) if signed else None
    except ValueError:
        raise _bad(row, "signed_on", "is not a date (YYYY-MM-DD)") from None
    return PartnerCountry(
        order=_int(row, data, "order", 1, 999),
        code=_alpha2(row, data, "iso3166_alpha2"),
        name_ja=_text(row, data, "name_ja", NAME_LENGTH, True),
        name_en=_text(row, data, "name_en", NAME_LENGTH, True),
        region_ja=_text(row, data, "region_ja", NAME_LENGTH, False),
        signed_on=signed_on,
        signed_place_ja=_text(row, data, "signed_place_ja", NAME_LENGTH, False),
        note=_text(row, data, "note", NOTE_LENGTH, False),
    )


def check_portfolio(projects: list[FundedProject], countries: list[PartnerCountry]) -> None:
    """The lists fit together: one row per country and per project id, every project in a
    partner country."""
    codes = [c.code for c in countries]
    if len(set(codes)) != len(codes):
        twice = sorted(c for c, n in Counter(codes).items() if n > 1)
        raise InvalidInput(
            "P8_PORTFOLIO_ROW", f"Partner countries listed twice: {', '.join(twice)}.",
            field="iso3166_alpha2",
        )  # fmt: skip
    ids = [p.id for p in projects]
    if len(set(ids)) != len(ids):
        twice = sorted(i for i, n in Counter(ids).items() if n > 1)
        raise InvalidInput(
            "P8_PORTFOLIO_ROW", f"Funded projects listed twice: {', '.join(twice[:10])}.",
            field="seq",
        )  # fmt: skip
    strangers = sorted({p.country for p in projects} - set(codes))
    if strangers:
        raise InvalidInput(
            "P8_PORTFOLIO_COUNTRY",
            f"Funded projects in countries that are not partners: {', '.join(strangers)}.",
            countries=strangers,
        )
