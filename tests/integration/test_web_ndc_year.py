"""The web cancellation form gives the NDC year a use counts for: asked for cancellations
only, carried through the confirmation, recorded, or refused on the form (SQLite and
PostgreSQL)."""

from __future__ import annotations

from test_web_accounts import confirm, world

from jcm.bootstrap import App


def test_a_cancellation_towards_an_ndc_records_the_year_confirmed_on_the_web(app: App) -> None:
    w = world(app)  # the app's clock: 1 April 2026
    assert 'name="ndc_year"' in w.client.get(f"/accounts/{w.ke}/cancel").text
    assert 'name="ndc_year"' not in w.client.get(f"/accounts/{w.ke}/transfer").text

    screen, fields = confirm(w, "cancel", quantity="10", purpose="ndc", ndc_year="2025")
    done = w.client.post(f"/accounts/{w.ke}/cancel", data=fields)

    assert 'id="confirm-ndc-year">2025<' in screen
    assert done.status_code == 200, done.text
    (used,) = app.registry.transactions(10, account=w.ke, kind="cancellation")
    assert used.detail == {"purpose": "ndc", "ndc_year": 2025}


def test_an_ndc_year_after_the_cancellation_or_not_a_year_is_refused_on_the_form(
    app: App,
) -> None:
    w = world(app)
    for year in ("2027", "next"):
        page = w.client.post(
            f"/accounts/{w.ke}/cancel/confirm",
            data={"csrf_token": w.csrf, "quantity": "10", "purpose": "ndc", "ndc_year": year},
        )
        assert page.status_code == 422
        assert 'id="refusal-code">T8_BAD_NDC_YEAR<' in page.text
        assert f'value="{year}"' in page.text
    voluntary = w.client.post(
        f"/accounts/{w.ke}/cancel/confirm",
        data={"csrf_token": w.csrf, "quantity": "1", "purpose": "voluntary", "ndc_year": "2025"},
    )
    assert 'id="refusal-code">T8_NDC_YEAR_NOT_USE<' in voluntary.text
    assert app.registry.transactions(10, account=w.ke, kind="cancellation") == []
