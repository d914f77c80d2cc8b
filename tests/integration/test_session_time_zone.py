"""Dates are UTC dates on both backends, whatever time zone the PostgreSQL server defaults
to: the engine sets each session to UTC, so a cancellation at 23:30 UTC is dated that day
in the exports (computed in SQL) and in what the services read back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ledger_web_support import csv_rows, ledger_world
from sqlalchemy.engine import make_url
from web_support import site

from jcm.bootstrap import App, Settings, bootstrap

LATE = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # already 1 April in Tokyo


@pytest.fixture
def tokyo_default(database_url: str, tmp_path: Path) -> Iterator[App]:
    """The app on a database whose sessions would default to Asia/Tokyo (PostgreSQL)."""
    url = make_url(database_url)
    options = url.query.get("options")
    if isinstance(options, str):
        url = url.update_query_dict({"options": f"{options} -ctimezone=Asia/Tokyo"})
    app = bootstrap(
        Settings(tmp_path, url.render_as_string(hide_password=False)), clock=lambda: LATE
    )
    yield app
    app.close()


def test_a_late_evening_cancellation_is_dated_its_utc_day_in_exports_and_reads(
    tokyo_default: App,
) -> None:
    ledger_world(tokyo_default)
    exported = csv_rows(site(tokyo_default).get("/retirements.csv").text)
    read = tokyo_default.registry.transactions(10)

    assert len(exported) == 2
    assert len(read) > 2
    assert {row["date"] for row in exported} == {"2026-03-31"}
    assert {t.created_at.utcoffset() for t in read} == {timedelta(0)}
    assert {t.created_at for t in read} == {LATE}
