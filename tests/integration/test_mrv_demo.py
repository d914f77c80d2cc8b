"""The main job's digital MRV part, end to end on real components: the site served by
uvicorn in its own process (HTTP intake and device registration), a real Mosquitto, the
demo's own ``jcm mrv subscribe`` process, then QA/QC and the automatic verification."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from api_process import api_process
from cycle_api_support import cycle_world
from mrv_mqtt_support import start_broker
from mrv_support import MrvWorld
from mrv_verification_support import register_project

from jcm.bootstrap import App
from jcm.entrypoints.demo_mrv import run_mrv_demo


@pytest.fixture
def site(app: App) -> Iterator[str]:
    """The API of ``app``'s database and data directory, served by a separate process."""
    with app.unit_of_work(read_only=True) as uow:
        now = uow.now
    # The fixture's clock: the demo's API token expires 30 days after it.
    with api_process(app.settings.data_dir, app.settings.database_url, now=now) as server:
        yield server.url


@pytest.mark.timeout(240)
def test_the_demo_fleet_reaches_the_registry_over_mqtt_and_http_and_its_week_is_verified(
    app: App, site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle = cycle_world(app)
    register_project(cycle)  # KE001 with its PDD's P_PV, as the demo's
    world = MrvWorld(cycle, "KE001")
    broker = start_broker(world, tmp_path)
    # The demo's subscriber process finds the database where the demo's own does.
    monkeypatch.setenv("JCM_DATABASE_URL", app.settings.database_url)
    said: list[str] = []
    try:
        demo = run_mrv_demo(
            app,
            site + "/",
            broker.url,
            said.append,
            first_day=date(2026, 3, 1),  # before the tests' clock (2026-04-01)
            broker_dir=broker.directory,
        )
    finally:
        broker.stop()
    exclusions = {
        (report["device"], exclusion["rule"], exclusion["intervals"])
        for report in demo.qa["reports"]
        for exclusion in report["exclusions"]
    }
    channels = [sent["target"].split(":", 1)[0] for sent in demo.fleet["sent"]]
    verification = demo.verification

    assert channels == ["mqtt", "http"]
    assert demo.intake == {
        "batches": 28,
        "readings": 4 * 7 * 96 - 8,
        "duplicates": 0,
        "refusals": {},
    }
    assert exclusions == {("KE001-PV-002", "Q09_STUCK", 8), ("KE001-PV-003", "Q01_GAP", 8)}
    assert verification.get("passed") is True, verification
    assert str(verification["monitoring_period"]).startswith("KE001-M")
    credited = sum(int(report["credited_wh"]) for report in demo.qa["reports"])
    assert verification["monitored"] == {"EG_p": f"{Decimal(credited) / 10**6:.6f}"}
