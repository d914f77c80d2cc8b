"""How many log entries a command appends: the rule the README and the architecture state.

Each change is one entry: each registry transaction (issuance, transfer, …), each set-up
change (registry, organisation, account, status, decision) and each cycle step. One command
runs in one database transaction and appends one or more entries, committed together (the
same timestamp, consecutive log indexes): a JC decision step appends the registry's
decision and the cycle step; a registry manager's issuance step appends the issuance
transaction and the cycle step; a batch appends one entry per transaction. `jcm log
verify` replays all of them, and `jcm audit` checks that every registry transaction has
exactly one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jcm.adapters import schema as t
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import DocumentKind, Role
from jcm.domain.cycle import commands as cc
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.transactions import TransactionKind
from jcm.entrypoints.demo_cycle import Walker, actors, enrol, plans

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
REPORTED = date(2024, 1, 20)
M1 = "KE001-M001"


@pytest.fixture
def considered(database_url: str, tmp_path: Path) -> Iterator[App]:
    """KE001 registered and its 2023 period awaiting the JC's decision (as in the demo)."""
    app = bootstrap(Settings(tmp_path, database_url), clock=lambda: NOW)
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    org = r.create_organisation(c.CreateOrganisation("KE", "Factory")).organisation
    account = r.open_account(c.OpenAccount("KE", org, AccountType.ENTITY_HOLDING, "pp"))
    enrol(app.identity, app.cycle, actors(("KE",)), None)
    ids = {"jp_gov": "JP-GOV-0001", "ke_gov": "KE-GOV-0001", "ke_pp": account.account}
    plan = plans({**ids, "id_gov": "", "id_pp": ""})[0]
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


def entries(app: App) -> list[tuple[int, str, int | None, datetime]]:
    e = t.events.c
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(e.log_index, e.kind, e.transaction_id, e.created_at).order_by(e.log_index)
        ).all()
    return [(int(r[0]), str(r[1]), r[2], r[3]) for r in rows]


def appended(app: App, action: Callable[[], object]) -> list[tuple[int, str, int | None, datetime]]:
    before = len(entries(app))
    action()
    return entries(app)[before:]


def committed_together(new: list[tuple[int, str, int | None, datetime]]) -> bool:
    indexes = [index for index, *_ in new]
    return indexes == list(range(indexes[0], indexes[0] + len(indexes))) and (
        len({created for *_, created in new}) == 1
    )


def step(action: str, by: str, days: int) -> cc.MonitoringStep:
    return cc.MonitoringStep(M1, action, cc.ActingAs(by), REPORTED + timedelta(days=days))


def test_one_command_appends_one_or_more_entries_one_per_change(considered: App) -> None:
    app = considered

    decided = appended(app, lambda: app.cycle.monitoring_step(step("decide", "jc-ke", 60)))
    assert [kind for _, kind, _, _ in decided] == ["decision_recorded", "monitoring_period.decide"]
    assert committed_together(decided)

    issued = appended(app, lambda: app.cycle.monitoring_step(step("record_issuance", "rm-jp", 70)))
    assert [(kind, tx is None) for _, kind, tx, _ in issued] == [
        ("monitoring_period.record_issuance", True),  # the cycle step
        ("issuance", False),  # the registry's issuance transaction
    ]
    assert committed_together(issued)

    moved = appended(app, lambda: app.registry.retire(c.Move("JP-GOV-0001", quantity=1)))
    assert [kind for _, kind, _, _ in moved] == ["retirement"]
    batch = appended(
        app,
        lambda: app.registry.batch(
            [
                (c.Move("JP-GOV-0001", quantity=1), TransactionKind.RETIREMENT),
                (c.Move("JP-GOV-0001", quantity=2), TransactionKind.RETIREMENT),
            ]
        ),
    )
    assert [kind for _, kind, _, _ in batch] == ["retirement", "retirement"]
    assert committed_together(batch)

    # Every registry transaction has exactly one entry, and the log replays as a whole.
    assert app.registry.audit().ok
    assert app.log.verify(dict(app.log_verifiers())).ok
