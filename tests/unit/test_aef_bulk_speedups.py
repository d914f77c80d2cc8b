"""The speed-ups of building and checking a reported year keep every output the same."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aef_check_support import japan, kenya

from jcm.domain.aef.bulk import cycle_collection_paused
from jcm.domain.aef.checks import check_report
from jcm.domain.aef.tables import action_time


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 23, 30, 5, tzinfo=timezone(timedelta(hours=9))),
        datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(999, 1, 1, 0, 0, 0, tzinfo=UTC),
    ],
)
def test_an_action_time_reads_as_strftime_writes_it_in_utc(moment: datetime) -> None:
    assert action_time(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_reports_tables_are_made_once_and_are_its_rows_cells() -> None:
    report = kenya()

    first = report.tables()

    assert report.tables() is first
    assert first[2] == tuple(row.cells() for row in report.actions)
    assert first[3] == tuple(row.cells() for row in report.holdings)


def test_a_changed_copy_of_a_report_exports_its_own_cells() -> None:
    report = kenya()
    report.tables()

    changed = replace(report, actions=japan().actions)

    assert changed.tables()[2] == tuple(row.cells() for row in japan().actions)
    assert changed == replace(kenya(), actions=japan().actions)


def test_the_cycle_collector_is_paused_within_and_resumed_as_it_was() -> None:
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_cycle_collector_is_resumed_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), cycle_collection_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_checking_a_report_leaves_the_cycle_collector_on() -> None:
    check_report(kenya())

    assert gc.isenabled()
