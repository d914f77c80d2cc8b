"""The public pages on a phone-sized screen: nothing wider than the screen, every form
control labelled, one h1, the landmarks in place, in Japanese and in English."""

from __future__ import annotations

import pytest
from browser_support import NewContext, Shot
from playwright.sync_api import ViewportSize

PAGES = [
    "/",
    "/projects",
    "/projects/KE-F001",
    "/issuances",
    "/retirements",
    "/serials",
    "/countries",
    "/countries/KE",
    "/registries/KE",
    "/dashboard",
    "/transparency",
    "/login",
]
PHONE = ViewportSize(width=375, height=740)
# Form controls a person fills in, and whether each has a label (its own <label for>, a
# wrapping <label> or an aria-label).
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => !['hidden', 'submit', 'button'].includes(e.type))
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
LANDMARKS = "() => ['header', 'nav', 'main', 'footer'].filter(t => !document.querySelector(t))"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_every_public_page_fits_a_phone_and_labels_its_controls(
    locale: str, new_context: NewContext, shot: Shot
) -> None:
    context = new_context(locale)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    problems: dict[str, object] = {}

    for path in PAGES:
        response = page.goto(path)
        found = {
            "status": response.status if response else None,
            "overflow": page.evaluate(OVERFLOW),
            "unlabelled": page.evaluate(UNLABELLED),
            "h1": page.locator("h1").count(),
            "missing landmarks": page.evaluate(LANDMARKS),
            "lang": page.locator("html").get_attribute("lang"),
        }
        expected = {
            "status": 200,
            "overflow": 0,
            "unlabelled": [],
            "h1": 1,
            "missing landmarks": [],
            "lang": locale[:2],
        }
        if found != expected:
            problems[path] = {k: v for k, v in found.items() if v != expected[k]}
        if path in ("/projects", "/dashboard", "/retirements"):
            shot(page, f"phone-{locale[:2]}{path.replace('/', '-')}")

    assert problems == {}
