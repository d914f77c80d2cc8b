"""Concurrency in the project cycle: several OS processes taking the same step at once.

Each worker is a separate process (``spawn``) with its own app and connections, like
several `jcm` commands or API workers. They wait at a barrier and then all take the same
step on the same aggregate. Exactly one may succeed; the others must be refused with a
rule code (never a crash, never a second effect): one JC decision, one issuance per side,
one monitoring report per period.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import DocumentKind, Role
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.transparency.signed_note import Verifier
from jcm.entrypoints.demo_cycle import Walker, actors, enrol, plans

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
WORKERS = 6
TIMEOUT_S = 180
REPORTED = date(2024, 1, 20)
M1 = "KE001-M001"


def _worker(url: str, data_dir: str, command: Any, barrier: Any, results: Any) -> None:
    try:
        app = bootstrap(Settings(Path(data_dir), url), clock=lambda: NOW, run_migrations=False)
        try:
            app.cycle.projects()  # connect before the start line
            barrier.wait(timeout=TIMEOUT_S)
            try:
                if isinstance(command, cc.SubmitMonitoringReport):
                    app.cycle.submit_report(command)
                else:
                    app.cycle.monitoring_step(command)
                results.put(("ok", None))
            except JcmError as error:
                results.put(("refused", error.code))
        finally:
            app.close()
    except BaseException:
        results.put(("crashed", traceback.format_exc()))


def race(app: App, command: Any) -> Counter[str]:
    """Run ``command`` in WORKERS processes released together; count the outcomes."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    processes = [
        ctx.Process(
            target=_worker,
            args=(app.settings.database_url, str(app.settings.data_dir), command, barrier, results),
            daemon=True,
        )
        for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    outcomes: Counter[str] = Counter()
    crashed = []
    try:
        for _ in processes:
            status, detail = results.get(timeout=TIMEOUT_S)
            if status == "crashed":
                crashed.append(detail)
            else:
                outcomes[detail or "ok"] += 1
    except queue.Empty:
        pass
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        results.close()
        results.join_thread()
    assert not crashed, "\n".join(crashed)
    assert sum(outcomes.values()) == WORKERS, outcomes
    return outcomes


@pytest.fixture
def under_consideration(database_url: str, tmp_path: Path) -> Iterator[App]:
    """KE001 registered and its 2023 period awaiting the JC's decision (as in the demo)."""
    app = bootstrap(Settings(tmp_path, database_url), clock=lambda: NOW)
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    org = r.create_organisation(c.CreateOrganisation("KE", "Factory")).organisation
    account = r.open_account(c.OpenAccount("KE", org, AccountType.ENTITY_HOLDING, "pp"))
    enrol(app.identity, app.cycle, actors(("KE",)), None)
    plan = plans(
        {
            "jp_gov": "JP-GOV-0001",
            "ke_gov": "KE-GOV-0001",
            "ke_pp": account.account,
            "id_gov": "",
            "id_pp": "",
        }
    )[0]
    for p in plan.participants:
        enrol(
            app.identity,
            app.cycle,
            [
                cc.RegisterActor(
                    p.organisation_id, Role.PROJECT_PARTICIPANT, p.organisation_id, p.side
                )
            ],
            None,
        )
    walker = Walker(app.cycle, app.documents, lambda _: None)
    walker.walk(replace(plan, periods=()))
    start, end, values = plan.periods[0]
    pp = cc.ActingAs(plan.participants[0].organisation_id)
    app.cycle.submit_report(
        cc.SubmitMonitoringReport(
            "KE001",
            start,
            end,
            pp,
            REPORTED,
            values,
            walker.docs(M1, DocumentKind.MONITORING_REPORT),
        )
    )
    for action, by, days, kinds in (
        ("start_verification", "demo-tpe", 5, ()),
        ("verify", "demo-tpe", 30, (DocumentKind.VERIFICATION_REPORT,)),
        ("request_issuance", pp.organisation_id, 35, (DocumentKind.ISSUANCE_REQUEST,)),
        ("accept_issuance_request", "jc-sec-ke", 40, ()),
    ):
        app.cycle.monitoring_step(
            cc.MonitoringStep(
                M1,
                action,
                cc.ActingAs(by),
                REPORTED + timedelta(days=days),
                walker.docs(M1, *kinds),
            )
        )
    yield app
    app.close()


def step(action: str, by: str, days: int) -> cc.MonitoringStep:
    return cc.MonitoringStep(M1, action, cc.ActingAs(by), REPORTED + timedelta(days=days))


def verified(app: App) -> bool:
    verifiers: dict[str, Verifier] = dict(app.log_verifiers())
    return app.log.verify(verifiers).ok


def test_processes_racing_to_decide_and_to_issue_make_one_decision_and_issue_each_side_once(
    under_consideration: App,
) -> None:
    app = under_consideration

    decided = race(app, step("decide", "jc-ke", 60))
    japan = race(app, step("record_issuance", "rm-jp", 70))
    kenya = race(app, step("record_issuance", "rm-ke", 70))

    assert decided == {"ok": 1, "P4_BAD_TRANSITION": WORKERS - 1}
    # Once Japan has issued, the period is partially issued: a second JP attempt meets the
    # double-issuance guard; Kenya's attempts after its own issuance find the period issued.
    assert japan == {"ok": 1, "P7_ALREADY_ISSUED": WORKERS - 1}
    assert kenya == {"ok": 1, "P4_BAD_TRANSITION": WORKERS - 1}
    decisions = app.registry.decisions("KE001")
    assert [(d.amount, d.status) for d in decisions] == [(878, "issued")]
    held = sum(row.quantity for row in app.registry.holdings() if row.project == "KE001")
    assert held == 878
    assert app.registry.audit().ok
    assert verified(app)


def test_processes_racing_to_report_the_same_period_open_it_once(
    under_consideration: App,
) -> None:
    app = under_consideration
    report = cc.SubmitMonitoringReport(
        "KE001",
        date(2024, 1, 1),
        date(2024, 6, 30),
        cc.ActingAs("demo-jp-solar"),
        date(2024, 7, 20),
        (("EG_p", ("850000", "kWh")),),
        Walker(app.cycle, app.documents, lambda _: None).docs(
            "KE001-2024H1", DocumentKind.MONITORING_REPORT
        ),
    )

    outcomes = race(app, report)

    assert outcomes == {"ok": 1, "P5_OVERLAPPING_PERIOD": WORKERS - 1}
    periods = [p.monitoring_period for p in app.cycle.monitoring_periods("KE001")]
    assert periods == [M1, "KE001-M002"]
    assert verified(app)
