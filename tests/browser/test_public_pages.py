"""The public pages in a real browser: both languages, the keyboard, a certificate."""

from __future__ import annotations

from pathlib import Path

from browser_support import NewContext, Server, Shot, SignIn
from playwright.sync_api import Page

JAPANESE_HEADING = "二国間クレジット制度（JCM）登録簿"
ENGLISH_HEADING = "Registry of the Joint Crediting Mechanism"


def _lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def _press_tab_until(page: Page, selector: str, limit: int = 40) -> None:
    """Tab through the page until ``selector`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus in {limit} presses of Tab")


def test_the_front_page_speaks_japanese_to_a_japanese_browser(ja_page: Page, shot: Shot) -> None:
    ja_page.goto("/")

    assert _lang(ja_page) == "ja"
    assert ja_page.locator("h1").inner_text() == JAPANESE_HEADING
    shot(ja_page, "front-page-ja")


def test_the_front_page_speaks_english_to_an_english_browser(en_page: Page, shot: Shot) -> None:
    en_page.goto("/")

    assert _lang(en_page) == "en"
    assert en_page.locator("h1").inner_text() == ENGLISH_HEADING
    shot(en_page, "front-page-en")


def test_the_language_switch_works_from_the_keyboard(ja_page: Page, shot: Shot) -> None:
    ja_page.goto("/")

    _press_tab_until(ja_page, 'a[hreflang="en"]')
    with ja_page.expect_navigation():
        ja_page.keyboard.press("Enter")

    assert _lang(ja_page) == "en"
    assert ja_page.locator("h1").inner_text() == ENGLISH_HEADING
    assert "lang=" not in ja_page.url  # the switch returns to the canonical URL
    shot(ja_page, "language-switched-to-en")


def test_the_skip_link_is_the_first_stop_and_moves_to_the_content(en_page: Page) -> None:
    en_page.goto("/")

    en_page.keyboard.press("Tab")
    skip = en_page.locator("a.skip")
    focused = en_page.evaluate("document.activeElement.className")
    box = skip.bounding_box()
    en_page.keyboard.press("Enter")

    assert focused == "skip"
    assert box is not None
    assert box["x"] >= 0  # shown on screen once focused
    assert en_page.url.endswith("#main")
    assert en_page.evaluate("document.activeElement.id") == "main"


def _retirement(server: Server) -> int:
    found = server.api("/public/transactions?kind=retirement")["items"]
    assert found, "the demo retires units"
    return int(found[0]["id"])


def test_a_certificate_page_opens_and_its_pdf_downloads(
    new_context: NewContext, server: Server, shot: Shot, tmp_path: Path
) -> None:
    transaction = _retirement(server)
    page = new_context("en-US").new_page()

    page.goto(f"/certificates/{transaction}")
    heading = page.locator("h1").inner_text()
    serial = page.locator("code.serial").first.inner_text()
    shot(page, "certificate-en")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the certificate").click()
    download = downloading.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    assert heading == f"Certificate of retirement {transaction}"
    assert serial.startswith("JP-KE-JCM-KE001-")
    assert download.suggested_filename == f"jcm-retirement-certificate-{transaction}.pdf"
    assert saved.read_bytes().startswith(b"%PDF-")


def test_a_certificate_page_in_japanese_links_its_inclusion_proof(
    ja_page: Page, server: Server, shot: Shot
) -> None:
    transaction = _retirement(server)

    ja_page.goto(f"/certificates/{transaction}")
    proof = ja_page.locator("a.inclusion-proof").get_attribute("href")
    bundle = server.api(f"/log/transactions/{transaction}/inclusion-proof")

    assert ja_page.locator("h1").inner_text() == f"償却証明書 {transaction}"
    assert proof == f"{server.url}/api/v1/log/transactions/{transaction}/inclusion-proof"
    assert ja_page.locator("code.log-index").inner_text() == str(bundle["index"])
    shot(ja_page, "certificate-ja")


def test_a_demo_user_signed_in_by_the_fixture_is_shown_as_signed_in(
    new_context: NewContext, sign_in: SignIn
) -> None:
    first, again = new_context("en-US"), new_context("ja-JP")
    sign_in(first, "registry_manager")  # a role that needs a second factor
    sign_in(again, "registry_manager")  # the changed password and the enrolled factor
    pages = [first.new_page(), again.new_page()]

    for page in pages:
        page.goto("/")

    assert pages[0].get_by_role("button", name="Sign out").is_visible()
    assert pages[0].get_by_role("link", name="Sign in").count() == 0
    assert pages[1].get_by_role("button", name="ログアウト").is_visible()
