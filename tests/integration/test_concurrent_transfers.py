"""Concurrency: many OS processes moving units through one registry database at once.

Each worker is a separate process (multiprocessing, ``spawn``) with its own app, engine and
connections, exactly like several ``jcm`` commands or API workers would be. The parent
sets up and migrates the database, starts the workers behind a barrier so they really
overlap, and afterwards checks the ledger against what the workers say was committed:
conservation per account, every serial in exactly one place (replaying every committed
transaction in order must reproduce the blocks), one event per transaction, and a clean
audit. Refusals are legitimate only when the units really were gone (U2_*).
"""

from __future__ import annotations

import itertools
import multiprocessing
import queue
import random
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from jcm.adapters import schema as t
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.registry.results import SerialLookup
from jcm.service_layer.results import to_json

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DRAINERS = 8  # processes transferring out of the one shared source account
TRANSFERS_EACH = 40
MAX_QUANTITY = 5  # drainers ask for 1..5 units: about 8 x 40 x 3 = 960 in all
SOURCE_UNITS = 600  # ... from a source holding 600, so the source runs dry
TIMEOUT_S = 240  # generous: the whole run takes seconds; this only catches a hang
LEGITIMATE_REFUSALS = {"U2_INSUFFICIENT_UNITS", "U2_UNITS_NOT_HELD"}

Op = tuple[Any, ...]

# Account ids follow from the set-up order: JP's three government accounts come first.
SOURCE, D1, D2, D3, D4, O1, O2, O3 = (f"JP-ENT-{n:04d}" for n in range(4, 12))
DESTINATIONS = (D1, D2, D3, D4)
OTHERS = (O1, O2, O3)
ISSUED = 900
ISSUANCES = 2
WHOLE_LINES = ("JP-KE-JCM-KE001-2024-1-1-500", "JP-KE-JCM-KE002-2024-1-1-400")


# -- the worker process --------------------------------------------------------------------


def _worker(
    url: str,
    data_dir: str,
    name: str,
    ops: list[Op],
    seed: int,
    barrier: Any,
    results: Any,
) -> None:
    """Run ``ops`` against the registry at ``url``; report every outcome to ``results``."""
    outcomes: list[dict[str, Any]] = []
    try:
        app = bootstrap(Settings(Path(data_dir), url), clock=lambda: NOW, run_migrations=False)
        try:
            app.registry.registries()  # connect before the start line
            barrier.wait(timeout=TIMEOUT_S)
            rng = random.Random(seed)
            for op in ops:
                outcomes.append(_run(app, op, rng))
        finally:
            app.close()
        results.put((name, "ok", outcomes))
    except BaseException:
        barrier.abort()  # the others stop waiting for this one at the start line
        results.put((name, "crashed", traceback.format_exc()))


def _run(app: App, op: Op, rng: random.Random) -> dict[str, Any]:
    kind = op[0]
    outcome: dict[str, Any] = {"op": op}
    try:
        if kind == "transfer":
            _, source, destination, quantity, key = op
            result = app.registry.transfer(c.Move(source, destination, quantity=quantity), key)
            outcome.update(result=to_json(result))
        elif kind == "batch":
            _, items = op
            moves = [
                (c.Move(source, destination, quantity=quantity), TransactionKind.TRANSFER)
                for source, destination, quantity in items
            ]
            outcome.update(result=to_json(app.registry.batch(moves)))
        elif kind == "serials":
            # Take a random piece of what one of `accounts` holds of a serial range, as seen a
            # moment ago; by now another process may have moved it (U2_UNITS_NOT_HELD).
            _, whole, accounts = op
            where = app.registry.lookup_serial(whole).locations
            pieces = [loc for loc in where if loc.account in accounts]
            if not pieces:
                outcome.update(skipped=True)
                return outcome
            piece = rng.choice(pieces)
            serial = SerialRange.parse(piece.serials)
            start = rng.randint(serial.start, serial.end)
            end = rng.randint(start, min(serial.end, start + 9))
            text = str(replace(serial, start=start, end=end))
            destination = rng.choice([a for a in accounts if a != piece.account])
            outcome["op"] = ("serials", piece.account, destination, text)
            result = app.registry.transfer(c.Move(piece.account, destination, serials=text))
            outcome.update(result=to_json(result))
        else:
            raise ValueError(f"unknown op {kind}")
    except JcmError as error:
        outcome.update(error=error.code, message=error.message)
    return outcome


def run_workers(
    url: str, data_dir: Path, plans: dict[str, tuple[list[Op], int]]
) -> dict[str, list[dict[str, Any]]]:
    """Start one process per plan, all released at once; wait for all of them (bounded)."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(plans))
    results = ctx.Queue()
    processes = [
        ctx.Process(
            target=_worker,
            args=(url, str(data_dir), name, ops, seed, barrier, results),
            name=f"jcm-{name}",
            daemon=True,
        )
        for name, (ops, seed) in plans.items()
    ]
    deadline = time.monotonic() + TIMEOUT_S
    for process in processes:
        process.start()
    reported: dict[str, list[dict[str, Any]]] = {}
    crashed: dict[str, str] = {}
    try:
        while len(reported) + len(crashed) < len(processes):
            try:
                name, status, payload = results.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if status == "ok":
                reported[name] = payload
            else:
                crashed[name] = payload
        for process in processes:
            process.join(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        hung = [p.name for p in processes if p.is_alive()]
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join(5)
        results.close()
        results.join_thread()
    assert not crashed, "worker crashed:\n" + "\n".join(crashed.values())
    assert not hung, f"workers still running after {TIMEOUT_S} s (deadlock?): {hung}"
    assert sorted(reported) == sorted(plans)
    assert all(p.exitcode == 0 for p in processes)
    return reported


# -- the registry set up by the parent ------------------------------------------------------


@pytest.fixture
def market(database_url: str, tmp_path: Path) -> Iterator[App]:
    """JP and KE; a source account, four destinations and three other JP accounts.

    Two decisions, issued in JP: the source holds 300 of each (600), the others 100 each.
    """
    app = bootstrap(Settings(tmp_path, database_url), clock=lambda: NOW)  # migrates
    r = app.registry
    r.create_registry(c.CreateRegistry("JP"))
    r.create_registry(c.CreateRegistry("KE"))
    org = r.create_organisation(c.CreateOrganisation("JP", "Traders KK")).organisation
    for name in ("source", "d1", "d2", "d3", "d4", "o1", "o2", "o3"):
        r.open_account(c.OpenAccount("JP", org, AccountType.ENTITY_HOLDING, name))
    for project, amount, shares in (
        ("KE001", 500, ((SOURCE, 60), (O1, 20), (O2, 20))),
        ("KE002", 400, ((SOURCE, 75), (O3, 25))),
    ):
        decision = r.record_decision(
            c.RecordDecision(
                project,
                date(2024, 1, 1),
                date(2024, 12, 31),
                2024,
                amount,
                tuple(AllocationShare(a, Decimal(p)) for a, p in shares),
            )
        )
        r.issue(c.Issue(decision.decision, "JP"))
    assert quantities(app)[SOURCE] == SOURCE_UNITS
    yield app
    app.close()


def quantities(app: App) -> Counter[str]:
    held: Counter[str] = Counter()
    for row in app.registry.holdings():
        held[row.account] += row.quantity
    return held


def count(app: App, table: Any, *where: Any) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def deadlocks(app: App) -> int:
    """PostgreSQL's count of deadlocks detected in this database (0 on SQLite, which has none:
    every write transaction takes the database lock first)."""
    if app.engine.dialect.name != "postgresql":
        return 0
    with app.engine.connect() as conn:
        query = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        return int(conn.execute(text(query)).scalar_one())


def committed_moves(outcomes: dict[str, list[dict[str, Any]]]) -> list[tuple[int, str, str, int]]:
    """(transaction, source, destination, quantity) of every move the workers saw commit."""
    moves = []
    for worker_outcomes in outcomes.values():
        for outcome in worker_outcomes:
            if "error" in outcome:
                assert outcome["error"] in LEGITIMATE_REFUSALS, outcome
                continue
            if outcome.get("skipped"):
                continue
            result, op = outcome["result"], outcome["op"]
            if op[0] == "batch":
                assert result["count"] == len(op[1])
                for tx, (source, destination, quantity) in zip(
                    result["transactions"], op[1], strict=True
                ):
                    moves.append((tx, source, destination, quantity))
            else:
                assert (result["source"], result["destination"]) == (op[1], op[2])
                if op[0] == "transfer":
                    assert result["quantity"] == op[3]
                moves.append((result["transaction"], op[1], op[2], result["quantity"]))
    return sorted(moves)


def check_ledger(app: App, before: Counter[str], moves: list[tuple[int, str, str, int]]) -> None:
    """The database after the run agrees with the moves the workers saw commit."""
    audit = app.registry.audit()
    assert audit.ok, audit.problems
    assert audit.issued == ISSUED == audit.held

    expected = Counter(before)
    for _, source, destination, quantity in moves:
        expected[source] -= quantity
        expected[destination] += quantity
    after = quantities(app)
    assert min(expected.values()) >= 0, "the committed transfers overdrew an account"
    assert +after == +expected, "holdings differ from the committed transfers"
    assert sum(after.values()) == ISSUED

    # Exactly the reported transactions were committed, each with exactly one event.
    assert len({tx for tx, *_ in moves}) == len(moves)
    transfers = t.transactions.c.kind == "transfer"
    assert count(app, t.transactions, transfers) == len(moves)
    assert count(app, t.transactions) == len(moves) + ISSUANCES
    assert count(app, t.events, t.events.c.transaction_id.is_not(None)) == len(moves) + ISSUANCES
    with app.engine.connect() as conn:
        ids = set(conn.execute(select(t.transactions.c.id).where(transfers)).scalars())
    assert ids == {tx for tx, *_ in moves}

    # No serial in two places: every serial is held once, and replaying the recorded
    # history (issuance, then every transaction's ranges in commit order) ends where the
    # blocks are.
    located: dict[tuple[str, int], str] = {}
    for whole in WHOLE_LINES:
        found = app.registry.lookup_serial(whole)
        serial = SerialRange.parse(whole)
        assert found.issued == serial.quantity
        replayed: dict[int, str] = {}
        for event in found.history:
            piece = SerialRange.parse(event.serials)
            for s in range(piece.start, piece.end + 1):
                if event.kind == "issuance":
                    assert s not in replayed
                else:
                    assert replayed[s] == event.source, f"{whole}: {s} moved by a non-holder"
                replayed[s] = event.destination or _issued_to(found, s)
        for location in found.locations:
            piece = SerialRange.parse(location.serials)
            for s in range(piece.start, piece.end + 1):
                assert (serial.project, s) not in located, f"serial {s} in two places"
                located[(serial.project, s)] = location.account
                assert replayed[s] == location.account
    assert len(located) == ISSUED
    assert Counter(located.values()) == +after


def _issued_to(found: SerialLookup, serial: int) -> str:
    for event in found.history:
        if event.kind == "issuance":
            lines = event.detail["lines"]
            assert isinstance(lines, list)
            for line in lines:
                assert isinstance(line, dict)
                piece = SerialRange.parse(str(line["serials"]))
                if piece.start <= serial <= piece.end:
                    return str(line["account"])
    raise AssertionError(f"serial {serial} was never issued")


# -- the tests ------------------------------------------------------------------------------


def test_processes_draining_one_account_at_once_conserve_every_unit(
    market: App, database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(20260401)
    plans: dict[str, tuple[list[Op], int]] = {}
    for n in range(DRAINERS):
        ops: list[Op] = [
            ("transfer", SOURCE, rng.choice(DESTINATIONS), rng.randint(1, MAX_QUANTITY), None)
            for _ in range(TRANSFERS_EACH)
        ]
        plans[f"drainer-{n}"] = (ops, n)
    # Meanwhile: transfers among the other accounts (both directions, so lock cycles are
    # possible), transfers out of the destinations the drainers are filling, batches, and
    # transfers of explicit serial ranges picked from a look-up a moment before.
    plans["shuffler"] = (
        [
            ("transfer", *rng.sample(OTHERS, 2), rng.randint(1, 8), None)
            for _ in range(TRANSFERS_EACH)
        ],
        100,
    )
    plans["forwarder"] = (
        [
            ("transfer", rng.choice(DESTINATIONS), rng.choice(OTHERS), rng.randint(1, 3), None)
            for _ in range(TRANSFERS_EACH)
        ],
        101,
    )
    plans["batcher"] = (
        [
            (
                "batch",
                [(a, b, rng.randint(1, 4)) for a, b in [rng.sample(OTHERS, 2) for _ in "abc"]],
            )
            for _ in range(TRANSFERS_EACH // 2)
        ],
        102,
    )
    plans["picker"] = (
        [("serials", rng.choice(WHOLE_LINES), (*OTHERS, D1)) for _ in range(TRANSFERS_EACH)],
        103,
    )
    before = quantities(market)
    deadlocks_before = deadlocks(market)

    started = time.monotonic()
    outcomes = run_workers(database_url, tmp_path, plans)
    elapsed = time.monotonic() - started

    moves = committed_moves(outcomes)
    drained = [m for m in moves if m[1] == SOURCE]
    refused = Counter(o["error"] for out in outcomes.values() for o in out if "error" in o)
    after = quantities(market)
    # Every drainer transfer either committed or was refused for lack of units.
    drainer_ops = [o for name, out in outcomes.items() if name.startswith("drainer") for o in out]
    assert len(drainer_ops) == DRAINERS * TRANSFERS_EACH
    assert len(drained) + sum(1 for o in drainer_ops if "error" in o) == len(drainer_ops)
    assert sum(q for *_, q in drained) == SOURCE_UNITS - after[SOURCE]
    assert refused["U2_INSUFFICIENT_UNITS"] > 0, "the source never ran dry: demand too low"
    assert after[SOURCE] < MAX_QUANTITY  # it ran dry: what is left is less than one request
    check_ledger(market, before, moves)
    # Retried deadlocks would still conserve units, but each stalls its transfers for a
    # second (deadlock_timeout) and enough of them turn into G9_BUSY refusals.
    assert deadlocks(market) == deadlocks_before, "PostgreSQL detected deadlocks"
    print(f"{len(moves)} transfers committed, refusals {dict(refused)}, {elapsed:.1f} s")


def test_processes_transferring_in_opposite_directions_never_deadlock(
    market: App, database_url: str, tmp_path: Path
) -> None:
    """Every ordered pair of three accounts, one process each: A→B runs while B→A runs."""
    rng = random.Random(7)
    plans: dict[str, tuple[list[Op], int]] = {
        f"{source}>{destination}": (
            [
                ("transfer", source, destination, rng.randint(1, 3), None)
                for _ in range(TRANSFERS_EACH)
            ],
            n,
        )
        for n, (source, destination) in enumerate(itertools.permutations(OTHERS, 2))
    }
    before = quantities(market)
    deadlocks_before = deadlocks(market)

    outcomes = run_workers(database_url, tmp_path, plans)

    moves = committed_moves(outcomes)
    assert len(moves) > len(plans) * TRANSFERS_EACH // 2
    check_ledger(market, before, moves)
    assert deadlocks(market) == deadlocks_before, "PostgreSQL detected deadlocks"


def test_processes_racing_with_one_idempotency_key_make_exactly_one_transfer(
    market: App, database_url: str, tmp_path: Path
) -> None:
    """Half the processes send command A, half command B, all under the same key."""
    key = "race-key"
    a = ("transfer", SOURCE, D1, 5, key)
    b = ("transfer", SOURCE, D2, 7, key)
    plans: dict[str, tuple[list[Op], int]] = {
        f"racer-{n}": ([a if n % 2 else b], n) for n in range(DRAINERS)
    }
    before = quantities(market)

    outcomes = run_workers(database_url, tmp_path, plans)

    results = [out[0] for out in outcomes.values()]
    done = [r for r in results if "result" in r]
    fresh = [r for r in done if not r["result"].get("replayed")]
    assert len(fresh) == 1, f"{len(fresh)} processes transferred under one key: {results}"
    winner = fresh[0]
    first = winner["result"]
    for r in done:
        assert r["op"] == winner["op"], "a different command was answered with the result"
        assert {k: v for k, v in r["result"].items() if k != "replayed"} == first
    for r in results:
        if "error" in r:
            assert r["error"] == "G2_IDEMPOTENCY_KEY_REUSED", r
            assert r["op"] != winner["op"]
    assert len(done) == DRAINERS // 2  # everyone with the winner's command got its result
    moves = [(first["transaction"], SOURCE, winner["op"][2], first["quantity"])]
    check_ledger(market, before, moves)
    assert count(market, t.idempotency_keys) == 1
