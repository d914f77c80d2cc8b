"""AEF01–AEF04: the field rules fire on the exported cells, one rule per broken field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from aef_check_support import (
    ENTITY,
    KE_A2,
    YEAR,
    japan,
    kenya,
    where,
    with_action,
    with_action_block,
    with_authorization,
    with_holding_block,
)

from jcm.domain.aef.checks import check_report
from jcm.domain.aef.checks_fields import SPECS, Need, check_fields, check_table, judge_cell
from jcm.domain.aef.nomenclature import NA
from jcm.domain.aef.tables import TABLE_COLUMNS, ActionRow, PartyReport

Break = Callable[[], PartyReport]


def test_every_column_of_every_table_has_a_field_rule() -> None:
    assert [set(spec) for spec in SPECS] == [set(c) for c in TABLE_COLUMNS]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        (1, "Review status of initial report"),
        (1, "Result of consistency check of this submission"),
        (1, "Reference to the technical expert review report"),
        (2, "Authorization documentation"),
        (3, "Result of the consistency checks"),
    ],
)
def test_a_filled_carp_column_is_aef01(table: int, column: str) -> None:
    rows = [list(r) for r in kenya().tables()[table - 1]]
    rows[0][TABLE_COLUMNS[table - 1].index(column)] = "Consistent"

    failures = check_table("KE", table, [tuple(r) for r in rows])

    assert where(failures) == [("AEF01", "KE", table, 1, column)]
    assert '"Consistent"' in failures[0].message


class CheckedActionRow(ActionRow):
    """An action row whose export fills the column CARP writes its check result in."""

    def cells(self) -> tuple[str, ...]:
        cells = list(ActionRow.cells(self))
        cells[-2] = "Passed"
        return tuple(cells)


def test_a_report_exporting_a_carp_result_fails_aef01_on_that_row() -> None:
    report = japan()
    rows = list(report.actions)
    row = rows[1]
    rows[1] = CheckedActionRow(**{f: getattr(row, f) for f in ActionRow.__dataclass_fields__})

    failures = check_report(replace(report, actions=tuple(rows)))

    assert where(failures) == [("AEF01", "JP", 3, 2, "Result of the consistency checks")]
    assert '"Passed"' in failures[0].message


# Each case: a broken report, then (party, table, row, column) and the value the message names.
AEF02_CASES: dict[str, tuple[Break, tuple[str, int, int, str], str]] = {
    "missing Party": (
        lambda: replace(japan(), submission=replace(japan().submission, party_id="")),
        ("JP", 1, 1, "Party"),
        '""',
    ),
    "no sector": (
        lambda: with_authorization(kenya(), 1, sectors=()),
        ("KE", 2, 1, "Sector(s)"),
        '""',
    ),
    "purposes NA": (
        lambda: with_authorization(kenya(), 1, purposes=NA),
        ("KE", 2, 1, "Purposes for authorization"),
        '"NA"',
    ),
    "OIMP authorisation without the OIMP it authorises": (
        lambda: with_authorization(kenya(), 2, oimp_authorised=NA),
        ("KE", 2, 2, "OIMP authorized by the Party"),
        '"NA"',
    ),
    "NDC authorisation with a first-transfer definition": (
        lambda: with_authorization(kenya(), 1, first_transfer_definition="Issuance"),
        ("KE", 2, 1, "First transfer definition for OIMP"),
        '"Issuance"',
    ),
    "GHG authorisation with a non-GHG metric": (
        lambda: with_authorization(kenya(), 1, non_ghg_metric="hectares"),
        ("KE", 2, 1, "Applicable non-GHG metric"),
        '"hectares"',
    ),
    "Acquisition naming an acquiring Party": (
        lambda: with_action(japan(), 1, acquiring_party="KEN"),
        ("JP", 3, 1, "Acquiring participating Party ID"),
        '"KEN"',
    ),
    "Transfer without its acquiring Party": (
        lambda: with_action(japan(), 3, acquiring_party=NA),
        ("JP", 3, 3, "Acquiring participating Party ID"),
        '"NA"',
    ),
    "Transfer naming a transferring Party": (
        lambda: with_action(japan(), 3, transferring_party="JPN"),
        ("JP", 3, 3, "Transferring participating Party ID"),
        '"JPN"',
    ),
    "Acquisition without its transferring Party": (
        lambda: with_action(kenya(), 3, transferring_party=""),
        ("KE", 3, 3, "Transferring participating Party ID"),
        '""',
    ),
    "Authorization with an OIMP purpose": (
        lambda: with_action(kenya(), 1, purpose_oimp="OIMP"),
        ("KE", 3, 1, "Purpose used/cancelled for OIMP"),
        '"OIMP"',
    ),
    "Acquisition naming a using Party": (
        lambda: with_action(japan(), 1, using_party="JPN"),
        ("JP", 3, 1, "Using/cancelling Party ID"),
        '"JPN"',
    ),
    "Use towards the NDC without its NDC year": (
        lambda: with_action(japan(), 2, ndc_year=None),
        ("JP", 3, 2, "Calendar year for which ITMOs are used towards the NDC"),
        '"NA"',
    ),
    "Use without its using Party": (
        lambda: with_action(japan(), 2, using_party=NA),
        ("JP", 3, 2, "Using/cancelling Party ID"),
        '"NA"',
    ),
    "Cancellation with an NDC year": (
        lambda: with_action(japan(), 4, ndc_year=YEAR),
        ("JP", 3, 4, "Calendar year for which ITMOs are used towards the NDC"),
        f'"{YEAR}"',
    ),
    "Use for OIMP with an NDC year": (
        lambda: with_action(kenya(), 7, ndc_year=YEAR),
        ("KE", 3, 7, "Calendar year for which ITMOs are used towards the NDC"),
        f'"{YEAR}"',
    ),
    "first transfer to another Party without the Party": (
        lambda: with_action(kenya(), 6, subtype="First transfer to another Party"),
        ("KE", 3, 6, "Acquiring participating Party ID"),
        '"NA"',
    ),
    "action without its authorisation": (
        lambda: with_action_block(japan(), 2, authorization_id=""),
        ("JP", 3, 2, "Authorization ID"),
        '""',
    ),
    "holding without its authorisation": (
        lambda: with_holding_block(japan(), 1, authorization_id=NA),
        ("JP", 4, 1, "Authorization ID"),
        '"NA"',
    ),
    "GHG holding with a non-GHG quantity": (
        lambda: with_holding_block(japan(), 1, quantity_non_ghg="150"),
        ("JP", 4, 1, "Quantity (non-GHG)"),
        '"150"',
    ),
    "entity without its name": (
        lambda: replace(kenya(), entities=(replace(kenya().entities[0], name=""),)),
        ("KE", 5, 1, "Name"),
        '""',
    ),
}


@pytest.mark.parametrize("case", list(AEF02_CASES))
def test_a_missing_or_misplaced_field_is_aef02(case: str) -> None:
    broken, (party, table, row, column), value = AEF02_CASES[case]

    failures = check_report(broken())

    assert where(failures) == [("AEF02", party, table, row, column)]
    assert value in failures[0].message


AEF03_CASES: dict[str, tuple[Break, tuple[str, int, int, str], str]] = {
    "version 1": (
        lambda: replace(japan(), submission=replace(japan().submission, version="1")),
        ("JP", 1, 1, "Version"),
        '"1"',
    ),
    "two-digit NDC year": (
        lambda: replace(japan(), submission=replace(japan().submission, ndc_first_year=21)),
        ("JP", 1, 1, "First year of NDC implementation period"),
        '"21"',
    ),
    "three-digit approach": (
        lambda: with_authorization(kenya(), 1, approach_id="CA001"),
        ("KE", 2, 1, "Cooperative approach ID"),
        '"CA001"',
    ),
    "timeframe without spaces": (
        lambda: with_authorization(kenya(), 1, timeframe="2024-2030"),
        ("KE", 2, 1, "Authorized timeframe"),
        '"2024-2030"',
    ),
    "authorised Party in alpha-2": (
        lambda: with_authorization(kenya(), 1, authorised_parties=("JPN", "JP")),
        ("KE", 2, 1, "Authorized Party(ies) ID"),
        '"JP"',
    ),
    "authorisation version 0": (
        lambda: with_authorization(kenya(), 1, version=0),
        ("KE", 2, 1, "Version of the authorization"),
        '"0"',
    ),
    "registry id of one digit": (
        lambda: with_action_block(kenya(), 4, registry_id="KEN1"),
        ("KE", 3, 4, "Party ITMO registry ID"),
        '"KEN1"',
    ),
    "transferring Party in alpha-2": (
        lambda: with_action(kenya(), 3, transferring_party="JP"),
        ("KE", 3, 3, "Transferring participating Party ID"),
        '"JP"',
    ),
    "country in alpha-2": (
        lambda: replace(kenya(), entities=(replace(kenya().entities[0], country="KE"),)),
        ("KE", 5, 1, "Country of incorporation"),
        '"KE"',
    ),
}


@pytest.mark.parametrize("case", list(AEF03_CASES))
def test_a_value_in_the_wrong_format_is_aef03(case: str) -> None:
    broken, (party, table, row, column), value = AEF03_CASES[case]

    failures = check_report(broken())

    assert where(failures) == [("AEF03", party, table, row, column)]
    assert value in failures[0].message


def test_an_authorisation_id_with_an_underscore_is_aef03_wherever_it_appears() -> None:
    report = with_authorization(kenya(), 2, authorization_id="KE_A2")
    for number in (5, 6, 7):
        report = with_action_block(report, number, authorization_id="KE_A2")
    report = with_holding_block(report, 3, authorization_id="KE_A2")

    failures = check_report(report)

    assert where(failures) == [
        ("AEF03", "KE", 2, 2, "Authorization ID"),
        ("AEF03", "KE", 3, 5, "Authorization ID"),
        ("AEF03", "KE", 3, 6, "Authorization ID"),
        ("AEF03", "KE", 3, 7, "Authorization ID"),
        ("AEF03", "KE", 4, 3, "Authorization ID"),
    ]
    assert all('"KE_A2"' in f.message for f in failures)


AEF04_CASES: dict[str, tuple[Break, tuple[str, int, int, str], str]] = {
    "CO2 usage spelled with the letter O": (
        lambda: with_authorization(kenya(), 1, activity_types=("Solar", "CO2 usage")),
        ("KE", 2, 1, "Activity type(s)"),
        '"CO2 usage"',
    ),
    "a metric not in the list": (
        lambda: with_authorization(kenya(), 1, metric="GHGs"),
        ("KE", 2, 1, "Metric"),
        '"GHGs"',
    ),
    "a sector not in the list": (
        lambda: with_authorization(kenya(), 1, sectors=("Energy",)),
        ("KE", 2, 1, "Sector(s)"),
        '"Energy"',
    ),
    "purposes spelled with an ampersand": (
        lambda: with_authorization(kenya(), 1, purposes="NDC & OIMP"),
        ("KE", 2, 1, "Purposes for authorization"),
        '"NDC & OIMP"',
    ),
    "first-transfer definition spelled with a z": (
        lambda: with_authorization(kenya(), 2, first_transfer_definition="Authorization"),
        ("KE", 2, 2, "First transfer definition for OIMP"),
        '"Authorization"',
    ),
    "an action type not in the list": (
        lambda: with_action(japan(), 3, action_type="Transfers"),
        ("JP", 3, 3, "Action type"),
        '"Transfers"',
    ),
    "a subtype not in the list": (
        lambda: with_action(japan(), 4, subtype="Other"),
        ("JP", 3, 4, "Action subtype"),
        '"Other"',
    ),
    "a Transfer with an issuance subtype": (
        lambda: with_action(japan(), 3, subtype="Issuance"),
        ("JP", 3, 3, "Action subtype"),
        '"Issuance"',
    ),
    "a Use with a cancellation subtype": (
        lambda: with_action(japan(), 2, subtype="Other cancellations"),
        ("JP", 3, 2, "Action subtype"),
        '"Other cancellations"',
    ),
    "an Authorization with a first-transfer subtype": (
        lambda: with_action(kenya(), 1, subtype="First transfer to another Party"),
        ("KE", 3, 1, "Action subtype"),
        '"First transfer to another Party"',
    ),
    "a mitigation type not in the list": (
        lambda: with_action_block(japan(), 2, mitigation_type="Reductions"),
        ("JP", 3, 2, "Mitigation type"),
        '"Reductions"',
    ),
    "an unknown underlying registry": (
        lambda: with_action_block(japan(), 2, underlying_registry="XYZ"),
        ("JP", 3, 2, "Underlying unit registry ID"),
        '"XYZ"',
    ),
    "an OIMP purpose that is not one": (
        lambda: with_action(kenya(), 6, purpose_oimp="CORSIA"),
        ("KE", 3, 6, "Purpose used/cancelled for OIMP"),
        '"CORSIA"',
    ),
}


@pytest.mark.parametrize("case", list(AEF04_CASES))
def test_a_value_outside_its_controlled_list_is_aef04(case: str) -> None:
    broken, (party, table, row, column), value = AEF04_CASES[case]

    failures = check_report(broken())

    assert where(failures) == [("AEF04", party, table, row, column)]
    assert value in failures[0].message


def test_c02_usage_spelled_with_a_zero_is_accepted_as_an_activity_type() -> None:
    report = with_authorization(kenya(), 1, activity_types=("Solar", "C02 usage"))

    assert check_report(report) == []


def test_a_subtype_that_does_not_fit_says_which_subtypes_do() -> None:
    failures = check_report(with_action(japan(), 3, subtype="Issuance"))

    assert 'does not fit action type "Transfer"' in failures[0].message
    assert "Mandatory transfer to the Adaptation Fund" in failures[0].message


@pytest.mark.parametrize("subtype", ["", "Not yet defined", "Other cancellations"])
def test_a_voluntary_cancellation_takes_no_subtype_or_a_cancelling_one(subtype: str) -> None:
    assert check_report(with_action(kenya(), 4, subtype=subtype)) == []


def test_a_first_transfer_at_use_may_leave_its_acquiring_party_na() -> None:
    report = kenya()

    assert report.actions[5].acquiring_party == NA
    assert report.actions[5].using_entity == ENTITY
    assert report.actions[5].block.authorization_id == KE_A2
    assert check_report(report) == []


def test_a_draft_without_a_date_of_submission_passes_but_a_malformed_date_is_aef03() -> None:
    assert kenya().submission.submitted_on is None
    assert check_report(kenya()) == []
    cells = list(japan().tables()[0][0])
    cells[3] = "01/04/2026"

    failures = check_table("JP", 1, [tuple(cells)])

    assert where(failures) == [("AEF03", "JP", 1, 1, "Date of submission")]
    assert '"01/04/2026"' in failures[0].message


def test_every_conditional_column_declares_the_columns_its_condition_reads() -> None:
    for columns, specs in zip(TABLE_COLUMNS, SPECS, strict=True):
        for column, spec in specs.items():
            conditional = not isinstance(spec.need, Need) or callable(spec.values)
            assert bool(spec.reads) == conditional, column
            assert set(spec.reads) <= set(columns) - {column}, column


def _judged_cell_by_cell(report: PartyReport) -> list[tuple[str, int, int, str, str]]:
    found = []
    for table, rows in enumerate(report.tables(), start=1):
        columns = TABLE_COLUMNS[table - 1]
        for number, cells in enumerate(rows, start=1):
            row = dict(zip(columns, cells, strict=True))
            for column in columns:
                judged = judge_cell(SPECS[table - 1][column], column, row[column], row)
                if judged is not None:
                    found.append((judged[0], table, number, column, judged[1]))
    return found


ALL_CASES = {**AEF02_CASES, **AEF03_CASES, **AEF04_CASES}


@pytest.mark.parametrize("case", list(ALL_CASES))
def test_judging_column_by_column_finds_what_judging_every_cell_with_its_row_finds(
    case: str,
) -> None:
    report = ALL_CASES[case][0]()
    other = japan() if report.party == "KE" else kenya()
    merged = replace(report, actions=(*report.actions, *other.actions))

    for candidate in (report, merged):
        assert [
            (f.rule, f.table, f.row, f.column, f.message) for f in check_fields(candidate)
        ] == _judged_cell_by_cell(candidate)
