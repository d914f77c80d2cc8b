"""Automatic verification end to end: stored batches → QA → verification → the project cycle,
the log, and an evidence bundle anyone can re-check offline (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from cycle_api_support import PP, cycle_world
from mrv_support import MrvWorld
from mrv_verification_support import (
    AUTO_RULE_BOOK,
    END,
    START,
    VerifiedWorld,
    register_project,
    send_readings,
    verified_world,
)

from jcm.adapters.mrv.signatures import new_device_key
from jcm.bootstrap import App
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import JcmError
from jcm.domain.identity.principal import operator_for
from jcm.domain.mrv.devices import Calibration, Replacement
from jcm.domain.mrv.verification import PERIOD_VERIFIED


def verify(world: VerifiedWorld) -> Any:
    acting = world.app.acting(operator_for(PP)).mrv.verification
    return acting.verify_period("KE001", START, END, cc.ActingAs(PP))


def test_a_verified_period_enters_the_cycle_as_a_report_with_the_credited_mwh_and_evidence(
    app: App,
) -> None:
    world = verified_world(app)
    result = verify(world)

    period: dict[str, Any] = dict(app.cycle.monitoring(str(result.monitoring_period)))
    expected_mwh = Decimal(world.expected_wh) / 10**6
    stored = app.mrv.verification.get(result.verification)
    record = stored["record"]
    evidence = [d for d in period["documents"] if d["kind"] == "monitoring_report"]
    assert result.passed, result.reasons
    assert result.batches == world.batches
    assert result.readings == world.readings
    assert Decimal(result.monitored["EG_p"]) == expected_mwh
    assert period["state"] == "report_submitted"
    assert Decimal(record["monitored"]["EG_p"]["value"]) == expected_mwh
    assert record["monitored"]["EG_p"]["wh"] == world.expected_wh
    assert not result.accepted_as_verification
    assert record["methodology"]["emission_reductions"] == result.emission_reductions
    assert app.documents.read(evidence[0]["sha256"]) == json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert stored["log_index"] is not None
    app.log.sign_checkpoint()
    entry = app.log.inclusion_proof(index=stored["log_index"]).entry
    assert json.loads(entry)["type"] == PERIOD_VERIFIED
    assert json.loads(entry)["change"]["merkle_root"] == result.merkle_root
    qa_runs = app.mrv.qa.reports("KE001", START, END)
    assert {q.report.device: q.digest for q in qa_runs} == {
        q["device"]: q["digest"] for q in record["qa_reports"]
    }
    checked = app.log.verify()
    assert checked.ok, checked  # jcm log verify accepts the new entry


def test_under_a_rule_book_accepting_it_the_automatic_verification_is_the_verification(
    app: App,
) -> None:
    world = verified_world(app, rule_book=AUTO_RULE_BOOK)
    result = verify(world)

    record = app.mrv.verification.get(result.verification)["record"]
    assert result.passed
    assert result.accepted_as_verification
    assert record["automatic_verification"] == {"rule_book": AUTO_RULE_BOOK, "accepted": True}


def test_a_second_verification_of_an_overlapping_period_is_refused(app: App) -> None:
    world = verified_world(app, devices=1)
    verify(world)
    with pytest.raises(JcmError) as refused:
        verify(world)
    assert refused.value.code == "D10_OVERLAPPING_PERIOD"


@pytest.fixture
def bundle(app: App, tmp_path: Path) -> Path:
    world = verified_world(app)
    result = verify(world)
    path = tmp_path / "evidence"
    app.mrv.verification.export_bundle(result.verification, path)
    return path


def test_an_exported_bundle_verifies_offline_and_as_a_zip(
    app: App, bundle: Path, tmp_path: Path
) -> None:
    verdict = app.mrv.verification.verify_bundle(bundle)
    zipped = tmp_path / "evidence.zip"
    verification = json.loads((bundle / "bundle.json").read_bytes())["verification"]["id"]
    app.mrv.verification.export_bundle(verification, zipped)

    assert verdict.ok, verdict.as_json()
    assert [c.name for c in verdict.checks][-1] == "log_inclusion"
    assert app.mrv.verification.verify_bundle(zipped).ok


def _first_file(bundle: Path) -> Path:
    return sorted((bundle / "readings").rglob("*.parquet"))[0]


def _tampered(bundle: Path, change: Any) -> Path:
    copy = bundle.with_name("tampered")
    shutil.copytree(bundle, copy)
    change(copy)
    return copy


def _change_one_wh(copy: Path) -> None:
    path = _first_file(copy)
    frame = pl.read_parquet(path)
    row = int(frame["wh"].arg_max() or 0)
    wh = frame["wh"].to_list()
    wh[row] += 1
    frame.with_columns(pl.Series("wh", wh, dtype=frame["wh"].dtype)).write_parquet(path)


def _edit(copy: Path, edit: Any) -> None:
    body = json.loads((copy / "bundle.json").read_bytes())
    edit(body)
    (copy / "bundle.json").write_text(json.dumps(body))


def _drop_batch(body: dict[str, Any]) -> None:
    body["receipts"].pop()


def _alter_result(body: dict[str, Any]) -> None:
    body["verification"]["methodology"]["emission_reductions"] += 1


def _swap_checkpoint(body: dict[str, Any]) -> None:
    proof = body["log"]["inclusion_proof"]
    lines = proof["checkpoint"].split("\n")
    lines[1] = str(int(lines[1]) + 1)  # another tree size under the same signature
    proof["checkpoint"] = "\n".join(lines)


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (_change_one_wh, "D10_BAD_SIGNATURE"),
        (lambda copy: _edit(copy, _drop_batch), "D10_MERKLE_ROOT"),
        (lambda copy: _edit(copy, _alter_result), "D10_RESULT_DIFFERS"),
        (lambda copy: _edit(copy, _swap_checkpoint), "D10_LOG_PROOF"),
    ],
    ids=["one-wh-changed", "batch-dropped", "result-altered", "checkpoint-swapped"],
)
def test_a_tampered_bundle_fails_with_the_code_of_what_differs(
    app: App, bundle: Path, tamper: Any, code: str
) -> None:
    verdict = app.mrv.verification.verify_bundle(_tampered(bundle, tamper))

    assert not verdict.ok
    assert verdict.code == code, verdict.as_json()


def test_a_file_that_is_no_bundle_is_refused_as_unreadable(app: App, tmp_path: Path) -> None:
    garbage = tmp_path / "not-a-bundle.zip"
    garbage.write_bytes(b"PK not really")

    verdict = app.mrv.verification.verify_bundle(garbage)

    assert verdict.code == "D10_BUNDLE_UNREADABLE"


def test_a_period_without_data_fails_with_reasons_and_stays_out_of_the_cycle(app: App) -> None:
    world = verified_world(app, devices=1)
    acting = world.app.acting(operator_for(PP)).mrv.verification
    result = acting.verify_period("KE001", date(2026, 2, 1), date(2026, 2, 2), cc.ActingAs(PP))

    assert not result.passed
    assert result.monitoring_period is None
    assert any(reason.startswith("D10_NO_DATA") for reason in result.reasons)
    assert app.cycle.monitoring_periods("KE001") == []


def test_a_meter_replaced_within_the_period_keeps_its_old_batches_checkable(
    app: App, tmp_path: Path
) -> None:
    cycle = cycle_world(app)
    register_project(cycle)
    world = MrvWorld(cycle, "KE001")
    (device,) = world.add_devices(1)
    send_readings(world, START, START)
    key, public = new_device_key()
    swap = Replacement(datetime(2026, 3, 11, tzinfo=UTC), "", 0, "SN-NEW", 0)
    calibration = Calibration(date(2026, 3, 1), date(2028, 2, 28), Decimal("0.4"), "CAL-2")
    app.acting(operator_for(PP)).mrv.devices.replace(device, swap, public, calibration)
    world.keys[device] = key
    send_readings(world, END, END, first_seq=5)

    result = verify(VerifiedWorld(world, 8, 192, 0))
    app.mrv.verification.export_bundle(result.verification, tmp_path / "evidence.zip")
    verdict = app.mrv.verification.verify_bundle(tmp_path / "evidence.zip")

    assert result.passed, result.reasons
    assert verdict.ok, verdict.as_json()
