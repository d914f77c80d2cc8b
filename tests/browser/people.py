"""People of the browser tests: new users made on the server's data, signed in through the
sign-in pages as a person would (one-time password changed, TOTP enrolled when asked)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyotp
from browser_support import NEW_PASSWORD, NewContext, Server
from playwright.sync_api import Page

from jcm.bootstrap import Settings, bootstrap
from jcm.domain.identity.principal import OPERATOR
from jcm.entrypoints.demo_users import demo_account_holders
from jcm.service_layer.identity.accounts import CreateUser

LOCALES = {"ja": "ja-JP", "en": "en-US"}


@dataclass(frozen=True)
class Person:
    login: str
    password: str  # one-time


def new_people(server: Server, prefix: str, organisations: Mapping[str, str]) -> dict[str, Person]:
    """A new user in each organisation (``who → organisation``; ``"demo-ke-holder"`` or
    ``"demo-jp-holder"`` name the demo's account-holding organisations), logins
    ``{prefix}-{who}``."""
    app = bootstrap(Settings.from_env(server.data_dir), announce=None)
    try:
        holders = demo_account_holders(app.registry)
        made = {}
        for who, org in organisations.items():
            login = f"{prefix}-{who.replace('_', '-')}"
            created = app.identity.create_user(
                CreateUser(holders.get(org, org), login, login), OPERATOR
            )
            made[who] = Person(login, created.password)
        return made
    finally:
        app.close()


def signed_in(new_context: NewContext, language: str, person: Person) -> Page:
    """A browser signed in through the pages: sign in, change the one-time password, enrol
    and confirm a TOTP second factor when asked."""
    page = new_context(LOCALES[language]).new_page()
    page.goto("/login")
    page.fill("#login", person.login)
    page.fill("#password", person.password)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/account/password"))
    page.fill("#old-password", person.password)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#confirm-password", NEW_PASSWORD)
    page.click("#change-password")
    page.wait_for_load_state()
    if "/account/second-factor" in page.url:
        page.click("#start-enrolment")
        secret = page.locator("#totp-secret").inner_text().strip()
        page.fill("#totp-code", pyotp.TOTP(secret).now())
        page.click("#confirm-code")
        page.wait_for_load_state()
    assert "/login" not in page.url, page.url
    assert "/account/" not in page.url, page.url
    return page
