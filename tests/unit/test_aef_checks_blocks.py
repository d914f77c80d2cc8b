"""AEF05–AEF10: the block rules of one report fire on the row and column at fault."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aef_check_support import (
    held,
    japan,
    kenya,
    where,
    with_action,
    with_action_block,
    with_holding_block,
)

from jcm.domain.aef.checks import check_report
from jcm.domain.aef.intervals import RangeIndex, uncovered, union


def test_the_good_reports_of_kenya_and_japan_pass_every_check_of_one_report() -> None:
    assert check_report(kenya()) == []
    assert check_report(japan()) == []


def test_an_action_naming_an_authorisation_missing_from_table_2_is_aef05() -> None:
    failures = check_report(with_action_block(japan(), 2, authorization_id="KE-A9"))

    assert where(failures) == [("AEF05", "JP", 3, 2, "Authorization ID")]
    assert '"KE-A9"' in failures[0].message


def test_a_holding_of_an_authorisation_missing_from_table_2_is_aef05() -> None:
    failures = check_report(replace(japan(), authorizations=()))

    assert where(failures) == [
        ("AEF05", "JP", 3, 1, "Authorization ID"),
        ("AEF05", "JP", 3, 2, "Authorization ID"),
        ("AEF05", "JP", 3, 3, "Authorization ID"),
        ("AEF05", "JP", 3, 4, "Authorization ID"),
        ("AEF05", "JP", 4, 1, "Authorization ID"),
    ]
    assert '"KE-A1"' in failures[-1].message


def test_a_using_entity_missing_from_table_5_is_aef06() -> None:
    failures = check_report(with_action(kenya(), 7, using_entity="KE-ENT-9"))

    assert where(failures) == [("AEF06", "KE", 3, 7, "Using/cancelling authorized entity ID")]
    assert '"KE-ENT-9"' in failures[0].message


def test_an_action_whose_first_id_is_after_its_last_id_is_aef07() -> None:
    failures = check_report(with_action_block(japan(), 2, first_id=50, last_id=1))

    assert where(failures) == [("AEF07", "JP", 3, 2, "ITMO block Last ID")]
    assert "Last ID 1 is before First ID 50" in failures[0].message


def test_a_holding_whose_first_id_is_after_its_last_id_is_aef07() -> None:
    # The quantity stays 150, so the reconciliation still balances.
    failures = check_report(with_holding_block(japan(), 1, first_id=250, last_id=101))

    assert where(failures) == [("AEF07", "JP", 4, 1, "ITMO block Last ID")]
    assert "Last ID 101" in failures[0].message


def test_unit_ids_spanning_more_units_than_the_itmo_ids_are_aef07() -> None:
    failures = check_report(with_action_block(japan(), 2, last_unit=60))

    assert where(failures) == [("AEF07", "JP", 3, 2, "Last unit ID")]
    assert "1–60" in failures[0].message


def test_a_quantity_that_is_not_the_number_of_ids_is_aef07_and_unbalances_aef12() -> None:
    failures = check_report(with_action_block(japan(), 2, quantity=40))

    assert where(failures) == [
        ("AEF07", "JP", 3, 2, "Quantity (t CO2 eq)"),
        ("AEF12", "JP", 4, None, "Quantity (t CO2 eq)"),
    ]
    assert "quantity 40" in failures[0].message


def test_overlapping_holdings_in_one_registry_are_aef08() -> None:
    # 61–80 split into 61–75 and 71–75: the same 20 t, ids 71–75 held twice.
    report = kenya()
    holdings = (held(61, 75), held(71, 75), *report.holdings[1:])

    failures = check_report(replace(report, holdings=holdings))

    assert where(failures) == [("AEF08", "KE", 4, 2, "ITMO block First ID")]
    assert "ITMO ids 71–75 of CA0001 in KEN01" in failures[0].message
    assert "Table 4 row 1" in failures[0].message


def test_the_same_ids_held_in_two_approaches_do_not_overlap() -> None:
    report = kenya()
    other = replace(held(1, 20).block, approach_id="CA0002", vintage=2023)
    opening = (*report.opening, replace(report.opening[0], block=other))
    holdings = (*report.holdings, replace(report.holdings[0], block=other))

    assert check_report(replace(report, opening=opening, holdings=holdings)) == []


def test_a_used_block_still_held_at_31_december_is_aef09() -> None:
    # Japan used 1–50; holding 41–50 and 111–250 instead of 101–250 keeps 150 t.
    report = replace(
        japan(), holdings=(held(41, 50, registry="JPN01"), held(111, 250, registry="JPN01"))
    )

    failures = check_report(report)

    assert where(failures) == [("AEF09", "JP", 4, 1, "ITMO block First ID")]
    assert "ITMO ids 41–50 of CA0001 are held at 31 December 2025" in failures[0].message
    assert "Table 3 row 2 reports them Use" in failures[0].message


@pytest.mark.parametrize(
    ("column", "field", "value"),
    [
        ("First transferring participating Party ID", "first_transferring_party", "JPN"),
        ("Mitigation type", "mitigation_type", "Removals"),
    ],
)
def test_a_fixed_attribute_differing_between_action_and_holding_is_aef10(
    column: str, field: str, value: str
) -> None:
    failures = check_report(with_action_block(japan(), 1, **{field: value}))

    assert where(failures) == [("AEF10", "JP", 3, 1, column)]
    assert f'"{value}" differs from' in failures[0].message
    assert "Table 4 row 1" in failures[0].message


def test_a_vintage_differing_between_action_and_holding_is_aef10_and_unbalances_aef12() -> None:
    failures = check_report(with_action_block(japan(), 1, vintage=2023))

    assert [f.rule for f in failures] == ["AEF10", "AEF12", "AEF12"]
    assert where(failures)[0] == ("AEF10", "JP", 3, 1, "Vintage")
    assert '"2023" differs from "2024"' in failures[0].message


def test_a_range_index_finds_every_range_overlapping_a_query() -> None:
    index = RangeIndex([(1, 100, "a"), (10, 20, "b"), (30, 40, "c"), (150, 160, "d")])

    assert index.overlapping(35, 35) == ["a", "c"]
    assert index.overlapping(101, 149) == []
    assert index.overlapping(90, 155) == ["a", "d"]
    assert RangeIndex([(5, 1, "empty")]).overlapping(1, 10) == []


def test_uncovered_gives_the_gaps_a_union_leaves() -> None:
    cover = union([(1, 10), (11, 20), (30, 40), (35, 45)])

    assert cover == [(1, 20), (30, 45)]
    assert uncovered(5, 50, cover) == [(21, 29), (46, 50)]
    assert uncovered(30, 45, cover) == []
    assert uncovered(1, 5, []) == [(1, 5)]
