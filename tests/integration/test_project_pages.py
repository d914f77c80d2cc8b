"""The public project pages: the list and its filters, exports, project and country pages,
in Japanese and English, for a signed-out reader."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from web_support import site

from jcm.bootstrap import App
from jcm.entrypoints.demo import run_demo
from jcm.entrypoints.web.export import BOM

HEADER = (
    "id,title_en,title_ja,country,kind,sector,technology,methodology,state,support_scheme,"
    "capacity_mw,cycle_project,registered_on,credits_issued"
)


def imported(app: App, *, hostile_title: bool = False) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()
    if hostile_title:  # a title a spreadsheet would run as a formula
        projects[0] = replace(projects[0], title_en='=HYPERLINK("http://x","y")')
    views.import_portfolio(projects, countries)


def with_demo(app: App) -> None:
    run_demo(
        app.registry, app.cycle, app.documents, app.log,
        identity=app.identity, register=app.aef.register, portfolio=app.public.projects,
        progress=False,
    )  # fmt: skip


def count_of(client: TestClient, query: str) -> int:
    """The number of data rows the CSV export gives for the query."""
    response = client.get(f"/projects.csv?{query}")
    assert response.status_code == 200, response.text
    return len(list(csv.reader(io.StringIO(response.text.removeprefix(BOM))))) - 1


def test_each_filter_narrows_the_list_and_the_page_counts_them(app: App) -> None:
    imported(app)
    client = site(app, language="en")

    everything = count_of(client, "")
    kenya = count_of(client, "country=KE")
    kenyan_solar = count_of(client, "country=KE&technology=solar_pv")
    energy = count_of(client, "sector=energy_industries")
    registered = count_of(client, "state=registered")
    page = client.get("/projects?country=KE&technology=solar_pv")

    assert everything == 252
    assert kenya == 5
    assert 0 < kenyan_solar < kenya
    assert 0 < energy < everything
    assert registered == 72
    assert count_of(client, "methodology=KE_AM002") == 0
    assert page.status_code == 200
    assert f"{kenyan_solar} projects" in page.text
    assert "KE-F001" in page.text
    assert "KE-F004" not in page.text


def test_the_list_pages_through_all_projects(app: App) -> None:
    imported(app)
    client = site(app)

    first = client.get("/projects").text
    last = client.get("/projects?page=6").text

    assert "Page 1 of 6" in first
    assert 'rel="next"' in first
    assert "Page 6 of 6" in last
    assert 'rel="next"' not in last
    assert "VN-F050" in last
    assert "VN-F050" not in first


@pytest.mark.parametrize(
    "url", ["/projects?colour=red", "/projects.csv?colour=red", "/projects.xlsx?order=id"]
)
def test_an_unknown_filter_is_a_400_never_ignored(app: App, url: str) -> None:
    response = site(app).get(url)

    assert response.status_code == 400
    assert "H2_UNKNOWN_FILTER" in response.text


def test_an_unknown_filter_value_is_refused_with_the_values_allowed(app: App) -> None:
    response = site(app).get("/projects?sector=nuclear")

    assert response.status_code == 422
    assert "P8_PORTFOLIO_FILTER" in response.text
    assert "energy_industries" in response.text


def test_the_csv_export_has_the_exact_header_a_bom_and_neutralised_cells(app: App) -> None:
    imported(app, hostile_title=True)

    response = site(app).get("/projects.csv?country=KE")
    rows = list(csv.reader(io.StringIO(response.text.removeprefix(BOM))))

    assert response.text.startswith(BOM)
    assert response.headers["content-type"].startswith("text/csv")
    assert ",".join(rows[0]) == HEADER
    assert rows[1][:3] == ["KE-F001", '\'=HYPERLINK("http://x","y")', "工場1MW太陽光発電"]
    assert rows[1][10] == "1"  # capacity in MW, without the column's trailing zeros
    assert len(rows) == 6


def test_the_csv_export_takes_chosen_columns_and_refuses_unknown_ones(app: App) -> None:
    imported(app)
    client = site(app)

    chosen = client.get("/projects.csv?country=KE&_columns=id,state")
    unknown = client.get("/projects.csv?_columns=id,colour")

    assert chosen.text.removeprefix(BOM).splitlines()[:2] == ["id,state", "KE-F001,registered"]
    assert unknown.status_code == 400
    assert "H2_UNKNOWN_COLUMN" in unknown.text


def test_the_xlsx_export_opens_with_openpyxl(app: App) -> None:
    imported(app, hostile_title=True)

    response = site(app).get("/projects.xlsx?country=KE")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))

    assert response.status_code == 200
    assert ",".join(str(c) for c in rows[0]) == HEADER
    assert rows[1][0] == "KE-F001"
    assert str(rows[1][1]).startswith("'=")
    assert len(rows) == 6


def test_a_project_page_shows_the_title_in_the_readers_language_and_its_history(
    app: App,
) -> None:
    with_demo(app)

    japanese = site(app, language="ja").get("/projects/KE-F001")
    english = site(app, language="en").get("/projects/KE-F001")

    assert japanese.status_code == english.status_code == 200
    assert "<h1>工場1MW太陽光発電</h1>" in japanese.text
    assert "<h1>1 MW solar PV at factory</h1>" in english.text
    assert "サイクルの履歴" in japanese.text
    assert "Cycle history" in english.text
    for step in ("submit_pin", "register"):
        assert f'<code class="step">{step}</code>' in english.text
    assert "KE_AM002" in english.text
    assert "JP-KE-JCM-KE001-" in english.text
    assert "KE-KE-JCM-KE001-" in english.text
    assert "Issued in Japan's registry" in english.text
    # The cycle project's own id finds the funded project that stands for it.
    by_cycle_id = site(app, language="en").get("/projects/KE001")
    assert "<h1>1 MW solar PV at factory</h1>" in by_cycle_id.text


def test_a_cycle_project_with_no_funded_project_has_its_own_page(app: App) -> None:
    with_demo(app)

    page = site(app).get("/projects/ID001")

    assert page.status_code == 200
    assert "High-efficiency centrifugal chiller" in page.text
    assert "ID_AM002" in page.text


def test_an_unknown_project_or_country_is_a_404_page(app: App) -> None:
    imported(app)
    client = site(app)

    project = client.get("/projects/XX-F999")
    country = client.get("/countries/ZZ")

    assert (project.status_code, country.status_code) == (404, 404)
    assert "P8_UNKNOWN_FUNDED_PROJECT" in project.text
    assert "P8_UNKNOWN_PARTNER" in country.text
    assert project.headers["content-type"].startswith("text/html")


def test_the_countries_page_lists_all_29_partners_in_both_languages(app: App) -> None:
    imported(app)

    page = site(app, language="en").get("/countries")

    assert page.status_code == 200
    assert page.text.count('<a href="/countries/') == 2 * 29
    assert "モンゴル" in page.text
    assert "Mongolia" in page.text
    assert "ウクライナ" in page.text
    assert "Ukraine" in page.text
    assert "ウランバートル" in page.text


def test_a_country_page_lists_its_projects_and_the_credits_issued_there(app: App) -> None:
    with_demo(app)

    kenya = site(app, language="ja").get("/countries/KE")
    thailand = site(app, language="en").get("/countries/TH")

    assert kenya.status_code == 200
    assert "<h1>ケニア</h1>" in kenya.text
    for seq in range(1, 6):
        assert f'href="/projects/KE-F00{seq}"' in kenya.text
    credits = app.public.projects.country("KE").credits_issued
    assert credits > 0
    assert f"{credits:,}" in kenya.text
    assert thailand.text.count('href="/projects/TH-F') == 51


def test_the_log_still_verifies_after_the_pages_are_read(app: App) -> None:
    with_demo(app)
    client = site(app)
    for url in ("/projects", "/projects/KE-F001", "/countries", "/countries/KE"):
        assert client.get(url).status_code == 200

    assert app.log.verify(app.log_verifiers()).ok


def test_the_list_sorts_by_capacity_descending_and_refuses_an_unknown_order(app: App) -> None:
    imported(app)
    client = site(app)

    sorted_rows = client.get("/projects.csv?_columns=id,capacity_mw&sort=-capacity").text
    capacities = [line.split(",")[1] for line in sorted_rows.removeprefix(BOM).splitlines()[1:]]
    given = [Decimal(c) for c in capacities if c]
    unknown = client.get("/projects?sort=colour")

    assert given == sorted(given, reverse=True)
    assert capacities.index("") == len(given)  # projects without a capacity come last
    assert unknown.status_code == 422
    assert "P8_PORTFOLIO_FILTER" in unknown.text


def test_a_country_page_shows_its_first_hundred_projects_and_links_to_the_rest(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()
    thai = [p for p in projects if p.country == "TH"]
    views.import_portfolio(thai + [replace(p, seq=p.seq + 1000) for p in thai], countries)

    page = site(app, language="en").get("/countries/TH")

    assert page.status_code == 200
    assert page.text.count('<a href="/projects/TH-F') == 100
    assert f"Showing the first 100 of {2 * len(thai)} projects" in page.text


def test_the_partner_countries_export_as_csv_and_xlsx_with_both_names(app: App) -> None:
    views = app.public.projects
    projects, countries = views.read_lists()
    views.import_portfolio(projects, countries)
    client = site(app)

    text = client.get("/countries.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    book = load_workbook(io.BytesIO(client.get("/countries.xlsx").content), read_only=True)
    sheet_rows = list(book.worksheets[0].iter_rows(values_only=True))
    bad = client.get("/countries.csv?_columns=colour")

    assert len(rows) == 29
    kenya = next(r for r in rows if r["country"] == "KE")
    assert (kenya["name_en"], kenya["name_ja"], kenya["signed_on"]) == (
        "Kenya",
        "ケニア",
        "2013-06-12",
    )
    assert kenya["projects"] == str(sum(1 for p in projects if p.country == "KE"))
    assert len(sheet_rows) == 30
    assert bad.status_code == 400
    assert bad.json()["code"] == "H2_UNKNOWN_COLUMN"
