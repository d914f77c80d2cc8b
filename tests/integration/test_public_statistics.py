"""Public views are kept between changes and never shown stale after one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from api_support import api_world

from jcm.bootstrap import App
from jcm.domain.registry import commands as c
from jcm.domain.registry.allocation import AllocationShare
from jcm.service_layer.public.ledger_results import IssuanceFilter
from jcm.service_layer.public.project_results import ProjectFilter


def retired(app: App, registry: str) -> int:
    return sum(year.retired for year in app.public.statistics.of(registry).annual)


def test_the_kept_statistics_are_the_services_own_until_a_move_changes_them(app: App) -> None:
    world = api_world(app)
    first = app.public.statistics.of("KE")
    again = app.public.statistics.of("KE")
    computed = app.registry.statistics("KE")

    app.registry.retire(c.Move(world.accounts["ke"], quantity=7, beneficiary="A school"))
    after = app.public.statistics.of("KE")

    assert first == computed
    assert again is first  # kept: nothing was logged in between
    assert after == app.registry.statistics("KE")
    assert retired(app, "KE") == sum(y.retired for y in first.annual) + 7


def test_a_kept_issuance_page_gives_way_to_a_new_issuance(app: App) -> None:
    world = api_world(app)
    before = app.public.ledger.issuances(IssuanceFilter())
    kept = app.public.ledger.issuances(IssuanceFilter())
    shares = (AllocationShare(world.accounts["ke"], Decimal(100)),)
    decision = app.registry.record_decision(
        c.RecordDecision("KE001", date(2024, 1, 1), date(2024, 12, 31), 2024, 40, shares)
    ).decision
    app.registry.issue(c.Issue(decision, "KE"))
    after = app.public.ledger.issuances(IssuanceFilter())

    assert kept is before
    assert len(after.rows) == len(before.rows) + 1
    assert after.rows[0].quantity == 40


def test_a_kept_project_list_gives_way_to_an_import(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()
    views.import_portfolio(projects[:3], countries)
    three = views.projects(ProjectFilter())
    views.import_portfolio(projects[:5], countries)
    five = views.projects(ProjectFilter())

    assert three.total == 3
    assert five.total == 5
