"""The account holder's pages: its own accounts only, and moves behind a confirmation
screen that lists the exact serials the ledger then moves, once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import unescape

from aef_support import register_authorisation
from fastapi.testclient import TestClient
from web_support import sign_in, site

from jcm.bootstrap import App
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse
from jcm.domain.registry.transactions import TransactionKind


@dataclass
class World:
    client: TestClient
    csrf: str
    ke: str  # the signed-in holder's account (Kenya)
    jp: str  # another organisation's account (Japan)
    ke2: str  # another Kenyan organisation's account
    ke_org: str


def world(app: App) -> World:
    """Kenya's Solar Ltd holds 500 units of KE001 (serials 501-1000); Japan's Buyer KK
    holds an account; Solar Ltd's user is signed in."""
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    jp_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    ke_org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    jp = r.open_account(c.OpenAccount("JP", jp_org, AccountType.ENTITY_HOLDING, "Buyer")).account
    ke = r.open_account(c.OpenAccount("KE", ke_org, AccountType.ENTITY_HOLDING, "Solar")).account
    wind = r.create_organisation(c.CreateOrganisation("KE", "Wind Ltd")).organisation
    ke2 = r.open_account(c.OpenAccount("KE", wind, AccountType.ENTITY_HOLDING, "Wind")).account
    shares = (AllocationShare("JP-GOV-0001", Decimal(50)), AllocationShare(ke, Decimal(50)))
    decision = r.record_decision(
        c.RecordDecision("KE001", date(2023, 1, 1), date(2023, 12, 31), 2023, 1000, shares)
    ).decision
    r.issue(c.Issue(decision, "JP"))
    r.issue(c.Issue(decision, "KE"))
    client = site(app)
    csrf = sign_in(client, app, ke_org, "solar-holder")
    return World(client, csrf, ke, jp, ke2, ke_org)


def held(app: App, account: str) -> int:
    return sum(h.quantity for h in app.registry.holdings(account))


def test_a_holder_sees_only_its_own_accounts(app: App) -> None:
    w = world(app)

    listing = w.client.get("/accounts")
    own = w.client.get(f"/accounts/{w.ke}")
    other = w.client.get(f"/accounts/{w.jp}")
    absent = w.client.get("/accounts/KE-ENT-9999")

    assert listing.status_code == 200
    assert w.ke in listing.text
    assert w.jp not in listing.text
    assert own.status_code == 200
    assert 'id="holdings"' in own.text
    assert "KE-KE-JCM-KE001-2023-1-501-1000" in own.text
    assert other.status_code == 404
    assert "K4_NOT_VISIBLE" in other.text
    assert absent.status_code == 404
    assert "K4_NOT_VISIBLE" in absent.text
    assert other.headers["content-type"].startswith("text/html")


def hidden_fields(html: str, form_id: str) -> dict[str, list[str]]:
    """The hidden fields of one form of a page (what a browser would post)."""
    block = html.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', block):
        fields.setdefault(unescape(name), []).append(unescape(value))
    return fields


def listed_serials(html: str) -> list[str]:
    block = html.split('id="confirm-serials"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<code>([^<]+)</code>", block)


def confirm(w: World, move: str, **fields: str) -> tuple[str, dict[str, list[str]]]:
    form = {"csrf_token": w.csrf, **fields}
    page = w.client.post(f"/accounts/{w.ke}/{move}/confirm", data=form)
    assert page.status_code == 200, page.text
    return page.text, hidden_fields(page.text, "confirm-form")


def test_a_transfer_moves_exactly_the_serials_its_confirmation_listed_and_only_once(
    app: App,
) -> None:
    w = world(app)
    form = w.client.get(f"/accounts/{w.ke}/transfer")
    assert form.status_code == 200
    assert '<label for="destination">' in form.text
    assert '<label for="quantity">' in form.text

    screen, fields = confirm(w, "transfer", destination=w.ke2, quantity="100")
    assert listed_serials(screen) == ["KE-KE-JCM-KE001-2023-1-501-600"]
    assert held(app, w.ke) == 500  # a confirmation screen moves nothing

    first = w.client.post(f"/accounts/{w.ke}/transfer", data=fields)
    again = w.client.post(f"/accounts/{w.ke}/transfer", data=fields)

    assert first.status_code == 200, first.text
    assert "KE-KE-JCM-KE001-2023-1-501-600" in first.text
    assert 'id="replayed"' not in first.text
    assert 'id="replayed"' in again.text
    assert held(app, w.ke) == 400
    assert held(app, w.ke2) == 100
    where = app.registry.lookup_serial("KE-KE-JCM-KE001-2023-1-501-600").locations
    assert [(loc.account, loc.quantity) for loc in where] == [(w.ke2, 100)]
    assert len(app.registry.transactions(10, account=w.ke2)) == 1


def test_a_retirement_says_it_is_final_moves_the_listed_ranges_and_links_certificates(
    app: App,
) -> None:
    w = world(app)
    # Serials 601-700 leave first, so 200 units by quantity span two ranges.
    app.registry.transfer(c.Move(w.ke, w.ke2, serials="KE-KE-JCM-KE001-2023-1-601-700"))

    screen, fields = confirm(w, "retire", quantity="200", beneficiary="Kenya Power plc")
    listed = listed_serials(screen)
    done = w.client.post(f"/accounts/{w.ke}/retire", data=fields)

    assert listed == ["KE-KE-JCM-KE001-2023-1-501-600", "KE-KE-JCM-KE001-2023-1-701-800"]
    assert "final and cannot be undone" in screen
    assert done.status_code == 200, done.text
    ids = re.findall(r'<td class="transaction-id">(\d+)</td>', done.text)
    assert len(ids) == 2
    for tx in ids:
        assert f'href="/certificates/{tx}"' in done.text
    for serial in listed:
        where = app.registry.lookup_serial(serial).locations
        assert [loc.account for loc in where] == ["KE-RET-0003"]
    retired = app.registry.transactions(10, account=w.ke, kind="retirement")
    assert {str(t.id) for t in retired} == set(ids)
    assert all(t.detail.get("beneficiary") == "Kenya Power plc" for t in retired)
    assert held(app, w.ke) == 200


def test_an_external_transfer_and_a_cancellation_say_what_they_mean(app: App) -> None:
    w = world(app)
    # Kenya authorises its first 10 units for use towards an NDC: they leave as ITMOs.
    register_authorisation(app, "KE", "LoA-1")
    app.registry.authorise(c.Authorise(w.ke, frozenset({AuthorisedUse.NDC}), "LoA-1", quantity=10))

    external, _ = confirm(w, "external-transfer", destination=w.jp, quantity="10")
    cancel, _ = confirm(w, "cancel", quantity="10", purpose="voluntary", beneficiary="X")

    assert "leave registry KE" in external
    assert w.jp in external
    assert "this is the first transfer of 10 of these units" in external
    assert "corresponding adjustment becomes due" in external
    assert "cancellation is final and cannot be undone" in cancel
    assert held(app, w.ke) == 500


def test_a_refusal_shows_the_domain_code_and_message_on_the_form(app: App) -> None:
    w = world(app)

    too_many = w.client.post(
        f"/accounts/{w.ke}/transfer/confirm",
        data={"csrf_token": w.csrf, "destination": w.ke2, "quantity": "5000"},
    )
    wrong_registry = w.client.post(
        f"/accounts/{w.ke}/transfer/confirm",
        data={"csrf_token": w.csrf, "destination": w.jp, "quantity": "5"},
    )

    assert too_many.status_code == 409
    assert 'id="refusal-code">U2_INSUFFICIENT_UNITS<' in too_many.text
    assert 'id="move-form"' in too_many.text
    assert 'value="5000"' in too_many.text
    assert wrong_registry.status_code >= 400
    assert 'id="refusal-code">' in wrong_registry.text
    assert held(app, w.ke) == 500


def test_a_post_without_the_csrf_field_is_refused_and_moves_nothing(app: App) -> None:
    w = world(app)
    _, fields = confirm(w, "transfer", destination=w.ke2, quantity="100")
    without = {k: v for k, v in fields.items() if k != "csrf_token"}

    response = w.client.post(f"/accounts/{w.ke}/transfer", data=without)

    assert response.status_code == 403
    assert "K2_CSRF" in response.text
    assert held(app, w.ke) == 500


def test_another_holders_account_cannot_be_moved_from(app: App) -> None:
    w = world(app)

    form = w.client.get(f"/accounts/{w.jp}/transfer")
    post = w.client.post(
        f"/accounts/{w.jp}/transfer/confirm",
        data={"csrf_token": w.csrf, "destination": w.ke, "quantity": "1"},
    )

    assert form.status_code == 404
    assert "K4_NOT_VISIBLE" in form.text
    assert post.status_code == 404
    assert "K4_NOT_VISIBLE" in post.text


def test_the_confirmation_speaks_japanese_to_a_japanese_reader(app: App) -> None:
    w = world(app)
    w.client.headers["Accept-Language"] = "ja"

    screen, _ = confirm(w, "retire", quantity="5", beneficiary="ケニア電力")
    detail = w.client.get(f"/accounts/{w.ke}")

    assert '<html lang="ja">' in screen
    assert "償却は最終的なもので、取り消すことはできません" in screen
    assert listed_serials(screen) == ["KE-KE-JCM-KE001-2023-1-501-505"]
    assert "シリアル番号ブロック別の保有" in detail.text


def test_a_dry_run_changes_nothing_and_names_what_the_move_then_takes(app: App) -> None:
    w = world(app)
    move = c.Move(w.ke, w.ke2, quantity=120)
    before = (app.registry.transactions(100), app.registry.audit(), held(app, w.ke))

    preview = app.registry.preview_move(move, TransactionKind.TRANSFER)
    after = (app.registry.transactions(100), app.registry.audit(), held(app, w.ke))
    done = app.registry.transfer(move)

    assert after == before
    assert preview.serials == done.serials == ("KE-KE-JCM-KE001-2023-1-501-620",)
    assert preview.quantity == done.quantity == 120


def test_change_the_move_returns_to_the_form_with_what_was_typed(app: App) -> None:
    w = world(app)
    _, fields = confirm(w, "transfer", destination=w.ke2, quantity="7", note="for the pilot")
    edit = {k: v for k, v in fields.items() if k not in ("range", "idempotency_key")}

    back = w.client.post(f"/accounts/{w.ke}/transfer/edit", data=edit)

    assert back.status_code == 200
    assert 'id="move-form"' in back.text
    assert 'value="7"' in back.text
    assert ">for the pilot</textarea>" in back.text
    assert held(app, w.ke) == 500
