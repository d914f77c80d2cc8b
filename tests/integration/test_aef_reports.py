"""A Party's AEF report as a product, on SQLite and PostgreSQL: build → check → submit →
supersede → export → verify from the log, and tampering found."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aef_report_support import Clock, World, adjust, build_world, make_app, register_entity
from openpyxl import load_workbook
from sqlalchemy import text, update

from jcm.adapters import schema
from jcm.domain.aef.tables import TABLE_COLUMNS, TABLE_TITLES
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.transactions import CancellationPurpose
from jcm.domain.transparency.merkle import leaf_hash
from jcm.service_layer.aef.log_facts import LogFacts

FIRST_TRANSFER = "KE-KE-JCM-KE001-2024-1-501-560"


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    clock = Clock(datetime(2025, 1, 1, tzinfo=UTC))
    app = make_app(tmp_path, database_url, clock)
    yield build_world(app, clock)
    app.close()


def refusal(action: Any) -> JcmError:
    with pytest.raises(JcmError) as caught:
        action()
    return caught.value


def submitted(world: World, party: str = "KE") -> None:
    """Adjusted, built during 2025 and submitted on 1 February 2026."""
    adjust(world, FIRST_TRANSFER, 2025)
    world.app.aef.reports.build(party, 2025)
    world.clock.at(2026, 2, 1)
    world.app.aef.reports.submit(party, 2025)


def test_a_draft_names_its_failures_and_is_not_submitted_while_they_stand(world: World) -> None:
    reports = world.app.aef.reports
    draft = reports.build("KE", 2025)
    assert (draft.status, draft.version) == ("draft", "1.0")
    assert [(f.rule, f.table, f.row, f.column) for f in draft.failures] == [
        ("AEF14", 3, 2, "ITMO block First ID")
    ]
    assert reports.check("KE", 2025).failures == draft.failures
    world.clock.at(2026, 2, 1)
    error = refusal(lambda: reports.submit("KE", 2025))
    assert error.code == "R4_CHECKS_FAILED"
    assert error.details["failures"][0]["rule"] == "AEF14"
    assert reports.list(status=None)[0].status == "draft"


def test_a_report_is_submitted_only_after_its_year_and_from_a_draft(world: World) -> None:
    reports = world.app.aef.reports
    adjust(world, FIRST_TRANSFER, 2025)
    assert refusal(lambda: reports.submit("KE", 2025)).code == "R4_YEAR_NOT_OVER"
    world.clock.at(2026, 1, 2)
    assert refusal(lambda: reports.submit("KE", 2025)).code == "R4_NO_DRAFT"
    assert refusal(lambda: reports.build("ID", 2025)).code == "R4_UNKNOWN_PARTY"


def test_a_draft_built_before_the_ledger_changed_is_stale(world: World) -> None:
    reports = world.app.aef.reports
    adjust(world, FIRST_TRANSFER, 2025)
    reports.build("KE", 2025)
    world.clock.at(2026, 2, 1)
    register_entity(world, "KE-ENT-9", date(2025, 6, 1))  # Kenya's Table 5 for 2025 changes
    assert refusal(lambda: reports.submit("KE", 2025)).code == "R4_DRAFT_STALE"
    reports.build("KE", 2025)
    assert reports.submit("KE", 2025).status == "submitted"


def test_a_submission_is_frozen_logged_and_superseded_by_the_next_version(world: World) -> None:
    reports = world.app.aef.reports
    submitted(world)
    first = reports.show("KE", 2025)
    assert (first.summary.version, first.summary.status) == ("1.0", "submitted")
    assert first.document["tables"][0]["rows"][0][3] == "2026-02-01"  # date of submission
    assert first.summary.log_index is not None
    world.clock.at(2026, 3, 1)
    register_entity(world, "KE-ENT-9", date(2025, 6, 1))
    again = reports.build("KE", 2025)
    assert (again.version, again.counts["entities"]) == ("1.1", 1)
    reports.submit("KE", 2025)
    listed = {(r.version, r.status) for r in reports.list("KE", 2025)}
    assert listed == {("1.0", "superseded"), ("1.1", "submitted")}
    old = reports.show("KE", 2025, "1.0")
    assert old.document == first.document  # never rewritten
    assert old.summary.superseded_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert world.app.log.verify().ok


def test_the_exports_are_the_stacked_csv_five_sheets_and_the_json_form(world: World) -> None:
    reports = world.app.aef.reports
    submitted(world)
    exported = {fmt: reports.export("KE", 2025, fmt) for fmt in ("csv", "xlsx", "json")}
    rows = list(csv.reader(io.StringIO(exported["csv"].data.decode("utf-8"), newline="")))
    titles = [r[0] for r in rows if len(r) == 1]
    assert titles == list(TABLE_TITLES)
    assert exported["csv"].data.count(b"\r\n\r\n") == 4
    book = load_workbook(io.BytesIO(exported["xlsx"].data))
    assert book.sheetnames == list(TABLE_TITLES)
    headers = [tuple(next(s.iter_rows(values_only=True))) for s in book.worksheets]
    assert headers == list(TABLE_COLUMNS)
    document = json.loads(exported["json"].data)
    assert (document["format"], document["party"], document["version"]) == (
        "jcm-aef/2",
        "KE",
        "1.0",
    )
    actions = document["tables"][2]["rows"]
    assert [(r[1], r[7], r[8]) for r in actions] == [
        ("Authorization", "501", "600"),
        ("First transfer", "501", "560"),
    ]
    both = exported["csv"].data + exported["json"].data
    assert hashlib.sha256(both).hexdigest() == exported["csv"].digest
    assert exported["csv"].name == "AEF-KE-2025-1.0.csv"
    assert refusal(lambda: reports.export("KE", 2025, "pdf")).code == "R4_BAD_FORMAT"


def test_a_submitted_report_derives_again_from_the_log_alone(world: World) -> None:
    submitted(world)
    submitted_jp = world.app.aef.reports
    submitted_jp.build("JP", 2025)
    submitted_jp.submit("JP", 2025)
    for party in ("KE", "JP"):
        verdict = world.app.aef.reports.verify(party, 2025)
        assert verdict.valid, verdict.differences
        assert verdict.derived_digest == verdict.logged_digest == verdict.stored_digest
    assert refusal(lambda: world.app.aef.reports.verify("KE", 2024)).code == "R5_NOT_SUBMITTED"


def _execute(world: World, statement: Any) -> None:
    with world.app.engine.begin() as conn:
        conn.execute(statement)


def test_tampered_stored_tables_are_named_by_verify_and_by_the_log_check(world: World) -> None:
    submitted(world)
    stored = world.app.aef.reports.show("KE", 2025).document
    stored["tables"][3]["rows"][0][12] = "41"  # Table 4: quantity held
    table = schema.aef_submissions
    _execute(
        world,
        update(table)
        .where(table.c.party == "KE", table.c.status == "submitted")
        .values(tables=json.dumps(stored, ensure_ascii=False)),
    )
    verdict = world.app.aef.reports.verify("KE", 2025)
    assert not verdict.valid
    codes = {(d.code, d.table, d.row, d.column) for d in verdict.differences}
    assert ("R5_TABLE_DIFFERS", "Table 4 Holdings", 1, "Quantity (t CO2 eq)") in codes
    assert ("R5_DIGEST_DIFFERS", "", None, "tables") in codes
    problem = world.app.log.verify().problem
    assert problem is not None
    assert (problem.table, problem.column) == ("aef_submissions", "tables")


def test_a_rewritten_transaction_entry_makes_verify_name_the_differing_tables(
    world: World,
) -> None:
    submitted(world)
    events = schema.events
    with world.app.engine.begin() as conn:
        row = conn.execute(events.select().where(events.c.kind == "authorisation")).one()
        entry = json.loads(row.entry)
        entry["change"]["ranges"][0]["end"] = 590  # 90 authorised, not 100
        forged = json.dumps(entry, sort_keys=True, separators=(",", ":"))
        conn.execute(
            update(events)
            .where(events.c.seq == row.seq)
            .values(entry=forged, leaf_hash=leaf_hash(forged.encode("utf-8")))
        )
    verdict = world.app.aef.reports.verify("KE", 2025)
    assert not verdict.valid
    tables = {d.table for d in verdict.differences if d.code == "R5_TABLE_DIFFERS"}
    assert tables == {"Table 3 Actions", "Table 4 Holdings"}
    assert verdict.derived_digest != verdict.logged_digest


def test_an_altered_log_entry_is_named_even_when_the_report_is_unchanged(world: World) -> None:
    submitted(world)
    with world.app.engine.begin() as conn:
        conn.execute(
            text("UPDATE events SET entry = REPLACE(entry, 'Buyer', 'Bayer') WHERE kind = :k"),
            {"k": "account_created"},
        )
    verdict = world.app.aef.reports.verify("KE", 2025)
    assert [d.code for d in verdict.differences] == ["R5_LOG_ALTERED"]


def test_the_log_gives_the_very_facts_the_database_gives(world: World) -> None:
    adjust(world, FIRST_TRANSFER, 2025)
    world.clock.at(2025, 11, 2)
    use = c.Move(
        world.jp,
        serials="KE-KE-JCM-KE001-2024-1-501-520",
        purpose=CancellationPurpose.NDC,
        ndc_year=2025,
    )
    world.app.registry.cancel(use)
    with world.app.unit_of_work(read_only=True) as uow:
        stored = uow.aef_facts.facts()
        from_log = LogFacts()
        for _index, _seq, text_, _leaf in uow.ledger.log.iter_entries():
            entry = json.loads(text_)
            at = datetime.fromisoformat(entry["timestamp"])
            from_log.add(entry["type"], entry["change"], at)
    logged = from_log.facts()
    assert logged.accounts == stored.accounts
    assert logged.decisions == stored.decisions
    assert tuple(logged.transactions) == tuple(stored.transactions)
    assert logged.register.approaches == stored.register.approaches
    assert logged.register.entities == stored.register.entities
    assert {k: tuple(v) for k, v in logged.register.authorisations.items()} == {
        k: tuple(v) for k, v in stored.register.authorisations.items()
    }
    world.clock.at(2026, 1, 10)
    for party in ("JP", "KE"):
        assert world.app.aef.reports.build(party, 2025).failures == ()
        world.app.aef.reports.submit(party, 2025)
        assert world.app.aef.reports.verify(party, 2025).valid
    uses = [r for r in world.app.aef.reports.show("JP", 2025).document["tables"][2]["rows"]]
    assert [(r[1], r[24]) for r in uses] == [("Acquisition", "NA"), ("Use", "2025")]


@pytest.mark.parametrize(
    ("party", "year", "version", "code"),
    [
        ("KE", 9223372036854775807, None, "R4_BAD_YEAR"),
        ("[/]", 2025, None, "R4_UNKNOWN_PARTY"),
        ("KE", 2025, "1", "R4_BAD_VERSION"),
    ],
)
def test_a_report_key_out_of_range_is_refused_with_a_code_before_any_query(
    world: World, party: str, year: int, version: str | None, code: str
) -> None:
    reports = world.app.aef.reports
    assert refusal(lambda: reports.show(party, year, version)).code == code
    assert refusal(lambda: reports.export(party, year, "csv", version)).code == code
    assert refusal(lambda: reports.verify(party, year, version)).code == code
    if version is None:
        assert refusal(lambda: reports.list(party, year)).code == code
