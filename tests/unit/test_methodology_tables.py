"""Default tables: sources, confirmation flags, and the patterns the research confirms."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from jcm.domain.methodologies import Confirmation, all
from jcm.domain.methodologies.tables import (
    AC_BANDS,
    CAPTIVE_EF,
    CHILLER_BANDS,
    GRID_EF,
    band_of,
)

INDONESIA_CASE_1 = {
    "jamali": "0.619",
    "sumatra": "0.458",
    "nias": "0.533",
    "siberut": "0.529",
    "batam": "0.499",
    "bengkalis": "0.545",
    "bangka_belitung": "0.628",
    "barito": "0.653",
    "khatulistiwa": "0.549",
    "mahakam_tarakan": "0.534",
    "sulutgo": "0.274",
    "sulselbar": "0.243",
}


def test_the_indonesian_case_1_factors_are_the_research_table() -> None:
    found = {
        grid: str(entry.value)
        for (country, grid, case), entry in GRID_EF.entries.items()
        if country == "ID" and case == "1"
    }

    assert found == INDONESIA_CASE_1


def test_indonesian_case_2_is_the_case_1_factor_capped_at_0_533() -> None:
    # jcm_rules §3.2 [C:M15]: Case 2 = min(Case-1 grid EF, 0.533) on every listed grid.
    for grid, case1 in INDONESIA_CASE_1.items():
        case2 = GRID_EF.entries["ID", grid, "2"].value
        assert case2 == min(Decimal(case1), Decimal("0.533")), grid


def test_every_indonesian_grid_factor_is_confirmed_and_no_other_is() -> None:
    for (country, _, _), entry in GRID_EF.entries.items():
        confirmed = entry.confirmation is Confirmation.CONFIRMED
        assert confirmed == (country == "ID")
        assert not (confirmed and entry.placeholder)
        assert entry.source


def test_the_captive_diesel_factor_is_the_derivation_in_the_research() -> None:
    # 0.0726 tCO2/GJ × 3.6 GJ/MWh ÷ 0.49 = 0.26136 ÷ 0.49 = 0.533387… → 0.533 (3 places)
    derived = Decimal("0.0726") * Decimal("3.6") / Decimal("0.49")

    assert derived.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN) == Decimal("0.533")
    assert CAPTIVE_EF.entries["diesel",].value == Decimal("0.533")
    assert CAPTIVE_EF.entries["diesel",].confirmation is Confirmation.INFERRED


def test_no_placeholder_claims_to_be_confirmed() -> None:
    tables = {table.id: table for m in all() for table in m.tables.values()}
    for table in tables.values():
        for key, entry in table.entries.items():
            assert entry.source, (table.id, key)
            if entry.placeholder:
                assert entry.confirmation is Confirmation.INFERRED, (table.id, key)
                assert "PLACEHOLDER" in entry.source, (table.id, key)


@pytest.mark.parametrize(
    ("bands", "value", "label"),
    [
        (CHILLER_BANDS, Decimal(0), "<300"),
        (CHILLER_BANDS, Decimal("299.999"), "<300"),
        (CHILLER_BANDS, Decimal(300), "300-<450"),
        (CHILLER_BANDS, Decimal(1000), "1000-<1500"),
        (CHILLER_BANDS, Decimal(9999), ">=1500"),
        (AC_BANDS, Decimal("3.99"), "<4"),
        (AC_BANDS, Decimal(20), ">=20"),
        (CHILLER_BANDS, Decimal(-1), "none"),
    ],
)
def test_a_capacity_falls_in_exactly_one_band(
    bands: tuple[tuple[str, Decimal, Decimal | None], ...], value: Decimal, label: str
) -> None:
    assert band_of(bands, value) == label
