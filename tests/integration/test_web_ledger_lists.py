"""The public lists of issuances and of cancellations and retirements: pages in both
languages, filters that narrow (and refuse what they do not know), CSV and XLSX exports."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from aef_support import register_authorisation
from api_support import is_problem
from fastapi.testclient import TestClient
from ledger_web_support import BOM, FORMULA, LedgerWorld, csv_rows, ledger_world
from openpyxl import load_workbook
from web_support import site

from jcm.bootstrap import App
from jcm.domain.registry import commands as c
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.entrypoints.web.export import csv_chunks, xlsx_file
from jcm.entrypoints.web.ledger_columns import RETIREMENT_COLUMNS
from jcm.entrypoints.web.listing import chosen_columns, table
from jcm.service_layer.public import ledger as public_ledger
from jcm.service_layer.public.ledger_results import RetirementFilter, RetirementRow

ISSUANCE_HEADER = (
    "issuance_date,transaction_id,project_id,project_name,country,registry,side,decision_id,"
    "decision_reference,vintage,monitoring_period,monitoring_period_start,"
    "monitoring_period_end,quantity_issued,serial_numbers,article6_authorised_uses,"
    "article6_authorised_quantity,article6_first_transferred_quantity,"
    "article6_adjusted_quantity"
)
RETIREMENT_HEADER = (
    "date,transaction_id,kind,purpose,registry,account,project_ids,countries,vintages,"
    "quantity,serial_numbers,beneficiary,reason,article6_authorised_uses,"
    "article6_authorised_quantity,article6_first_transferred_quantity,"
    "article6_adjusted_quantity"
)


@pytest.fixture
def world(app: App) -> LedgerWorld:
    return ledger_world(app)


def ids(client: TestClient, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [int(row["transaction_id"]) for row in csv_rows(response.text)]


def test_the_issuance_list_shows_each_issuance_with_its_fields_in_english(
    app: App, world: LedgerWorld
) -> None:
    page = site(app, language="en").get("/issuances")

    assert page.status_code == 200
    assert page.text.count("<h1>") == 1
    assert "JP-KE-JCM-KE001-2023-1-1-500" in page.text
    assert "KE-KE-JCM-KE001-2023-1-501-1000" in page.text
    assert "KE-KE-JCM-KE002-2024-1-1-200" in page.text
    assert "Japan's side" in page.text
    assert "Partner country's side" in page.text
    assert "Vintage 2024, monitoring period 1" in page.text
    assert "JC-KE-2024-7" in page.text
    assert "April 1, 2026" in page.text
    assert "Not authorised" in page.text


def test_the_issuance_list_speaks_japanese(app: App, world: LedgerWorld) -> None:
    page = site(app, language="ja").get("/issuances")

    assert '<html lang="ja">' in page.text
    assert "日本側" in page.text
    assert "パートナー国側" in page.text
    assert "ビンテージ 2023、第 1 モニタリング期間" in page.text
    assert "2026年4月1日" in page.text
    assert "ケニア" in page.text
    assert "未承認" in page.text


def test_the_retirement_list_shows_kind_beneficiary_serials_and_certificate_in_both_languages(
    app: App, world: LedgerWorld
) -> None:
    english = site(app, language="en").get("/retirements").text
    japanese = site(app, language="ja").get("/retirements").text

    assert "Voluntary cancellation" in english
    assert "Retirement" in english
    assert "Acme" in english
    assert "=HYPERLINK(&#34;x&#34;)" in english  # shown as text, escaped
    assert "FY2025 claim" in english
    assert "JP-KE-JCM-KE001-2023-1-1-40" in english
    assert "KE-KE-JCM-KE001-2023-1-501-530" in english
    assert f'href="/certificates/{world.retirement}"' in english
    assert f'href="/certificates/{world.cancellation}"' in english
    assert "自主的取消" in japanese
    assert "償却" in japanese
    assert "証明書" in japanese


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["ke002", "ke", "jp"]),
        ("?registry=JP", ["jp"]),
        ("?registry=ke", ["ke002", "ke"]),
        ("?project=KE002", ["ke002"]),
        ("?country=KE", ["ke002", "ke", "jp"]),
        ("?country=ID", []),
        ("?year=2026", ["ke002", "ke", "jp"]),
        ("?year=2025", []),
        ("?registry=KE&project=KE001", ["ke"]),
    ],
)
def test_each_issuance_filter_narrows_the_list(
    app: App, world: LedgerWorld, query: str, expected: list[str]
) -> None:
    by_name = {"jp": world.issued_jp, "ke": world.issued_ke, "ke002": world.issued_ke002}

    assert ids(site(app), f"/issuances.csv{query}") == [by_name[n] for n in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["cancellation", "retirement"]),
        ("?kind=retirement", ["retirement"]),
        ("?kind=cancellation", ["cancellation"]),
        ("?purpose=voluntary", ["cancellation"]),
        ("?purpose=ndc", []),
        ("?registry=JP", ["retirement"]),
        ("?project=KE001", ["cancellation", "retirement"]),
        ("?project=KE002", []),
        ("?year=2026", ["cancellation", "retirement"]),
        ("?year=2027", []),
    ],
)
def test_each_retirement_filter_narrows_the_list(
    app: App, world: LedgerWorld, query: str, expected: list[str]
) -> None:
    by_name = {"cancellation": world.cancellation, "retirement": world.retirement}

    assert ids(site(app), f"/retirements.csv{query}") == [by_name[n] for n in expected]


def test_the_html_list_applies_the_same_filter(app: App, world: LedgerWorld) -> None:
    page = site(app).get("/issuances?registry=JP").text

    assert "JP-KE-JCM-KE001-2023-1-1-500" in page
    assert "KE-KE-JCM-KE002-2024-1-1-200" not in page
    assert 'href="/issuances.csv?registry=JP"' in page


def test_empty_filter_fields_redirect_to_the_canonical_address(
    app: App, world: LedgerWorld
) -> None:
    response = site(app).get("/retirements?registry=&kind=retirement&year=")

    assert response.status_code == 303
    assert response.headers["location"] == "/retirements?kind=retirement"


@pytest.mark.parametrize("path", ["/issuances", "/retirements"])
def test_an_unknown_filter_is_a_400_page_and_a_400_problem_on_the_export(
    app: App, world: LedgerWorld, path: str
) -> None:
    client = site(app)

    page = client.get(f"{path}?colour=red")
    export = client.get(f"{path}.csv?colour=red")

    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "H2_UNKNOWN_FILTER" in page.text
    assert is_problem(export, 400, "H2_UNKNOWN_FILTER")
    assert is_problem(client.get(f"{path}.xlsx?colour=red"), 400, "H2_UNKNOWN_FILTER")


def test_a_malformed_filter_value_is_refused_not_ignored(app: App, world: LedgerWorld) -> None:
    client = site(app)

    assert is_problem(client.get("/issuances.csv?year=20x6"), 422, "H2_BAD_REQUEST")
    assert is_problem(client.get("/retirements.csv?kind=transfer"), 422, "H2_BAD_REQUEST")
    assert client.get("/issuances?registry=JPN").status_code == 422


def test_an_unknown_column_is_a_400_problem(app: App, world: LedgerWorld) -> None:
    response = site(app).get("/retirements.csv?_columns=date,colour")

    assert is_problem(response, 400, "H2_UNKNOWN_COLUMN")
    assert "beneficiary" in response.json()["details"]["allowed"]


def test_the_retirement_csv_has_the_exact_header_a_bom_safe_text_and_plain_numbers(
    app: App, world: LedgerWorld
) -> None:
    response = site(app).get("/retirements.csv")
    lines = response.text.split("\r\n")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.startswith(BOM)
    assert lines[0] == BOM + RETIREMENT_HEADER
    assert lines[2] == (
        f"2026-04-01,{world.retirement},retirement,,JP,{world.jp_account},KE001,KE,2023,40,"
        'JP-KE-JCM-KE001-2023-1-1-40,"\'=HYPERLINK(""x"")",FY2025 claim,,0,0,0'
    )
    retired = csv_rows(response.text)[1]
    assert retired["beneficiary"] == "'" + FORMULA
    assert retired["quantity"] == "40"


def test_the_issuance_csv_has_the_exact_header_and_iso_dates(app: App, world: LedgerWorld) -> None:
    text = site(app).get("/issuances.csv?project=KE002").text

    assert text.split("\r\n")[0] == BOM + ISSUANCE_HEADER
    row = csv_rows(text)[0]
    assert row["issuance_date"] == "2026-04-01"
    assert row["monitoring_period_start"] == "2024-01-01"
    assert row["monitoring_period_end"] == "2024-12-31"
    assert (row["quantity_issued"], row["vintage"], row["side"]) == ("200", "2024", "partner")
    assert row["decision_reference"] == "JC-KE-2024-7"


def test_columns_choose_and_order_the_exported_columns(app: App, world: LedgerWorld) -> None:
    text = site(app).get("/retirements.csv?_columns=quantity,date&kind=retirement").text

    assert text == f"{BOM}quantity,date\r\n40,2026-04-01\r\n"


def test_the_xlsx_export_opens_with_its_rows_numbers_as_numbers(
    app: App, world: LedgerWorld
) -> None:
    response = site(app).get("/retirements.xlsx")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert response.status_code == 200
    assert rows[0] == RETIREMENT_HEADER.split(",")
    assert [row[1] for row in rows[1:]] == [world.cancellation, world.retirement]
    assert rows[2][9] == 40
    assert rows[2][11] == "'" + FORMULA


def test_the_issuance_xlsx_export_has_every_issuance(app: App, world: LedgerWorld) -> None:
    response = site(app).get("/issuances.xlsx?_columns=transaction_id,quantity_issued")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]

    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["transaction_id", "quantity_issued"],
        [world.issued_ke002, 200],
        [world.issued_ke, 500],
        [world.issued_jp, 500],
    ]


def test_the_html_list_is_paged_by_a_keyset_cursor(app: App, world: LedgerWorld) -> None:
    client = site(app)

    first = client.get("/issuances?_size=2").text
    second = client.get(f"/issuances?_size=2&_cursor={world.issued_ke}").text

    assert "KE-KE-JCM-KE002-2024-1-1-200" in first
    assert "JP-KE-JCM-KE001-2023-1-1-500" not in first
    assert f'href="/issuances?_size=2&amp;_cursor={world.issued_ke}"' in first
    assert "JP-KE-JCM-KE001-2023-1-1-500" in second
    assert "KE-KE-JCM-KE002-2024-1-1-200" not in second
    assert 'rel="next"' not in second


def test_a_2000_row_export_is_streamed_in_several_chunks(app: App, world: LedgerWorld) -> None:
    shares = (AllocationShare(world.ke_account, Decimal(100)),)
    decision = app.registry.record_decision(
        c.RecordDecision("KE003", date(2025, 1, 1), date(2025, 12, 31), 2025, 2000, shares)
    ).decision
    app.registry.issue(c.Issue(decision, "KE"))
    retire_one = (c.Move(world.ke_account, quantity=1), TransactionKind.RETIREMENT)
    app.registry.batch([retire_one] * 2000)

    with site(app).stream("GET", "/retirements.csv?_columns=transaction_id,quantity") as response:
        chunks = list(response.iter_raw())

    body = b"".join(chunks).decode("utf-8")
    assert response.status_code == 200
    assert len(chunks) >= 4
    assert len(csv_rows(body)) == 2002


def article6_moves(app: App, world: LedgerWorld) -> None:
    """Authorised Kenyan units first-transferred to Japan, part of them adjusted, then
    retired by Japan's buyer with units of both origins (several ranges, one of them in two
    blocks), and a cancellation of two projects; texts that look like formulas."""
    register_authorisation(app, "KE", "LoA-1")
    app.registry.authorise(
        c.Authorise(world.ke_account, frozenset({AuthorisedUse.NDC}), "LoA-1", quantity=100)
    )
    app.registry.external_transfer(c.Move(world.ke_account, world.jp_account, quantity=150))
    app.registry.apply_corresponding_adjustment(
        c.ApplyCorrespondingAdjustment("KE-KE-JCM-KE001-2023-1-531-580", 2025)
    )
    app.registry.retire(
        c.Move(world.jp_account, quantity=120, beneficiary="@SUM(A1)", note="+81 3 1234")
    )
    # Adjusted once retired: the retirement's range 581-590 is now in two blocks.
    app.registry.apply_corresponding_adjustment(
        c.ApplyCorrespondingAdjustment("KE-KE-JCM-KE001-2023-1-581-585", 2025)
    )
    app.registry.cancel(  # the last of KE001 (681-1000) and the first of KE002
        c.Move(world.ke_account, quantity=325, purpose=CancellationPurpose.NDC, note="-x\t")
    )


def page_rows(app: App, filters: RetirementFilter) -> list[RetirementRow]:
    """Every row the HTML list shows, two to a page."""
    rows: list[RetirementRow] = []
    cursor: int | None = None
    while True:
        page = app.public.ledger.retirements(filters, cursor=cursor, size=2)
        rows += page.rows
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


@pytest.mark.parametrize("per_read", [1, 2000])
@pytest.mark.parametrize(
    ("query", "filters", "columns"),
    [
        ("", RetirementFilter(), None),
        ("?kind=retirement&registry=JP", RetirementFilter("JP", "retirement"), None),
        (
            "?_columns=serial_numbers,beneficiary,date,article6_adjusted_quantity",
            RetirementFilter(),
            "serial_numbers,beneficiary,date,article6_adjusted_quantity",
        ),
    ],
)
def test_the_retirement_exports_write_exactly_what_the_paged_list_shows(
    app: App,
    world: LedgerWorld,
    monkeypatch: pytest.MonkeyPatch,
    per_read: int,
    query: str,
    filters: RetirementFilter,
    columns: str | None,
) -> None:
    article6_moves(app, world)
    monkeypatch.setattr(public_ledger, "EXPORT_TABLE_PAGE", per_read)
    chosen = chosen_columns(RETIREMENT_COLUMNS, columns)
    header = [column.key for column in chosen]
    rows = page_rows(app, filters)
    client = site(app)

    exported = client.get(f"/retirements.csv{query}").content
    workbook = client.get(f"/retirements.xlsx{query}").content

    expected = "".join(csv_chunks(header, table(rows, chosen))).encode()
    assert exported == expected
    with xlsx_file("retirements", header, table(rows, chosen)) as expected_book:
        assert sheet_rows(workbook) == sheet_rows(expected_book.read())
    if not query:  # the ledger has what the test means to cover
        cells = csv_rows(exported.decode())
        assert any("; " in row["serial_numbers"] for row in cells)
        assert any(row["project_ids"] == "KE001; KE002" for row in cells)
        assert any(row["article6_adjusted_quantity"] not in ("", "0") for row in cells)
        assert any(row["beneficiary"] == "'@SUM(A1)" for row in cells)


def sheet_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
