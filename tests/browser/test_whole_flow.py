"""The issue's whole flow in a real browser, once in Japanese and once in English.

A project participant uploads a monitoring report, the TPE verifies, the JC decides, both
registry managers issue, the holder transfers and cancels, and a signed-out visitor finds
the cancelled serials in the public search and downloads the certificate. Every person
signs in through the sign-in page (one-time password changed, a second factor enrolled
where the role needs one), each in a browser context of its own.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from browser_support import NewContext, Server, Shot
from openpyxl import load_workbook
from people import LOCALES, Person, new_people, signed_in
from playwright.sync_api import Page

PROJECT = "KE001"
# Each language reports its own half of 2025 (the demo issued 2023 and 2024), so the two
# runs never overlap whether or not they share a server.
PERIODS = {
    "ja": (date(2025, 1, 1), date(2025, 6, 30)),
    "en": (date(2025, 7, 1), date(2025, 12, 31)),
}
# The organisations of the demo's cast that take the steps of KE001's monitoring.
CAST = {
    "pp": "demo-jp-solar",  # KE001's focal point
    "tpe": "demo-tpe",
    "sec": "jc-sec-ke",
    "jc": "jc-ke",
    "rm_jp": "rm-jp",
    "rm_ke": "rm-ke",
}
PDF_BYTES = b"%PDF-1.4\n% a document the browser test uploads\n"


def people(server: Server, language: str) -> dict[str, Person]:
    """A new user in each organisation of the flow and the Kenyan holder, for this run."""
    return new_people(server, f"flow-{language}", CAST | {"holder": "demo-ke-holder"})


def filled_sheet(page: Page, tmp_path: Path, language: str) -> Path:
    """The monitoring sheet the work page hands out, filled with this run's period."""
    response = page.request.get(f"/work/projects/{PROJECT}/monitoring-sheet.xlsx")
    assert response.ok, response.text()
    book = load_workbook(io.BytesIO(response.body()))
    start, end = PERIODS[language]
    book.worksheets[0].append([start, end, 820.4])
    path = tmp_path / f"monitoring-{language}.xlsx"
    book.save(path)
    return path


def take_step(page: Page, period: str, action: str, tmp_path: Path, *documents: str) -> None:
    page.goto(f"/work/periods/{period}/steps/{action}")
    for kind in documents:
        upload = tmp_path / f"{kind}.pdf"
        upload.write_bytes(PDF_BYTES)
        page.set_input_files(f"#document-{kind}", str(upload))
    page.click("#take-step")
    page.wait_for_url(re.compile(r"/work$"))
    notice = page.locator("#work-notice")
    assert notice.get_attribute("data-kind") == action
    assert notice.get_attribute("data-subject") == period


def report(page: Page, tmp_path: Path, language: str, shot: Shot) -> str:
    """The participant uploads the filled sheet; the new period's id."""
    page.goto("/work")
    assert page.locator(
        f'#work-queue li[data-kind="submit_report"][data-project="{PROJECT}"]'
    ).count()
    page.goto(f"/work/projects/{PROJECT}/monitoring-report")
    page.set_input_files("#sheet", str(filled_sheet(page, tmp_path, language)))
    shot(page, f"flow-{language}-1-monitoring-report")
    page.click("#take-step")
    page.wait_for_url(re.compile(r"/work$"))
    notice = page.locator("#work-notice")
    assert notice.get_attribute("data-kind") == "submit_report"
    period = notice.get_attribute("data-subject")
    assert period is not None
    assert period.startswith(f"{PROJECT}-M")
    return period


def move(page: Page, account: str, kind: str, fields: dict[str, str], shot: Shot, name: str) -> str:
    """One move through the form and its confirmation screen; the confirmed serials."""
    page.goto(f"/accounts/{account}")
    page.click(f"#move-{kind}")
    for field, value in fields.items():
        if field == "purpose":
            page.select_option("#purpose", value)
        else:
            page.fill(f"#{field}", value)
    page.click("#review")
    serials = page.locator("#confirm-serials").inner_text()
    shot(page, name)
    page.click("#confirm")
    # The click returns once the next page starts loading; wait until it shows the outcome
    # (the record or a refusal), and name the refusal if there is one.
    page.wait_for_selector("#done, #refusal-code")
    refusal = page.locator("#refusal-code")
    message = page.locator("#refusal-message")
    assert refusal.count() == 0, (refusal.inner_text(), message.inner_text())
    assert page.locator("#done").count() == 1
    return serials


@pytest.mark.timeout(420)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_whole_flow_from_monitoring_report_to_public_certificate(
    language: str, new_context: NewContext, server: Server, shot: Shot, tmp_path: Path
) -> None:
    who = people(server, language)
    pp = signed_in(new_context, language, who["pp"])
    period = report(pp, tmp_path, language, shot)

    tpe = signed_in(new_context, language, who["tpe"])
    take_step(tpe, period, "start_verification", tmp_path)
    take_step(tpe, period, "verify", tmp_path, "verification_report")
    take_step(pp, period, "request_issuance", tmp_path, "issuance_request")
    take_step(
        signed_in(new_context, language, who["sec"]), period, "accept_issuance_request", tmp_path
    )
    jc = signed_in(new_context, language, who["jc"])
    jc.goto(f"/work/periods/{period}/steps/decide")
    shot(jc, f"flow-{language}-2-jc-decision")
    take_step(jc, period, "decide", tmp_path)
    for manager in ("rm_jp", "rm_ke"):
        take_step(
            signed_in(new_context, language, who[manager]), period, "record_issuance", tmp_path
        )

    holder = signed_in(new_context, language, who["holder"])
    holder.goto("/accounts")
    account = holder.locator("#accounts tbody tr td a").first.inner_text().strip()
    shot(holder, f"flow-{language}-3-holdings")
    move(holder, account, "transfer", {"destination": "KE-GOV-0001", "quantity": "7"}, shot,
         f"flow-{language}-4-transfer-confirmation")  # fmt: skip
    beneficiary = f"Browser test {language}"
    cancelled = move(
        holder,
        account,
        "cancel",
        {"quantity": "5", "purpose": "voluntary", "beneficiary": beneficiary},
        shot,
        f"flow-{language}-5-cancel-confirmation",
    )
    serial = re.search(r"[A-Z]{2}-[A-Z]{2}-JCM-\S+", cancelled)
    assert serial is not None, cancelled

    visitor = new_context(LOCALES[language]).new_page()
    visitor.goto("/serials")
    visitor.fill("#q", serial.group(0))
    visitor.press("#q", "Enter")
    visitor.wait_for_load_state()
    shot(visitor, f"flow-{language}-6-serial-search")
    assert beneficiary in visitor.content() or visitor.locator("a[href^='/certificates/']").count()
    visitor.locator("a[href^='/certificates/']").first.click()
    visitor.wait_for_url(re.compile(r"/certificates/\d+$"))
    shot(visitor, f"flow-{language}-7-certificate")
    assert beneficiary in visitor.content()
    with visitor.expect_download() as downloading:
        visitor.locator("a[href$='.pdf']").first.click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)

    assert saved.read_bytes().startswith(b"%PDF-")
    assert visitor.locator("html").get_attribute("lang") == language
