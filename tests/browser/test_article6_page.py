"""The public Article 6.2 page in a real browser, reached from the main navigation."""

from __future__ import annotations

from browser_support import Shot
from playwright.sync_api import Page


def test_the_article6_page_opens_from_the_navigation_in_japanese(ja_page: Page, shot: Shot) -> None:
    ja_page.goto("/")

    with ja_page.expect_navigation():
        ja_page.get_by_role("navigation", name="メイン").get_by_role(
            "link", name="6条2項の報告"
        ).click()

    assert ja_page.url.endswith("/article6")
    assert ja_page.locator("h1").inner_text() == "6条2項の報告"
    assert ja_page.get_by_role("heading", name="協力的アプローチ").is_visible()
    assert "CA0001" in ja_page.locator("#approaches").inner_text()  # the demo's approach
    shot(ja_page, "article6-ja")
