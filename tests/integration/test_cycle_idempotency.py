"""Idempotency of cycle steps does not depend on the calendar: the request digest covers
only what the caller sent. A step sent without a date is dated the day it is first taken;
retried with the same key on a later day it is replayed, not refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role, Side, TpeFunction
from jcm.domain.errors import JcmError
from jcm.entrypoints.demo_cycle import enrol

FIRST_DAY = datetime(2026, 4, 1, 23, 59, tzinfo=UTC)


@pytest.fixture
def calendar() -> list[datetime]:
    return [FIRST_DAY]


@pytest.fixture
def cycle_app(database_url: str, tmp_path: Path, calendar: list[datetime]) -> Iterator[App]:
    app = bootstrap(Settings(tmp_path, database_url), clock=lambda: calendar[0])
    enrol(app.identity, app.cycle, [cc.RegisterActor("tpe-new", Role.TPE, "New TPE")], None)
    enrol(
        app.identity,
        app.cycle,
        [cc.RegisterActor("jc-ke", Role.JC_MEMBER, "JC Japan-Kenya", Side.JAPAN, "KE")],
        None,
    )
    yield app
    app.close()


def designation(on: date | None) -> cc.DesignateTpe:
    return cc.DesignateTpe(
        "tpe-new", "KE", (1,), (TpeFunction.VALIDATION,), cc.ActingAs("jc-ke"), on
    )


def test_a_step_without_a_date_retried_the_next_day_with_its_key_is_replayed(
    cycle_app: App, calendar: list[datetime]
) -> None:
    first = cycle_app.cycle.designate_tpe(designation(None), key="designate-1")
    calendar[0] = FIRST_DAY + timedelta(minutes=2)  # past midnight: another day

    again = cycle_app.cycle.designate_tpe(designation(None), key="designate-1")

    assert again.replayed is True
    assert again == replace(first, replayed=True)
    assert "2026-04-01" in str(first)  # dated the day it was first taken
    assert "2026-04-02" not in str(first)


def test_the_same_key_with_another_explicit_date_is_a_different_request(
    cycle_app: App,
) -> None:
    cycle_app.cycle.designate_tpe(designation(date(2026, 3, 1)), key="designate-2")

    with pytest.raises(JcmError) as refused:
        cycle_app.cycle.designate_tpe(designation(date(2026, 3, 2)), key="designate-2")

    assert refused.value.code == "G2_IDEMPOTENCY_KEY_REUSED"
