"""The site's frame: both languages, the language switch, refusals as pages or problems."""

from __future__ import annotations

from web_support import site

from jcm.bootstrap import App


def test_the_front_page_speaks_japanese_or_english_as_the_browser_asks(app: App) -> None:
    japanese = site(app, language="ja").get("/")
    english = site(app, language="en-GB,en;q=0.8").get("/")

    assert japanese.status_code == 200
    assert '<html lang="ja">' in japanese.text
    assert "二国間クレジット制度（JCM）登録簿" in japanese.text
    assert '<html lang="en">' in english.text
    assert "Registry of the Joint Crediting Mechanism" in english.text


def test_the_language_switch_sets_a_cookie_and_returns_to_the_same_canonical_url(
    app: App,
) -> None:
    client = site(app, language="en")

    switched = client.get("/?lang=ja")
    after = client.get("/")

    assert switched.status_code == 303
    assert switched.headers["location"] == "/"
    assert "jcm_lang=ja" in switched.headers["set-cookie"]
    assert '<html lang="ja">' in after.text


def test_an_unknown_filter_on_a_page_is_a_400_page_naming_the_code(app: App) -> None:
    response = site(app).get("/?colour=red")

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "H2_UNKNOWN_FILTER" in response.text


def test_an_unknown_page_is_a_404_page_and_an_unknown_api_route_stays_a_problem(
    app: App,
) -> None:
    client = site(app)

    page = client.get("/no-such-page")
    api = client.get("/api/v1/no-such-route")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


def test_the_stylesheet_is_served_by_the_app_itself(app: App) -> None:
    response = site(app).get("/static/app.css")

    assert response.status_code == 200
    assert "prefers" in response.text or ":root" in response.text
