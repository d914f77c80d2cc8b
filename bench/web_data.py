"""The web benchmark's data: the demo scaled to 10× (2,500 projects, 10^5 transactions).

Built through the services, as a registry would be (each move is one unit of work and one
log entry), on top of ``jcm demo``'s data:

* the funded portfolio imported ten times over (the 252 projects copied into ten cohorts
  of distinct ids: 2,520 pipeline projects);
* a bench holder in Kenya's registry with a decision of ``UNITS`` units, issued, then
  ``moves`` transactions: nine in ten retirements or cancellations of a few units each
  (with a beneficiary, so the public list of cancellations and retirements has close to
  10^5 rows) and one in ten transfers between the holder's two accounts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from jcm.bootstrap import App
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.transactions import CancellationPurpose

UNITS = 1_000_000
PROJECT = "KE901"


@dataclass(frozen=True)
class BenchLedger:
    source: str
    destination: str
    retirement_ids: tuple[int, ...]
    first_serial: str
    seconds: float


def build_ledger(
    app: App, moves: int, progress: Callable[[int], None] | None = None
) -> BenchLedger:
    """``moves`` transactions through the registry service (see the module docstring)."""
    r = app.registry
    holder = r.create_organisation(c.CreateOrganisation("KE", "Bench Holder")).organisation
    source = r.open_account(c.OpenAccount("KE", holder, AccountType.ENTITY_HOLDING, "main"))
    sink = r.open_account(c.OpenAccount("KE", holder, AccountType.ENTITY_HOLDING, "second"))
    shares = (AllocationShare(source.account, Decimal(100)),)
    decision = r.record_decision(
        c.RecordDecision(PROJECT, date(2024, 1, 1), date(2024, 12, 31), 2024, UNITS, shares)
    ).decision
    issued = r.issue(c.Issue(decision, "KE"))
    began = time.perf_counter()
    retired: list[int] = []
    for n in range(moves):
        kind = n % 10
        if kind == 9:
            r.transfer(c.Move(source.account, sink.account, 3))
        else:
            move = c.Move(
                source.account,
                quantity=1 + n % 3,
                purpose=CancellationPurpose.VOLUNTARY if kind % 2 else CancellationPurpose.NDC,
                beneficiary=f"Beneficiary {n % 997}",
            )
            done = r.retire(move) if kind % 2 else r.cancel(move)
            if len(retired) < 50:
                retired.append(done.transaction)
        if progress is not None and n % 1000 == 999:
            progress(n + 1)
    return BenchLedger(
        source.account,
        sink.account,
        tuple(retired),
        issued.serials[0],
        time.perf_counter() - began,
    )


def scale_portfolio(app: App, cohorts: int) -> int:
    """The 252 funded projects imported ``cohorts`` times: cohort 0 as they are, cohort k
    renumbered ``seq + 1000 k`` (KE-F1001 …). Returns the total."""
    views = app.public.projects
    projects, countries = views.read_lists()
    for cohort in range(cohorts):
        copies = [replace(p, seq=p.seq + 1000 * cohort) for p in projects]
        views.import_portfolio(copies, countries)
    return len(projects) * cohorts
