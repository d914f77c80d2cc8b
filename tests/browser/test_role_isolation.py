"""In the browser, each role sees only its own queue and each holder only its own accounts."""

from __future__ import annotations

import re

from browser_support import NewContext, Server, Shot
from people import new_people, signed_in
from playwright.sync_api import Page

ORGANISATIONS = {
    "solar_pp": "demo-jp-solar",  # KE001's participant
    "cooling_pp": "demo-jp-cooling",  # ID001's participant
    "tpe": "demo-tpe",
    "ke_holder": "demo-ke-holder",
    "jp_holder": "demo-jp-holder",
}


def queue(page: Page) -> list[tuple[str | None, str | None]]:
    page.goto("/work")
    items = page.locator("#work-queue li.queue-item")
    return [
        (items.nth(n).get_attribute("data-kind"), items.nth(n).get_attribute("data-project"))
        for n in range(items.count())
    ]


def accounts(page: Page) -> list[str]:
    page.goto("/accounts")
    return [a.strip() for a in page.locator("#accounts tbody tr td:first-child").all_inner_texts()]


def test_each_role_and_each_holder_sees_only_its_own_work_and_accounts(
    new_context: NewContext, server: Server, shot: Shot
) -> None:
    who = new_people(server, "iso", ORGANISATIONS)
    solar, cooling, tpe, ke_holder, jp_holder = (
        signed_in(new_context, "en", who[name]) for name in ORGANISATIONS
    )

    solar_queue, cooling_queue, tpe_queue = queue(solar), queue(cooling), queue(tpe)
    shot(solar, "isolation-queue-ke001-participant")
    ke_accounts, jp_accounts = accounts(ke_holder), accounts(jp_holder)
    shot(ke_holder, "isolation-accounts-ke-holder")
    ke_holder.goto(f"/accounts/{jp_accounts[0]}")
    someone_elses = ke_holder.locator("code").all_inner_texts()
    tpe.goto("/accounts")
    tpe_accounts = tpe.locator("#accounts tbody tr").count()

    assert ("submit_report", "KE001") in solar_queue
    assert {project for _, project in solar_queue} == {"KE001"}
    assert ("submit_report", "ID001") in cooling_queue
    assert {project for _, project in cooling_queue} == {"ID001"}
    assert all(kind != "submit_report" for kind, _ in tpe_queue)
    assert ke_accounts
    assert jp_accounts
    assert all(a.startswith("KE-") for a in ke_accounts)
    assert all(a.startswith("JP-") for a in jp_accounts)
    assert set(ke_accounts).isdisjoint(jp_accounts)
    assert "K4_NOT_VISIBLE" in someone_elses  # another holder's account: not found
    assert tpe_accounts == 0


def test_a_signed_out_visitor_is_sent_to_sign_in_from_a_queue(
    new_context: NewContext, server: Server
) -> None:
    page = new_context("ja-JP").new_page()

    page.goto("/work")

    assert re.search(r"/login\?next=%2Fwork$", page.url)
    assert page.locator("html").get_attribute("lang") == "ja"
