"""The public dashboard over a real world: credits issued, cancelled and retired through the
registry's services, funded projects in the portfolio table, the page in both languages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

from api_support import api_world
from sqlalchemy import insert
from web_support import FIXED_NOW, site

from jcm.adapters import schema as t
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.registry import commands as c
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.transactions import CancellationPurpose
from jcm.entrypoints.demo import run_demo

SVG = "{http://www.w3.org/2000/svg}"


def portfolio_row(
    pid: str, country: str, seq: int, state: str, **extra: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "id": pid,
        "country": country,
        "seq": seq,
        "title_ja": f"案件{seq}",
        "title_en": f"Project {seq}",
        "support_scheme": "equipment_subsidy",
        "eco_lease": False,
        "registered_marks": 0,
        "technology": "solar_pv",
        "sector": "Renewable energy",
        "capacity_mw": None,
        "storage_mwh": None,
        "state": state,
        "cycle_project_id": None,
        "note": "",
        "imported_at": FIXED_NOW,
    }
    row.update(extra)
    return row


def dashboard_world(app: App) -> None:
    """KE001: 1,000 issued (500 per side); KE002: 2,999,000 issued in Japan; 120 cancelled
    and 30 retired; three funded projects, one of them KE001 (registered)."""
    world = api_world(app)
    r = app.registry
    big = r.record_decision(
        c.RecordDecision(
            "KE002",
            date(2024, 1, 1),
            date(2024, 12, 31),
            2024,
            2_999_000,
            (AllocationShare("JP-GOV-0001", Decimal(100)),),
        )
    ).decision
    r.issue(c.Issue(big, "JP"))
    r.cancel(c.Move("JP-GOV-0001", quantity=120, purpose=CancellationPurpose.VOLUNTARY))
    r.retire(c.Move(world.accounts["ke"], quantity=30))
    with app.engine.begin() as conn:
        conn.execute(
            insert(t.portfolio_projects),
            [
                portfolio_row("KE-F001", "KE", 1, "registered", cycle_project_id="KE001"),
                portfolio_row("KE-F002", "KE", 2, "operating"),
                portfolio_row("TH-F001", "TH", 1, "funded", sector="Energy efficiency"),
            ],
        )


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_the_dashboard_shows_the_ledger_s_credits_and_the_portfolio_in_english(app: App) -> None:
    dashboard_world(app)

    response = site(app, language="en").get("/dashboard")

    html = response.text
    assert response.status_code == 200
    assert figure(html, "issued") == "3,000,000 t CO2"
    assert figure(html, "cancelled") == "120 t CO2"
    assert figure(html, "retired") == "30 t CO2"
    assert figure(html, "progress") == "3%"
    assert figure(html, "partners") == "29"
    assert '<th scope="row">Kenya</th>' in html
    assert "FY2026" in html
    assert "19,413,288 t CO2 a year" in html  # 97 Mt over the 1,825 days to 31 March 2031
    assert table_rows(html, "funnel-table")[1:] == [
        ["Funded", "3", "100%", "252 (as of October 18, 2024)"],
        ["Operating", "2", "66.67%", "181 (as of October 18, 2024)"],
        ["Registered", "2", "66.67%", "74 (as of October 18, 2024)"],
        ["Credits issued", "2", "66.67%", ""],
    ]
    assert "seed 003" in html
    assert "seed 000" in html


def test_every_chart_on_the_dashboard_is_an_accessible_svg_followed_by_its_table(app: App) -> None:
    dashboard_world(app)

    html = site(app, language="en").get("/dashboard").text

    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 7
    for text in svgs:
        root = ET.fromstring(text)
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title") is not None
        assert root.find(f"{SVG}desc") is not None
    assert html.count('<details class="chart-data">') == 7
    assert "<script" not in html


def test_the_dashboard_speaks_japanese_with_the_same_figures(app: App) -> None:
    dashboard_world(app)

    html = site(app, language="ja").get("/dashboard").text

    assert '<html lang="ja">' in html
    assert figure(html, "issued") == "3,000,000 t-CO2"
    assert "2026年度" in html
    assert "ケニア" in html
    assert "2024年10月18日" in html


def test_the_dashboard_s_figures_are_offered_as_json(app: App) -> None:
    dashboard_world(app)

    body = site(app).get("/dashboard.json").json()

    assert body["credits"]["total"] == {
        "key": "all",
        "issued": 3_000_000,
        "cancelled": 120,
        "retired": 30,
    }
    by_partner = {row["key"]: row for row in body["credits"]["by_partner"]}
    assert by_partner["KE"]["issued"] == 3_000_000
    by_sector = {row["key"]: row["issued"] for row in body["credits"]["by_sector"]}
    assert by_sector == {"unknown": 2_999_000, "sector:Renewable energy": 1_000}
    assert body["target"]["progress"]["share"] == "3.00"
    assert [row["key"] for row in body["credits"]["by_fiscal_year"]] == ["2026"]


def test_an_empty_registry_still_has_a_dashboard_with_no_data_charts(app: App) -> None:
    html = site(app, language="en").get("/dashboard").text

    assert "No data yet." in html
    assert figure(html, "issued") == "0 t CO2"
    assert figure(html, "partners") == "29"


def test_the_demo_s_cycle_projects_give_their_sectoral_scopes_and_reach_the_funnel_s_end(
    app: App,
) -> None:
    run_demo(
        app.registry,
        app.cycle,
        app.documents,
        app.log,
        identity=app.identity,
        register=app.aef.register,
        progress=False,
    )

    figures = app.public.dashboard.figures()
    html = site(app, language="en").get("/dashboard").text

    sectors = {row.key for row in figures.credits.by_sector}
    assert sectors
    assert all(key.startswith("scope:") for key in sectors)
    assert "Scope 1: Energy industries" in html
    stages = {s.stage.value: s.projects for s in figures.funnel}
    assert stages == {"funded": 0, "operating": 0, "registered": 2, "issued": 2}
    assert {row.key for row in figures.credits.by_partner} == {"KE", "ID"}
    assert figures.credits.total.cancelled + figures.credits.total.retired > 0


def test_the_figures_are_kept_until_a_change_and_then_count_only_what_is_new(app: App) -> None:
    dashboard_world(app)
    views = app.public.dashboard
    before = views.figures()

    unchanged = views.figures()
    app.registry.retire(c.Move("JP-GOV-0001", quantity=5))
    after = views.figures()

    assert unchanged is before
    assert (before.credits.total.retired, after.credits.total.retired) == (30, 35)
    assert after.credits.total.issued == before.credits.total.issued == 3_000_000
    assert after.credits.by_partner[0].retired == 35


def test_a_new_funded_project_changes_the_funnel_at_once(app: App) -> None:
    dashboard_world(app)
    views = app.public.dashboard
    before = views.figures()

    with app.engine.begin() as conn:
        conn.execute(insert(t.portfolio_projects), [portfolio_row("TH-F002", "TH", 2, "funded")])

    assert before.funnel[0].projects == 3
    assert views.figures().funnel[0].projects == 4


def test_an_unknown_parameter_on_the_dashboard_is_refused(app: App) -> None:
    response = site(app, language="en").get("/dashboard?colour=red")

    assert response.status_code == 400
    assert "H2_UNKNOWN_FILTER" in response.text


def test_without_the_log_every_view_counts_the_whole_ledger_again(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(tmp_path, database_url, transparency_log=False)
    unlogged = bootstrap(settings, clock=lambda: FIXED_NOW, announce=None)
    try:
        dashboard_world(unlogged)
        first = unlogged.public.dashboard.figures()
        unlogged.registry.retire(c.Move("JP-GOV-0001", quantity=5))
        second = unlogged.public.dashboard.figures()
    finally:
        unlogged.close()

    assert (first.credits.total.retired, second.credits.total.retired) == (30, 35)
    assert second.credits.total.issued == 3_000_000
