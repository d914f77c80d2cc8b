"""QA/QC as a use case: a run reads receipted Parquet files, stores a report per device
(JSON + SHA-256) and daily aggregates, logs the run, and a second run replaces the first;
over the API (participants run, the cycle's roles read) and the CLI."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from cycle_api_support import API, PP, TPE, CycleWorld, cycle_world, start_body
from sqlalchemy import func, select
from test_mrv_qa_support import (
    DAY,
    DAY_TS,
    HOUR,
    SUNNY,
    cumulative_day,
    device,
    insert_device,
    store_batches,
    sunny_day,
)
from typer.testing import CliRunner

from jcm.adapters import schema
from jcm.adapters.mrv.signatures import new_device_key, sign_batch
from jcm.bootstrap import App
from jcm.domain.mrv.batches import format_timestamp
from jcm.domain.mrv.devices import RegisterKind
from jcm.domain.mrv.qa import QA_RUN
from jcm.entrypoints.cli import cli

TOTAL = sum(SUNNY.values())
METER, COUNTER = "KE-PV-001", "KE-PV-002"


@pytest.fixture
def world(app: App) -> CycleWorld:
    """KE001 with two devices and one day of readings: the meter misses 10:00 UTC."""
    w = cycle_world(app)
    created = w.client.post(
        f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)
    )
    assert created.status_code == 201, created.text
    insert_device(app, device(METER))
    insert_device(app, device(COUNTER, register=RegisterKind.CUMULATIVE))
    meter = [r for r in sunny_day(METER) if r[3] != DAY_TS + 10 * HOUR]
    store_batches(app, "KE001", meter + cumulative_day(5_000, COUNTER), "b1")
    return w


def count(app: App, table: str) -> int:
    with app.engine.connect() as c:
        return int(
            c.execute(select(func.count()).select_from(schema.metadata.tables[table])).scalar_one()
        )


def test_a_run_stores_each_device_report_with_its_digest_and_the_daily_aggregates(
    world: CycleWorld,
) -> None:
    app = world.app
    run = app.mrv.qa.run("KE001", DAY, DAY)
    by_device = {r.device: r for r in run.reports}
    assert by_device[METER].expected_intervals == 24
    assert by_device[METER].readings == 23
    assert [(c.rule.value, c.intervals) for c in by_device[METER].exclusions] == [("Q01_GAP", 1)]
    assert by_device[METER].credited_wh == TOTAL - 700
    # The counter's first reading has nothing before it to difference: it earns nothing.
    assert by_device[COUNTER].credited_wh == TOTAL
    assert run.totals()["credited_wh"] == 2 * TOTAL - 700

    stored = app.mrv.qa.reports("KE001", DAY, DAY)
    assert [s.report for s in stored] == list(run.reports)
    with app.engine.connect() as c:
        texts = c.execute(
            select(schema.mrv_qa_reports.c.report, schema.mrv_qa_reports.c.digest)
        ).all()
    assert all(hashlib.sha256(text.encode()).hexdigest() == digest for text, digest in texts)
    assert sorted(d for _t, d in texts) == sorted(run.digests)
    assert count(app, "mrv_aggregates") == 2


def test_running_the_same_period_again_replaces_the_run_changes_no_report_and_logs_both(
    world: CycleWorld,
) -> None:
    app = world.app
    first = app.mrv.qa.run("KE001", DAY, DAY)
    second = app.mrv.qa.run("KE001", DAY, DAY)
    assert second.digests == first.digests
    assert count(app, "mrv_qa_reports") == 2
    assert count(app, "mrv_aggregates") == 2
    with app.engine.connect() as c:
        kinds = c.execute(select(schema.events.c.kind)).scalars().all()
    assert kinds.count(QA_RUN) == 2
    assert app.log.verify().ok


def test_a_participant_runs_qa_over_the_api_and_a_verifier_reads_the_reports(
    world: CycleWorld,
) -> None:
    body = {"from": DAY.isoformat(), "to": DAY.isoformat()}
    ran = world.client.post(f"{API}/mrv/projects/KE001/qa", json=body, headers=world.as_(PP))
    assert ran.status_code == 200, ran.text
    assert ran.json()["totals"]["credited_wh"] == 2 * TOTAL - 700

    read = world.client.get(
        f"{API}/mrv/projects/KE001/qa",
        params={"from": DAY.isoformat(), "to": DAY.isoformat()},
        headers=world.as_(TPE),
    )
    assert read.status_code == 200, read.text
    assert [r["digest"] for r in read.json()["reports"]] == [
        r["digest"] for r in ran.json()["reports"]
    ]


def test_another_projects_participant_is_told_the_project_does_not_exist(
    world: CycleWorld,
) -> None:
    body = {"from": DAY.isoformat(), "to": DAY.isoformat()}
    ran = world.client.post(
        f"{API}/mrv/projects/KE001/qa", json=body, headers=world.as_("other-pp")
    )
    assert ran.status_code == 404
    assert ran.json()["code"] == "D9_UNKNOWN_PROJECT"


def test_a_period_ending_before_it_starts_is_refused_with_its_code(world: CycleWorld) -> None:
    body = {"from": "2026-03-10", "to": "2026-03-09"}
    ran = world.client.post(f"{API}/mrv/projects/KE001/qa", json=body, headers=world.as_(PP))
    assert ran.status_code == 422
    assert ran.json()["code"] == "D9_BAD_PERIOD"


def test_the_cli_runs_qa_and_shows_the_stored_reports(
    world: CycleWorld, database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "--database-url", database_url, "mrv"]
    period = ["--project", "KE001", "--from", DAY.isoformat(), "--to", DAY.isoformat()]
    ran = runner.invoke(cli, [*base, "qa", *period, "--json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["totals"]["readings"] == 47
    shown = runner.invoke(cli, [*base, "qa-report", *period])
    assert shown.exit_code == 0, shown.output
    assert "Q01_GAP: 1 intervals, 0 Wh reported" in shown.stdout
    bad = runner.invoke(
        cli, [*base, "qa", "--project", "KE001", "--from", "2026-03-10", "--to", "2026-01-01"]
    )
    assert bad.exit_code == 1
    assert "error[D9_BAD_PERIOD]" in bad.stderr


def test_a_report_edited_in_the_database_is_caught_by_log_verify(world: CycleWorld) -> None:
    app = world.app
    app.mrv.qa.run("KE001", DAY, DAY)
    assert app.log.verify().ok
    reports = schema.mrv_qa_reports
    with app.engine.begin() as c:
        text = c.execute(select(reports.c.report).where(reports.c.device_id == METER)).scalar_one()
        forged = text.replace(f'"credited_wh":{TOTAL - 700}', f'"credited_wh":{TOTAL}')
        assert forged != text
        c.execute(reports.update().where(reports.c.device_id == METER).values(report=forged))
    verified = app.log.verify()
    assert not verified.ok
    assert verified.problem is not None
    assert verified.problem.field == "report digest"


def test_qa_reads_what_the_intake_accepted_and_nothing_it_refused(app: App) -> None:
    """End to end: signed batches through the intake use case, then a QA run."""
    w = cycle_world(app)
    created = w.client.post(
        f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)
    )
    assert created.status_code == 201, created.text
    key, public = new_device_key()
    app.mrv.devices.register(replace(device("KE-PV-009"), public_key=public), PP)
    day = [[format_timestamp(ts, 180), wh] for _d, _s, _p, ts, wh in sunny_day("KE-PV-009")]
    good = sign_batch({"device": "KE-PV-009", "seq": 1, "readings": day}, key)
    forged = {**sign_batch({"device": "KE-PV-009", "seq": 2, "readings": day[:3]}, key)}
    forged["batch"] = {"device": "KE-PV-009", "seq": 2, "readings": [[day[0][0], 9_999]]}
    results = app.mrv.intake.accept_envelopes([good, forged], "http")
    assert [r.outcome.value for r in results] == ["accepted", "refused"]

    (report,) = app.mrv.qa.run("KE001", DAY, DAY).reports
    assert report.readings == 24
    assert report.exclusions == ()
    assert report.credited_wh == TOTAL
