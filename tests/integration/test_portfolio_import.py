"""Importing the funded portfolio: every added country and project is a logged change that
`jcm log verify` replays; a repeat import changes nothing; a changed row is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, update

from jcm.adapters import schema
from jcm.bootstrap import App
from jcm.domain.errors import InvalidInput, NotFound, RuleViolation
from jcm.domain.portfolio.model import PortfolioState
from jcm.entrypoints.demo import run_demo
from jcm.service_layer.public.project_results import ProjectFilter


def log_kinds(app: App) -> list[str]:
    with app.engine.connect() as conn:
        return [row.kind for row in conn.execute(select(schema.events.c.kind))]


def test_importing_logs_each_country_and_project_and_verifies(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()

    result = views.import_portfolio(projects, countries)

    kinds = log_kinds(app)
    assert (result.countries_added, result.projects_added) == (29, 252)
    assert kinds.count("partner_country_recorded") == 29
    assert kinds.count("portfolio_project_imported") == 252
    verified = app.log.verify(app.log_verifiers())
    assert verified.ok, verified.problem
    assert verified.entries == len(kinds)


def test_a_second_import_changes_nothing_and_the_log_still_verifies(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()
    views.import_portfolio(projects, countries)
    before = log_kinds(app)

    again = views.import_portfolio(projects, countries)

    assert (again.countries_added, again.projects_added, again.links_made) == (0, 0, 0)
    assert (again.countries_unchanged, again.projects_unchanged) == (29, 252)
    assert log_kinds(app) == before
    assert app.log.verify(app.log_verifiers()).ok


def test_an_import_that_would_change_a_stored_project_is_refused_whole(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()
    views.import_portfolio(projects[:10], countries)
    before = log_kinds(app)
    changed = [replace(projects[0], title_en="Another title"), *projects[10:]]

    with pytest.raises(RuleViolation) as refused:
        views.import_portfolio(changed, countries)

    assert refused.value.code == "P8_PORTFOLIO_CHANGED"
    assert log_kinds(app) == before  # the 242 new projects were not added either
    assert views.projects(ProjectFilter(), 500).total == 10


def test_a_link_must_name_an_existing_cycle_project_of_the_same_country(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()

    with pytest.raises(NotFound):
        views.import_portfolio(projects, countries, {"KE-F001": "KE001"})
    with pytest.raises(NotFound) as unknown:
        views.import_portfolio(projects, countries, {"XX-F001": "KE001"})
    assert unknown.value.code == "P8_UNKNOWN_FUNDED_PROJECT"
    assert log_kinds(app) == []


def test_a_tampered_portfolio_row_is_caught_by_verify(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()
    views.import_portfolio(projects, countries)

    with app.engine.begin() as conn:
        conn.execute(
            update(schema.portfolio_projects)
            .where(schema.portfolio_projects.c.id == "TH-F010")
            .values(state="operating")
        )
    verified = app.log.verify(app.log_verifiers())

    assert not verified.ok
    assert verified.problem is not None
    assert verified.problem.table == "portfolio_projects"
    assert (verified.problem.key, verified.problem.column) == ("TH-F010", "state")


def test_a_malformed_list_is_refused_before_anything_is_written(app: App) -> None:
    views = app.public.projects
    text = "order,name_ja,name_en,iso3166_alpha2,region_ja,signed_on,signed_place_ja,note\n"
    bad = text + "1,モンゴル,Mongolia,MN,アジア太平洋,2013-01-08,ウランバートル,\n2,x,y,ZZZ,,,,\n"

    with pytest.raises(InvalidInput) as refused:
        views.read_lists(None, bad)

    assert refused.value.code == "P8_PORTFOLIO_ROW"
    assert refused.value.details == {"row": 3, "field": "iso3166_alpha2"}


def test_the_demo_imports_the_portfolio_links_ke_f001_and_a_rerun_changes_nothing(
    app: App,
) -> None:
    def demo() -> None:
        run_demo(
            app.registry, app.cycle, app.documents, app.log,
            identity=app.identity, register=app.aef.register, portfolio=app.public.projects,
            progress=False,
        )  # fmt: skip

    demo()
    first = log_kinds(app)
    demo()

    kenyan = app.public.projects.project("KE-F001")
    assert log_kinds(app) == first
    assert first.count("portfolio_project_imported") == 252
    assert kenyan.row.cycle_project_id == "KE001"
    assert kenyan.row.state == PortfolioState.REGISTERED.value  # the cycle project's state
    assert kenyan.row.methodology == "KE_AM002"
    assert kenyan.row.credits_issued > 0
    assert kenyan.issued_japan > 0
    assert kenyan.issued_partner > 0
    assert kenyan.issued_japan + kenyan.issued_partner == kenyan.row.credits_issued
    # The cycle project it stands for is not listed a second time.
    listed = app.public.projects.projects(ProjectFilter(country="KE"), 500)
    assert [r.id for r in listed.rows].count("KE001") == 0
    assert [r.id for r in listed.rows if r.kind == "cycle"] == []
    indonesian = app.public.projects.projects(ProjectFilter(country="ID"), 500)
    assert [r.id for r in indonesian.rows if r.kind == "cycle"] == ["ID001"]
    assert app.log.verify(app.log_verifiers()).ok
