"""A crash between a change's commit and its delivery loses nothing.

Real `jcm` processes on SQLite and PostgreSQL, a real receiver on 127.0.0.1: a transfer that
dies before its commit leaves neither the transfer nor a delivery; a delivery worker killed
with SIGKILL while a request is in flight, and one ended right after the receiver answered
(before it recorded the answer), are restarted, and the receiver gets every event at least
once, a repeat always with the same webhook-id, every one signed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from jcm_process import CRASHED, jcm_process
from sqlalchemy import func, select
from webhook_receiver import Receiver, receiver

from jcm.adapters import schema
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.identity.principal import operator_for
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare

_LAUNCH = "from jcm.entrypoints.cli import main; main()"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def _env(crash_at: str | None = None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JCM_")}
    if crash_at:
        environment["JCM_CRASH_AT"] = crash_at
    return environment


def _rows(app: App) -> dict[str, str]:
    d = schema.webhook_deliveries.c
    with app.engine.connect() as conn:
        return {r.id: r.status for r in conn.execute(select(d.id, d.status))}


def _count(app: App, table: str) -> int:
    with app.engine.connect() as conn:
        query = select(func.count()).select_from(schema.metadata.tables[table])
        return int(conn.execute(query).scalar_one())


def test_killed_delivery_workers_lose_nothing_and_repeat_with_the_same_webhook_id(
    database_url: str, tmp_path: Path, hook: Receiver
) -> None:
    app = bootstrap(Settings(tmp_path, database_url))
    try:
        r = app.registry
        for code in ("JP", "KE"):
            r.create_registry(c.CreateRegistry(code))
        buyer_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer")).organisation
        seller_org = r.create_organisation(c.CreateOrganisation("KE", "Seller")).organisation
        buyer = r.open_account(c.OpenAccount("JP", buyer_org, AccountType.ENTITY_HOLDING, "B"))
        seller = r.open_account(c.OpenAccount("KE", seller_org, AccountType.ENTITY_HOLDING, "S"))
        secrets = {
            org: app.webhooks.subscribe(operator_for(org), hook.url, ["*"]).secret
            for org in (buyer_org, seller_org)
        }
        decision = r.record_decision(
            c.RecordDecision(
                "KE001",
                date(2023, 1, 1),
                date(2023, 12, 31),
                2023,
                100,
                (AllocationShare(seller.account, Decimal("100")),),
                seller.account,
            )
        ).decision
        r.issue(c.Issue(decision, "KE"))
        base = ["--data-dir", str(tmp_path), "--database-url", database_url]
        move = [*base, "external-transfer", "--from", seller.account, "--to", buyer.account]

        # A transfer that dies after writing its deliveries but before its commit: neither.
        before = (_count(app, "transactions"), len(_rows(app)))
        died = jcm_process(*move, "-q", "5", cwd=tmp_path, env=_env("webhook:enqueued"))
        assert died.code == CRASHED, died.stderr
        assert (_count(app, "transactions"), len(_rows(app))) == before

        # Two transfers commit (each: one delivery to the seller, one to the buyer).
        for _ in range(2):
            done = jcm_process(*move, "-q", "5", cwd=tmp_path, env=_env())
            assert done.code == 0, done.stderr
        expected = set(_rows(app))
        assert len(expected) == 1 + 4  # the issuance to the seller, two transfers × two

        deliver = [*base, "webhook", "deliver", "--lease", "1"]
        # A worker that ends right after the receiver answered, before recording it.
        crashed = jcm_process(*deliver, "--once", cwd=tmp_path, env=_env("webhook:sent"))
        assert crashed.code == CRASHED, crashed.stderr
        assert len(hook.wait_for(1)) == 1

        # A worker killed (SIGKILL) while its request is in flight.
        hook.delay = 5
        seen = len(hook.received)
        worker = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, *deliver, "--interval", "0.05"],
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            hook.wait_for(seen + 1)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        hook.delay = 0
        assert worker.returncode == -signal.SIGKILL

        # Restarted: everything arrives; nothing is left pending.
        deadline = time.monotonic() + 60
        while set(_rows(app).values()) != {"delivered"}:
            assert time.monotonic() < deadline, _rows(app)
            time.sleep(1.1)  # let the dead workers' one-second leases run out
            again = jcm_process(*deliver, "--once", cwd=tmp_path, env=_env())
            assert again.code == 0, again.stderr

        got = hook.wait_for(len(expected))
        assert {g.webhook_id for g in got} == expected
        assert len(got) > len(expected)  # the two crashed attempts were sent again
        by_id: dict[str, set[str]] = {}
        for g in got:
            payload = None
            for secret in secrets.values():
                try:
                    payload = g.verified(secret)
                    break
                except Exception:
                    continue
            assert payload is not None, f"{g.webhook_id} does not verify with any secret"
            by_id.setdefault(g.webhook_id, set()).add(g.body)
        # A repeat is the same message: one body per webhook-id.
        assert all(len(bodies) == 1 for bodies in by_id.values())
    finally:
        app.close()
