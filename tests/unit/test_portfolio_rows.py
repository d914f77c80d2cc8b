"""The funded portfolio's rows: what a seed-list row must hold, and the state it starts in."""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.portfolio.entries import (
    country_change,
    country_of_change,
    project_change,
    project_of_change,
)
from jcm.domain.portfolio.model import (
    PortfolioState,
    SupportScheme,
    check_portfolio,
    country_from_row,
    parse_project_id,
    project_from_row,
    project_id,
    seed_state,
)
from jcm.domain.portfolio.sectors import SECTOR_OF, Sector, Technology, sector_of_scope

ROW = {
    "country_ja": "ケニア",
    "country_iso2": "KE",
    "seq": "1",
    "title_ja": "工場1MW太陽光発電",
    "title_en": "1 MW solar PV at factory",
    "support_scheme": "equipment_subsidy",
    "eco_lease": "no",
    "jcm_registered_marks": "1",
    "technology_category": "solar_pv",
    "capacity_mw": "1",
    "storage_mwh": "",
    "note": "",
}
COUNTRY = {
    "order": "4",
    "name_ja": "ケニア",
    "name_en": "Kenya",
    "iso3166_alpha2": "KE",
    "region_ja": "アフリカ",
    "signed_on": "2013-06-12",
    "signed_place_ja": "ナイロビ",
    "note": "",
}


def packaged(name: str) -> list[dict[str, str]]:
    text = resources.files("jcm.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_a_good_row_becomes_a_funded_project_with_decimal_capacity_and_a_stable_id() -> None:
    project = project_from_row(2, ROW)

    assert project.id == "KE-F001"
    assert project.capacity_mw == Decimal("1")
    assert project.storage_mwh is None
    assert project.support_scheme is SupportScheme.EQUIPMENT_SUBSIDY
    assert project.technology is Technology.SOLAR_PV
    assert project.sector is Sector.ENERGY_INDUSTRIES
    assert project.state is PortfolioState.REGISTERED


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("support_scheme", "grant"),
        ("technology_category", "nuclear"),
        ("eco_lease", "maybe"),
        ("seq", "0"),
        ("seq", "-3"),
        ("seq", "1e3"),
        ("jcm_registered_marks", "x"),
        ("country_iso2", "Kenya"),
        ("title_en", ""),
        ("title_ja", "x" * 301),
        ("title_en", "solar\x1bPV"),
        ("title_en", "solar\u202ePV"),
        ("capacity_mw", "-1"),
        ("capacity_mw", "NaN"),
        ("capacity_mw", "ten"),
        ("capacity_mw", "1.0001"),
        ("storage_mwh", "1e9"),
        ("note", "n" * 301),
    ],
)
def test_a_malformed_row_is_refused_naming_its_row_and_field(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        project_from_row(7, {**ROW, field: value})

    assert refused.value.code == "P8_PORTFOLIO_ROW"
    assert refused.value.details == {"row": 7, "field": field}


def test_a_partner_country_row_keeps_both_names_and_an_optional_signing_date() -> None:
    kenya = country_from_row(5, COUNTRY)
    senegal = country_from_row(19, {**COUNTRY, "iso3166_alpha2": "SN", "signed_on": ""})

    assert (kenya.name_ja, kenya.name_en, kenya.signed_place_ja) == ("ケニア", "Kenya", "ナイロビ")
    assert kenya.signed_on is not None
    assert kenya.signed_on.isoformat() == "2013-06-12"
    assert senegal.signed_on is None
    with pytest.raises(InvalidInput, match="signed_on"):
        country_from_row(5, {**COUNTRY, "signed_on": "12 June 2013"})


def test_the_seed_state_is_registered_when_marked_and_funded_otherwise_never_operating() -> None:
    assert seed_state(1) is PortfolioState.REGISTERED
    assert seed_state(2) is PortfolioState.REGISTERED
    assert seed_state(0) is PortfolioState.FUNDED
    assert PortfolioState.OPERATING not in {seed_state(n) for n in range(10)}


def test_the_packaged_lists_parse_into_252_projects_in_29_partner_countries() -> None:
    projects = [project_from_row(n, r) for n, r in enumerate(packaged("jcm_funded_projects.csv"))]
    countries = [country_from_row(n, r) for n, r in enumerate(packaged("partner_countries.csv"))]

    check_portfolio(projects, countries)
    assert len(projects) == 252
    assert len(countries) == 29
    assert sum(p.state is PortfolioState.REGISTERED for p in projects) == 72  # 74 ※ on 72 items
    assert len({p.country for p in projects}) == 18


def test_a_list_with_a_project_twice_or_outside_the_partners_is_refused() -> None:
    kenya = country_from_row(2, COUNTRY)
    project = project_from_row(2, ROW)
    stranger = project_from_row(3, {**ROW, "country_iso2": "FR"})

    with pytest.raises(InvalidInput, match="twice") as twice:
        check_portfolio([project, project], [kenya])
    with pytest.raises(InvalidInput) as outside:
        check_portfolio([stranger], [kenya])

    assert twice.value.code == "P8_PORTFOLIO_ROW"
    assert outside.value.code == "P8_PORTFOLIO_COUNTRY"


def test_every_technology_has_a_sector_and_every_sector_its_scope_number() -> None:
    assert set(SECTOR_OF) == set(Technology)
    assert [s.scope for s in Sector] == list(range(1, 16))
    assert sector_of_scope(1) is Sector.ENERGY_INDUSTRIES
    assert sector_of_scope(3) is Sector.ENERGY_DEMAND
    assert sector_of_scope(16) is None


def test_project_ids_are_stable_and_read_back() -> None:
    assert project_id("TH", 51) == "TH-F051"
    assert parse_project_id("TH-F051") == ("TH", 51)
    assert parse_project_id("TH051") is None


def test_a_log_change_gives_back_the_same_project_and_country() -> None:
    project = project_from_row(2, {**ROW, "capacity_mw": "0.186", "storage_mwh": "48"})
    country = country_from_row(2, COUNTRY)

    assert project_of_change(project_change(project, "KE001")) == (project, "KE001")
    assert country_of_change(country_change(country)) == country
    tampered = {**project_change(project, None), "sector": "waste"}
    with pytest.raises(ValueError, match="sector"):
        project_of_change(tampered)
