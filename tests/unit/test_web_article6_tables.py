"""How the Article 6.2 pages show a report's tables: titles in the reader's words, at most
``MAX_ROWS`` rows each with the whole count, and every file's address."""

from __future__ import annotations

from datetime import UTC, datetime

from jcm.domain.aef.tables import TABLE_COLUMNS, TABLE_TITLES
from jcm.entrypoints.web.article6_pages import MAX_ROWS, report_links, shown_tables
from jcm.service_layer.aef.report_results import ReportSummary, ReportView


def view_with(rows_per_table: tuple[int, ...]) -> ReportView:
    tables = [
        {"title": title, "columns": list(columns), "rows": [[str(i)] for i in range(count)]}
        for title, columns, count in zip(TABLE_TITLES, TABLE_COLUMNS, rows_per_table, strict=True)
    ]
    summary = ReportSummary(
        "KE", 2025, "1.0", "draft", "0" * 64, {}, (), datetime(2026, 1, 2, tzinfo=UTC)
    )
    return ReportView(summary, {"format": "jcm-aef/2", "tables": tables})


def test_a_long_table_is_cut_to_the_page_size_but_counted_whole() -> None:
    shown = shown_tables(view_with((1, 0, MAX_ROWS + 50, 3, 0)))

    assert [t["count"] for t in shown] == [1, 0, MAX_ROWS + 50, 3, 0]
    assert len(shown[2]["rows"]) == MAX_ROWS
    assert shown[2]["rows"][-1] == [str(MAX_ROWS - 1)]
    assert len(shown[3]["rows"]) == 3


def test_each_table_keeps_the_aef_title_and_gets_a_label_to_translate() -> None:
    shown = shown_tables(view_with((1, 0, 0, 0, 0)))

    assert [t["title"] for t in shown] == list(TABLE_TITLES)
    assert shown[2]["label"].startswith("Table 3: Actions")
    assert shown[1]["columns"] == list(TABLE_COLUMNS[1])


def test_a_report_version_links_to_its_page_and_its_three_files() -> None:
    links = report_links("KE", 2025, "1.1")

    assert links == {
        "page": "/article6/reports/KE/2025?version=1.1",
        "csv": "/article6/reports/KE/2025/export.csv?version=1.1",
        "xlsx": "/article6/reports/KE/2025/export.xlsx?version=1.1",
        "json": "/article6/reports/KE/2025/export.json?version=1.1",
    }
