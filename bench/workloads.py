"""The measured workloads, all through the public service (``app.registry``).

Transfers pick a random source among the entity accounts that still hold enough units and
a random other destination, with a quantity of 1–10 units (blocks are 10 units, so most
transfers carve a block and some take two). The benchmark keeps its own balance book so
that every transfer is valid; a refused transfer aborts the run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from bench.loader import KE_GOVERNMENT, LOADED_PROJECTS, month_period
from jcm.adapters import schema as t
from jcm.bootstrap import App
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.commands import Issue, Move, RecordDecision
from jcm.domain.registry.transactions import TransactionKind

MAX_QUANTITY = 10
ISSUED_AMOUNT = 100  # per decision: 50 units on each side


class Traffic:
    """Random valid internal transfers between the entity accounts."""

    def __init__(self, accounts: list[str], balances: dict[str, int], seed: int) -> None:
        self.rng = random.Random(seed)
        self.accounts = accounts
        self.balances = balances

    def next_move(self) -> Move:
        rng, accounts, balances = self.rng, self.accounts, self.balances
        while True:
            quantity = rng.randint(1, MAX_QUANTITY)
            source = rng.choice(accounts)
            if balances[source] >= quantity:
                break
        destination = source
        while destination == source:
            destination = rng.choice(accounts)
        balances[source] -= quantity
        balances[destination] += quantity
        return Move(source, destination, quantity=quantity)


@dataclass
class SingleResult:
    count: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    ranges: int = 0  # serial ranges (blocks) moved, summed over the transfers

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass
class BatchResult:
    transfers: int
    batches: int
    seconds: float  # inside app.registry.batch only
    ranges: int = 0  # serial ranges (blocks) moved, summed over the transfers

    @property
    def per_second(self) -> float:
        return self.transfers / self.seconds if self.seconds else 0.0


@dataclass
class IssuanceResult:
    decisions: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.decisions / self.seconds if self.seconds else 0.0


def single_transfers(app: App, traffic: Traffic, count: int, budget: float) -> SingleResult:
    """Up to ``count`` transfers (or ``budget`` seconds), one committed transaction each."""
    transfer = app.registry.transfer
    latencies: list[float] = []
    ranges = 0
    clock = time.perf_counter
    began = clock()
    deadline = began + budget
    while len(latencies) < count:
        move = traffic.next_move()
        t0 = clock()
        result = transfer(move)
        t1 = clock()
        latencies.append(t1 - t0)
        ranges += len(result.serials)
        if t1 > deadline:
            break
    return SingleResult(len(latencies), clock() - began, latencies, ranges)


def batched_transfers(
    app: App,
    traffic: Traffic,
    batch_size: int,
    batches: int,
    budget: float,
    *,
    count_moved: bool = True,
) -> BatchResult:
    """Up to ``batches`` batches of ``batch_size`` transfers, one transaction per batch.

    ``count_moved`` reads back how many serial ranges the batches moved (after the timed
    call; off where statements are being counted or profiled)."""
    batch = app.registry.batch
    clock = time.perf_counter
    deadline = clock() + budget
    done = 0
    seconds = 0.0
    ranges = 0
    while done < batches:
        moves = [(traffic.next_move(), TransactionKind.TRANSFER) for _ in range(batch_size)]
        t0 = clock()
        result = batch(moves)
        t1 = clock()
        if result.count != batch_size:
            raise RuntimeError(f"batch committed {result.count} of {batch_size} transfers")
        seconds += t1 - t0
        done += 1
        if count_moved:
            ranges += count_ranges(app, result.transactions)
        if t1 > deadline:
            break
    return BatchResult(done * batch_size, done, seconds, ranges)


def count_ranges(app: App, transaction_ids: Sequence[int]) -> int:
    """Serial ranges recorded for these transactions (read after the timed call)."""
    if not transaction_ids:
        return 0
    with app.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        found = conn.execute(
            select(func.count())
            .select_from(t.transaction_ranges)
            .where(
                t.transaction_ranges.c.transaction_id.between(
                    min(transaction_ids), max(transaction_ids)
                )
            )
        ).scalar_one()
    return int(found)


class Issuer:
    """Records and issues (both sides) new decisions on projects KE100–KE999.

    Each decision gives 50 units to a random JP entity account and 50 to ``KE-GOV-0001``;
    successive decisions of a project cover successive months from January 2010.
    """

    def __init__(self, traffic: Traffic) -> None:
        self.traffic = traffic
        self.issued = 0

    def issue(self, app: App, decisions: int) -> IssuanceResult:
        registry = app.registry
        projects = 1000 - LOADED_PROJECTS
        rng = self.traffic.rng
        half = Decimal(50)
        clock = time.perf_counter
        began = clock()
        for _ in range(decisions):
            n = self.issued
            project = f"KE{LOADED_PROJECTS + n % projects:03d}"
            start, end = month_period(n // projects, 2010)
            holder = rng.choice(self.traffic.accounts)
            recorded = registry.record_decision(
                RecordDecision(
                    project,
                    start,
                    end,
                    start.year,
                    ISSUED_AMOUNT,
                    (AllocationShare(holder, half), AllocationShare(KE_GOVERNMENT, half)),
                )
            )
            registry.issue(Issue(recorded.decision, "JP"))
            registry.issue(Issue(recorded.decision, "KE"))
            self.traffic.balances[holder] += ISSUED_AMOUNT // 2
            self.issued += 1
        return IssuanceResult(decisions, clock() - began)
