"""Stateful property test: random command sequences against the real registry service.

A Hypothesis ``RuleBasedStateMachine`` drives :class:`RegistryService`, bootstrapped on a
real database (a fresh, migrated SQLite file or PostgreSQL schema per example), with
decisions, issuances, transfers by quantity and by serial range, external transfers,
cancellations, retirements, batches and idempotency-key repeats, valid and invalid. Next
to it runs a deliberately naive model: one owner per serial. After every step the database
must agree with the model unit for unit, the audit must pass, and every refused command
must have changed nothing.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Protocol

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from jcm.adapters import schema as t
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.service_layer.registry.results import AccountInfo, BatchResult, Holding, TransactionResult

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
JP = "JP"
PARTNERS = ("KE", "ID")
PROJECTS = ("KE001", "KE002", "ID001")
ENTITIES_PER_REGISTRY = 2
FIRST_YEAR = 2015
LAST_MONTH = (2025 - FIRST_YEAR) * 12 + 11  # monitoring periods end by December 2025

MOVE_KINDS = (
    TransactionKind.TRANSFER,
    TransactionKind.TRANSFER,
    TransactionKind.EXTERNAL_TRANSFER,
    TransactionKind.CANCELLATION,
    TransactionKind.RETIREMENT,
)
TERMINAL_OF = {
    TransactionKind.CANCELLATION: AccountType.CANCELLATION,
    TransactionKind.RETIREMENT: AccountType.RETIREMENT,
}

SerialKey = tuple[int, int]  # (decision id, serial)
Owners = dict[SerialKey, str]  # every issued serial -> the account holding it


def rarely(data: st.DataObject, label: str) -> bool:
    """True about one time in eight (Hypothesis favours 0, the common case, when shrinking)."""
    return data.draw(st.integers(0, 7), label=label) == 7


def month_start(index: int) -> date:
    return date(FIRST_YEAR + index // 12, index % 12 + 1, 1)


def month_end(index: int) -> date:
    return month_start(index + 1) - timedelta(days=1)


# -- databases: a fresh, set-up registry per example --------------------------------------


class Ledgers(Protocol):
    def fresh(self) -> App: ...
    def release(self, app: App) -> None: ...


class SqliteLedgers:
    """A new SQLite file per example (migrating an empty file takes a few milliseconds)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = itertools.count()

    def fresh(self) -> App:
        path = self.directory / f"example-{next(self.count)}.sqlite3"
        return bootstrap(Settings(self.directory, f"sqlite:///{path}"), clock=lambda: NOW)

    def release(self, app: App) -> None:
        app.close()
        database = make_url(app.settings.database_url).database
        assert database is not None
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)


class PostgresLedgers:
    """A new schema per example, next to the test's own one, migrated and dropped after."""

    def __init__(self, url: str, directory: Path) -> None:
        parsed = make_url(url)
        self.base = parsed.query["options"]
        assert isinstance(self.base, str)
        self.base = self.base.removeprefix("-csearch_path=")
        self.admin = create_engine(parsed.difference_update_query(["options"]))
        self.parsed = parsed
        self.directory = directory
        self.count = itertools.count()
        self.schemas: dict[int, str] = {}

    def fresh(self) -> App:
        schema = f"{self.base}_{next(self.count)}"
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = self.parsed.update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            app = bootstrap(
                Settings(self.directory, url.render_as_string(hide_password=False)),
                clock=lambda: NOW,
            )
        except BaseException:
            self._drop(schema)
            raise
        self.schemas[id(app)] = schema
        return app

    def _drop(self, schema: str) -> None:
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    def release(self, app: App) -> None:
        app.close()
        self._drop(self.schemas.pop(id(app)))

    def close(self) -> None:
        self.admin.dispose()


# -- the model ---------------------------------------------------------------------------


@dataclass
class Line:
    account: str
    registry: str
    quantity: int
    start: int | None
    end: int | None


@dataclass
class Decision:
    id: int
    project: str
    start: date
    end: date
    vintage: int
    seq: int
    amount: int
    lines: list[Line]
    issued: set[str] = field(default_factory=set)

    @property
    def partner(self) -> str:
        return self.project[:2]

    def line_of(self, serial: int) -> Line | None:
        for line in self.lines:
            if line.start is not None and line.end is not None and line.start <= serial <= line.end:
                return line
        return None

    def issued_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.quantity and ln.registry in self.issued]

    def serial(self, origin: str, start: int, end: int) -> str:
        return f"{origin}-{self.partner}-JCM-{self.project}-{self.vintage}-{self.seq}-{start}-{end}"


@dataclass(frozen=True)
class Outcome:
    """What the model expects of one move: a refusal code, or the serials that move where."""

    error: str | None
    taken: tuple[SerialKey, ...] = ()
    destination: str | None = None


def allocate_model(
    amount: int, parts: list[int], total: int, remainder_index: int
) -> list[tuple[int, int | None, int | None]]:
    """The documented rounding rule, independently: floors, remainder to one holder."""
    floors = [amount * p // total for p in parts]
    quantities = [
        f + (amount - sum(floors) if i == remainder_index else 0) for i, f in enumerate(floors)
    ]
    lines: list[tuple[int, int | None, int | None]] = []
    next_serial = 1
    for quantity in quantities:
        if quantity:
            lines.append((quantity, next_serial, next_serial + quantity - 1))
        else:
            lines.append((0, None, None))
        next_serial += quantity
    return lines


# -- the state machine ----------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    ledgers: ClassVar[Ledgers]

    def __init__(self) -> None:
        super().__init__()
        self.app = self.ledgers.fresh()
        self.registry = self.app.registry
        self.account_registry: dict[str, str] = {}
        self.account_type: dict[str, AccountType] = {}
        self.terminal: dict[tuple[str, AccountType], str] = {}
        for code in (JP, *PARTNERS):
            created = self.registry.create_registry(c.CreateRegistry(code))
            for account in created.accounts:
                self._know(account)
            org = self.registry.create_organisation(c.CreateOrganisation(code, f"{code} Trading"))
            for n in range(ENTITIES_PER_REGISTRY):
                opened = self.registry.open_account(
                    c.OpenAccount(code, org.organisation, AccountType.ENTITY_HOLDING, f"e{n}")
                )
                self._know(opened)
        self.holding = sorted(a for a, ty in self.account_type.items() if ty.is_holding)
        self.decisions: dict[int, Decision] = {}
        self.by_serial_name: dict[tuple[str, int], Decision] = {}
        self.owners: Owners = {}
        self.touched: set[int] = set()
        self.terminal_seen: dict[str, int] = {}
        self.keys = itertools.count()
        self.keyed: dict[str, tuple[str, Any, TransactionResult | BatchResult]] = {}
        self.refused_keys: list[str] = []

    def teardown(self) -> None:
        try:
            # Invariant 4: replaying the transparency log from empty rebuilds exactly the
            # state the commands left, whatever the sequence was.
            self.app.log.sign_checkpoint()
            verdict = self.app.log.verify(self.app.log_verifiers())
            assert verdict.ok, verdict.problem
        finally:
            self.ledgers.release(self.app)

    def _know(self, account: AccountInfo) -> None:
        account_id, kind = account.account, account.type
        self.account_registry[account_id] = account.registry
        self.account_type[account_id] = kind
        if kind.is_terminal:
            self.terminal[(account.registry, kind)] = account_id

    # -- model helpers ------------------------------------------------------------------
    def held(self, owners: Owners, account: str) -> list[SerialKey]:
        return sorted(k for k, a in owners.items() if a == account)

    def holders(self, owners: Owners) -> list[str]:
        present = set(owners.values())
        return [a for a in self.holding if a in present]

    def simulate(self, owners: Owners, kind: TransactionKind, cmd: c.Move) -> Outcome:
        """What the registry must do with ``cmd`` given who holds what (no side effects)."""
        source = cmd.source
        if self.account_type[source].is_terminal:
            return Outcome("A1_TERMINAL_ACCOUNT")
        src_reg = self.account_registry[source]
        destination, refusal = self.destination_of(kind, cmd, src_reg)
        if refusal is not None:
            return Outcome(refusal)
        taken, refusal = self.units_taken(owners, cmd)
        if refusal is not None:
            return Outcome(refusal)
        if kind is TransactionKind.EXTERNAL_TRANSFER:
            sides = {src_reg, self.account_registry[destination]}
            if any(sides != {JP, self.decisions[d].partner} for d, _ in taken):
                return Outcome("G6_NOT_BILATERAL")
        # Nothing is authorised here: only the host's own registry may use units for an NDC.
        if (
            kind is TransactionKind.CANCELLATION
            and cmd.purpose is CancellationPurpose.NDC
            and any(self.decisions[d].partner != src_reg for d, _ in taken)
        ):
            return Outcome("T7_NOT_AUTHORISED_FOR_NDC")
        return Outcome(None, tuple(taken), destination)

    def destination_of(
        self, kind: TransactionKind, cmd: c.Move, src_reg: str
    ) -> tuple[str, str | None]:
        """The receiving account, and the refusal code if the pair of accounts is refused."""
        if kind in TERMINAL_OF:
            return self.terminal[(src_reg, TERMINAL_OF[kind])], None
        assert cmd.destination is not None
        destination = cmd.destination
        dst_reg = self.account_registry[destination]
        refusal: str | None = None
        if kind is TransactionKind.TRANSFER:
            if src_reg != dst_reg:
                refusal = "G5_REGISTRY_MISMATCH"
            elif cmd.source == destination:
                refusal = "G1_SAME_ACCOUNT"
        elif src_reg == dst_reg:
            refusal = "G5_SAME_REGISTRY"
        elif JP not in (src_reg, dst_reg):
            refusal = "G6_NOT_BILATERAL"
        if refusal is None and self.account_type[destination].is_terminal:
            refusal = "A2_NOT_A_HOLDING_ACCOUNT"
        return destination, refusal

    def units_taken(self, owners: Owners, cmd: c.Move) -> tuple[list[SerialKey], str | None]:
        """The units the move takes, lowest first, or the refusal code."""
        if cmd.quantity is not None:
            held = self.held(owners, cmd.source)
            if len(held) < cmd.quantity:
                return [], "U2_INSUFFICIENT_UNITS"
            return held[: cmd.quantity], None
        assert cmd.serials is not None
        serial = SerialRange.parse(cmd.serials)
        decision = self.by_serial_name[(serial.project, serial.period_seq)]
        missing = False
        for s in range(serial.start, serial.end + 1):
            line = decision.line_of(s)
            if line is None or line.registry not in decision.issued:
                missing = True
                continue
            if line.registry != serial.origin:
                return [], "U1_UNKNOWN_SERIAL"
            if owners[(decision.id, s)] != cmd.source:
                return [], "U2_UNITS_NOT_HELD"
        if missing:
            return [], "U1_UNKNOWN_SERIAL"
        return [(decision.id, s) for s in range(serial.start, serial.end + 1)], None

    def serial_keys(self, serials: Sequence[str]) -> list[SerialKey]:
        keys: list[SerialKey] = []
        for text_ in serials:
            serial = SerialRange.parse(text_)
            decision = self.by_serial_name[(serial.project, serial.period_seq)]
            keys.extend((decision.id, s) for s in range(serial.start, serial.end + 1))
        return keys

    # -- database helpers ---------------------------------------------------------------
    def snapshot(self) -> Any:
        """Everything a command could change; a refused command must leave it equal.

        The rows of the tables that hold state, and the row count of every table (the
        append-only ones: transactions, their ranges, events, log nodes, keys ...).
        """
        state_tables = (t.unit_blocks, t.decisions, t.decision_lines, t.projects, t.accounts)
        with self.app.engine.connect() as conn:
            rows = [
                conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                for table in state_tables
            ]
            counts = conn.execute(
                select(
                    *[
                        select(func.count()).select_from(table).scalar_subquery().label(table.name)
                        for table in t.metadata.sorted_tables
                    ]
                )
            ).one()
        return (self.registry.holdings(), rows, counts)

    def expect_refusal(self, code: str, call: Callable[[], Any]) -> JcmError:
        before = self.snapshot()
        with pytest.raises(JcmError) as caught:
            call()
        assert caught.value.code == code, f"expected {code}, got {caught.value}"
        event(f"refused: {code}")
        assert self.snapshot() == before, f"refused command ({code}) changed the database"
        return caught.value

    def run_move(
        self, kind: TransactionKind, cmd: c.Move, key: str | None = None
    ) -> TransactionResult:
        return self.registry.move(cmd, kind, key)

    def apply_move(
        self, kind: TransactionKind, cmd: c.Move, key: str | None = None
    ) -> TransactionResult | None:
        """Run a move, check it against the model, and update the model; None if refused."""
        outcome = self.simulate(self.owners, kind, cmd)
        if outcome.error is not None:
            self.expect_refusal(outcome.error, lambda: self.run_move(kind, cmd, key))
            if key is not None:
                self.refused_keys.append(key)
            return None
        result = self.run_move(kind, cmd, key)
        event(f"moved: {kind.value} by {'quantity' if cmd.quantity else 'serials'}")
        assert not result.replayed
        assert result.kind == kind.value
        assert result.source == cmd.source
        assert result.destination == outcome.destination
        assert result.quantity == len(outcome.taken)
        moved = self.serial_keys(result.serials)
        assert sorted(moved) == sorted(outcome.taken), "moved other serials than the model"
        assert outcome.destination is not None
        for k in outcome.taken:
            self.owners[k] = outcome.destination
            self.touched.add(k[0])
        if key is not None:
            self.keyed[key] = ("move", (kind, cmd), result)
        return result

    # -- drawing commands ---------------------------------------------------------------
    def draw_move(
        self,
        data: st.DataObject,
        owners: Owners,
        kind: TransactionKind | None = None,
        by_serials: bool | None = None,
    ) -> tuple[TransactionKind, c.Move]:
        """A move that mostly succeeds: from a holder, at most what it holds (1 in 8 more)."""
        if kind is None:
            kind = data.draw(st.sampled_from(MOVE_KINDS), label="kind")
        holders = self.holders(owners)
        if holders and not rarely(data, "from a non-holder"):
            source = data.draw(st.sampled_from(holders), label="source")
        else:
            source = data.draw(st.sampled_from(self.holding), label="source")
        src_reg = self.account_registry[source]
        destination: str | None = None
        purpose: CancellationPurpose | None = None
        if kind is TransactionKind.TRANSFER:
            same = [a for a in self.holding if self.account_registry[a] == src_reg and a != source]
            destination = data.draw(st.sampled_from(same), label="destination")
        elif kind is TransactionKind.EXTERNAL_TRANSFER:
            other = [
                a
                for a in self.holding
                if self.account_registry[a] != src_reg and JP in (src_reg, self.account_registry[a])
            ]
            destination = data.draw(st.sampled_from(other), label="destination")
        elif kind is TransactionKind.CANCELLATION:
            purpose = data.draw(
                st.sampled_from([CancellationPurpose.NDC, CancellationPurpose.VOLUNTARY]),
                label="purpose",
            )
        held = self.held(owners, source)
        if by_serials is None:
            by_serials = data.draw(st.booleans(), label="by serials")
        if held and by_serials:
            serials = self.draw_range(data, owners, source, held)
            return kind, c.Move(source, destination, serials=serials, purpose=purpose)
        if held and not rarely(data, "more than held"):
            quantity = data.draw(st.integers(1, len(held)), label="quantity")
        else:
            quantity = len(held) + data.draw(st.integers(1, 3), label="excess")
        return kind, c.Move(source, destination, quantity=quantity, purpose=purpose)

    def draw_range(
        self, data: st.DataObject, owners: Owners, source: str, held: list[SerialKey]
    ) -> str:
        """A serial range starting at a unit ``source`` holds; mostly held in full."""
        decision_id, first = data.draw(st.sampled_from(held), label="first serial")
        decision = self.decisions[decision_id]
        line = decision.line_of(first)
        assert line is not None
        assert line.end is not None
        last = first
        while last < line.end and owners.get((decision_id, last + 1)) == source:
            last += 1
        if rarely(data, "beyond the held run"):
            last = min(last + data.draw(st.integers(1, 3)), decision.amount + 2)
        end = data.draw(st.integers(first, last), label="last serial")
        return decision.serial(line.registry, first, end)

    def draw_period(self, data: st.DataObject) -> tuple[date, date, int]:
        first = data.draw(st.integers(0, LAST_MONTH), label="start month")
        last = data.draw(st.integers(first, min(first + 17, LAST_MONTH)), label="end month")
        start, end = month_start(first), month_end(last)
        vintage = data.draw(st.integers(start.year, end.year), label="vintage")
        return start, end, vintage

    # -- rules: decisions and issuance --------------------------------------------------
    @initialize(data=st.data())
    def start_with_issued_decisions(self, data: st.DataObject) -> None:
        """Units to move from the first step: a decision per project, both sides issued."""
        for project in PROJECTS:
            decision = self.record(data, project)
            if decision is not None:
                self.issue_side(decision, JP)
                self.issue_side(decision, decision.partner)

    @rule(data=st.data())
    def record_decision(self, data: st.DataObject) -> None:
        self.record(data, data.draw(st.sampled_from(PROJECTS), label="project"))

    def record(self, data: st.DataObject, project: str) -> Decision | None:
        partner = project[:2]
        start, end, vintage = self.draw_period(data)
        amount = data.draw(st.integers(1, 150), label="amount")
        eligible = [a for a in self.holding if self.account_registry[a] in (JP, partner)]
        accounts = data.draw(
            st.lists(st.sampled_from(eligible), min_size=1, max_size=4, unique=True),
            label="holders",
        )
        total = data.draw(st.sampled_from([100, 10_000]), label="share unit")
        cuts = sorted(
            data.draw(
                st.lists(
                    st.integers(1, total - 1),
                    min_size=len(accounts) - 1,
                    max_size=len(accounts) - 1,
                    unique=True,
                ),
                label="cuts",
            )
        )
        parts = [b - a for a, b in itertools.pairwise([0, *cuts, total])]
        remainder_index = data.draw(st.integers(0, len(accounts) - 1), label="remainder")
        shares = tuple(
            AllocationShare(a, Decimal(p) * 100 / total)
            for a, p in zip(accounts, parts, strict=True)
        )
        cmd = c.RecordDecision(
            project, start, end, vintage, amount, shares, remainder_to=accounts[remainder_index]
        )
        overlapping = [
            d
            for d in self.decisions.values()
            if d.project == project and d.start <= end and start <= d.end
        ]
        if overlapping:
            self.expect_refusal("I3_OVERLAPPING_PERIOD", lambda: self.registry.record_decision(cmd))
            return None
        result = self.registry.record_decision(cmd)
        event("recorded")
        seq = 1 + sum(1 for d in self.decisions.values() if d.project == project)
        assert result.period_seq == seq
        assert result.amount == amount
        assert result.status == "pending"
        expected = allocate_model(amount, parts, total, remainder_index)
        lines = []
        for got, account, (quantity, first, last) in zip(
            result.lines, accounts, expected, strict=True
        ):
            assert (got.account, got.quantity) == (account, quantity)
            registry = self.account_registry[account]
            lines.append(Line(account, registry, quantity, first, last))
        decision = Decision(result.decision, project, start, end, vintage, seq, amount, lines)
        for got, line in zip(result.lines, lines, strict=True):
            if line.start is None or line.end is None:
                assert got.serials is None
            else:
                assert got.serials == decision.serial(line.registry, line.start, line.end)
        assert sum(ln.quantity for ln in lines) == amount
        self.decisions[decision.id] = decision
        self.by_serial_name[(project, seq)] = decision
        return decision

    @precondition(lambda self: self.decisions)
    @rule(data=st.data())
    def record_overlapping_decision(self, data: st.DataObject) -> None:
        existing = data.draw(st.sampled_from(sorted(self.decisions)), label="decision")
        decision = self.decisions[existing]
        day = data.draw(st.integers(0, (decision.end - decision.start).days), label="day inside")
        start = decision.start + timedelta(days=day)
        end = min(start + timedelta(days=data.draw(st.integers(0, 400))), date(2025, 12, 31))
        holder = next(a for a in self.holding if self.account_registry[a] == JP)
        cmd = c.RecordDecision(
            decision.project, start, end, start.year, 10, (AllocationShare(holder, Decimal(100)),)
        )
        self.expect_refusal("I3_OVERLAPPING_PERIOD", lambda: self.registry.record_decision(cmd))

    @precondition(lambda self: self.decisions)
    @rule(data=st.data())
    def issue(self, data: st.DataObject) -> None:
        pending = self.pending_sides()
        if pending and not rarely(data, "any side"):
            decision_id, registry = data.draw(st.sampled_from(pending), label="side")
            self.issue_side(self.decisions[decision_id], registry)
            return
        decision = self.decisions[data.draw(st.sampled_from(sorted(self.decisions)), label="id")]
        registry = data.draw(st.sampled_from([JP, *PARTNERS]), label="registry")
        self.issue_side(decision, registry)

    @precondition(lambda self: self.pending_sides())
    @rule(data=st.data())
    def issue_twice(self, data: st.DataObject) -> None:
        decision_id, registry = data.draw(st.sampled_from(self.pending_sides()), label="side")
        self.issue_side(self.decisions[decision_id], registry)
        self.issue_side(self.decisions[decision_id], registry)  # I2_ALREADY_ISSUED

    def pending_sides(self) -> list[tuple[int, str]]:
        return sorted(
            {
                (d.id, ln.registry)
                for d in self.decisions.values()
                for ln in d.lines
                if ln.quantity and ln.registry not in d.issued
            }
        )

    def issue_side(self, decision: Decision, registry: str) -> None:
        cmd = c.Issue(decision.id, registry)
        mine = [ln for ln in decision.lines if ln.registry == registry and ln.quantity]
        if not mine:
            self.expect_refusal("I2_NO_SHARE", lambda: self.registry.issue(cmd))
            return
        if registry in decision.issued:
            self.expect_refusal("I2_ALREADY_ISSUED", lambda: self.registry.issue(cmd))
            return
        result = self.registry.issue(cmd)
        event("issued")
        decision.issued.add(registry)
        assert result.kind == "issuance"
        assert result.quantity == sum(ln.quantity for ln in mine)
        assert list(result.serials) == [
            decision.serial(registry, ln.start or 0, ln.end or 0) for ln in mine
        ]
        outstanding = any(
            ln.quantity and ln.registry not in decision.issued for ln in decision.lines
        )
        assert result.decision_status == ("partially_issued" if outstanding else "issued")
        for line in mine:
            assert line.start is not None
            assert line.end is not None
            for s in range(line.start, line.end + 1):
                assert (decision.id, s) not in self.owners
                self.owners[(decision.id, s)] = line.account
        self.touched.add(decision.id)

    # -- rules: moving units ------------------------------------------------------------
    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def transfer_by_quantity(self, data: st.DataObject) -> None:
        self.apply_move(
            *self.draw_move(data, self.owners, TransactionKind.TRANSFER, False),
            self.maybe_key(data),
        )

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def transfer_by_serial_range(self, data: st.DataObject) -> None:
        self.apply_move(
            *self.draw_move(data, self.owners, TransactionKind.TRANSFER, True), self.maybe_key(data)
        )

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def external_transfer(self, data: st.DataObject) -> None:
        self.apply_move(
            *self.draw_move(data, self.owners, TransactionKind.EXTERNAL_TRANSFER),
            self.maybe_key(data),
        )

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        self.apply_move(
            *self.draw_move(data, self.owners, TransactionKind.CANCELLATION), self.maybe_key(data)
        )

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def retire(self, data: st.DataObject) -> None:
        self.apply_move(
            *self.draw_move(data, self.owners, TransactionKind.RETIREMENT), self.maybe_key(data)
        )

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def transfer_more_than_held(self, data: st.DataObject) -> None:
        source = data.draw(st.sampled_from(self.holding), label="source")
        same = [
            a
            for a in self.holding
            if self.account_registry[a] == self.account_registry[source] and a != source
        ]
        destination = data.draw(st.sampled_from(same), label="destination")
        extra = data.draw(st.integers(1, 50), label="extra")
        cmd = c.Move(source, destination, quantity=len(self.held(self.owners, source)) + extra)
        self.expect_refusal("U2_INSUFFICIENT_UNITS", lambda: self.registry.transfer(cmd))

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def move_out_of_a_terminal_account(self, data: st.DataObject) -> None:
        source = data.draw(st.sampled_from(sorted(self.terminal.values())), label="source")
        kind = data.draw(st.sampled_from(MOVE_KINDS), label="kind")
        held = self.held(self.owners, source)
        selection: dict[str, Any] = {"quantity": data.draw(st.integers(1, 5))}
        by_serials = data.draw(st.booleans(), label="by serials")
        if held and by_serials:
            decision_id, s = data.draw(st.sampled_from(held), label="serial")
            decision = self.decisions[decision_id]
            line = decision.line_of(s)
            assert line is not None
            selection = {"serials": decision.serial(line.registry, s, s)}
        destination = None
        if kind not in TERMINAL_OF:
            destination = data.draw(st.sampled_from(self.holding), label="destination")
        purpose = CancellationPurpose.NDC if kind is TransactionKind.CANCELLATION else None
        cmd = c.Move(source, destination, purpose=purpose, **selection)
        self.expect_refusal("A1_TERMINAL_ACCOUNT", lambda: self.run_move(kind, cmd))

    def simulate_batch(
        self, items: list[tuple[TransactionKind, c.Move]]
    ) -> tuple[Owners, int | None, str | None, int]:
        owners = dict(self.owners)
        moved = 0
        for index, (kind, cmd) in enumerate(items):
            outcome = self.simulate(owners, kind, cmd)
            if outcome.error is not None:
                return self.owners, index, outcome.error, 0
            for k in outcome.taken:
                assert outcome.destination is not None
                owners[k] = outcome.destination
            moved += len(outcome.taken)
        return owners, None, None, moved

    def draw_batch(self, data: st.DataObject) -> list[tuple[TransactionKind, c.Move]]:
        size = data.draw(st.integers(2, 5), label="batch size")
        owners = dict(self.owners)
        items = []
        for _ in range(size):
            kind, cmd = self.draw_move(data, owners)
            outcome = self.simulate(owners, kind, cmd)
            for k in outcome.taken:  # later items see the earlier ones' effect
                assert outcome.destination is not None
                owners[k] = outcome.destination
            items.append((kind, cmd))
        return items

    def apply_batch(
        self, items: list[tuple[TransactionKind, c.Move]], key: str | None = None
    ) -> BatchResult | None:
        owners, bad_index, code, moved = self.simulate_batch(items)
        pairs = [(cmd, kind) for kind, cmd in items]
        if code is not None:
            error = self.expect_refusal(code, lambda: self.registry.batch(pairs, key))
            assert error.details["batch_index"] == bad_index
            if key is not None:
                self.refused_keys.append(key)
            return None
        result = self.registry.batch(pairs, key)
        event("moved: batch")
        assert result.count == len(items)
        assert result.quantity == moved
        assert len(set(result.transactions)) == len(items)
        for k, account in owners.items():
            if self.owners[k] != account:
                self.touched.add(k[0])
        self.owners = owners
        if key is not None:
            self.keyed[key] = ("batch", pairs, result)
        return result

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def batch(self, data: st.DataObject) -> None:
        self.apply_batch(self.draw_batch(data), self.maybe_key(data))

    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def batch_with_one_bad_item(self, data: st.DataObject) -> None:
        items = self.draw_batch(data)
        source = data.draw(st.sampled_from(self.holding), label="bad source")
        bad = data.draw(
            st.sampled_from(
                [
                    (
                        TransactionKind.RETIREMENT,
                        c.Move(self.terminal[(JP, AccountType.CANCELLATION)], quantity=1),
                    ),
                    (
                        TransactionKind.CANCELLATION,
                        c.Move(source, quantity=10_000, purpose=CancellationPurpose.NDC),
                    ),
                ]
            ),
            label="bad item",
        )
        items.insert(data.draw(st.integers(0, len(items)), label="bad position"), bad)
        assert self.apply_batch(items) is None

    # -- rules: idempotency keys --------------------------------------------------------
    def maybe_key(self, data: st.DataObject) -> str | None:
        """Half the moves and batches carry an idempotency key, for the rules below to reuse."""
        return f"key-{next(self.keys)}" if data.draw(st.booleans(), label="with key") else None

    def call_keyed(self, what: str, command: Any, key: str) -> TransactionResult | BatchResult:
        if what == "batch":
            return self.registry.batch(command, key)
        kind, cmd = command
        return self.registry.move(cmd, kind, key)

    @precondition(lambda self: self.keyed)
    @rule(data=st.data())
    def repeat_keyed_command(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.keyed)), label="key")
        what, command, first = self.keyed[key]
        before = self.snapshot()
        replay = self.call_keyed(what, command, key)
        event("replayed")
        # The replay is the first result, typed, rebuilt from what the key stored.
        assert replay == replace(first, replayed=True)
        assert self.snapshot() == before, "a replayed command changed the database"

    @precondition(lambda self: self.keyed)
    @rule(data=st.data())
    def reuse_key_for_another_command(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.keyed)), label="key")
        what, command, _ = self.keyed[key]
        variants: list[tuple[str, Any]]
        if what == "batch":
            first_cmd, first_kind = command[0]
            variants = [("move", (first_kind, first_cmd)), ("batch", command[:-1])]
        else:
            old_kind, old_cmd = command
            other_kind = next(k for k in MOVE_KINDS if k is not old_kind)
            variants = [
                ("batch", [(old_cmd, old_kind)]),
                ("move", (other_kind, old_cmd)),
                ("move", (old_kind, replace(old_cmd, note="another command"))),
            ]
        other = data.draw(st.sampled_from(variants), label="other command")
        self.expect_refusal(
            "G2_IDEMPOTENCY_KEY_REUSED", lambda: self.call_keyed(other[0], other[1], key)
        )

    @precondition(lambda self: self.refused_keys and self.owners)
    @rule(data=st.data())
    def reuse_key_of_a_refused_command(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self.refused_keys), label="key")
        self.refused_keys.remove(key)
        kind, cmd = self.draw_move(data, self.owners)
        self.apply_move(kind, cmd, key)

    # -- rules: reading -----------------------------------------------------------------
    @precondition(lambda self: self.owners)
    @rule(data=st.data())
    def look_up_a_serial_range(self, data: st.DataObject) -> None:
        decision_ids = sorted({d for d, _ in self.owners})
        decision = self.decisions[data.draw(st.sampled_from(decision_ids), label="decision")]
        origin = data.draw(st.sampled_from(sorted(decision.issued)), label="origin")
        first = data.draw(st.integers(1, decision.amount), label="first")
        last = data.draw(st.integers(first, decision.amount + 3), label="last")
        self.check_locations(decision, origin, first, last)

    def check_locations(self, decision: Decision, origin: str, first: int, last: int) -> None:
        """lookup_serial puts each unit of the range in exactly the model's account."""
        found = self.registry.lookup_serial(decision.serial(origin, first, last))
        where: dict[int, str] = {}
        for location in found.locations:
            piece = SerialRange.parse(location.serials)
            assert piece.quantity == location.quantity
            assert location.registry == self.account_registry[location.account]
            for s in range(piece.start, piece.end + 1):
                assert s not in where, f"serial {s} of decision {decision.id} in two places"
                where[s] = location.account
        expected = {}
        for s in range(first, last + 1):
            line = decision.line_of(s)
            if line is not None and line.registry == origin and origin in decision.issued:
                expected[s] = self.owners[(decision.id, s)]
        assert where == expected
        assert found.issued == len(expected)

    # -- invariants ---------------------------------------------------------------------
    @invariant()
    def audit_passes_and_units_are_conserved(self) -> None:
        audit = self.registry.audit()
        assert audit.ok, audit.problems
        by_type: Counter[str] = Counter()
        for account in self.owners.values():
            by_type[self.account_type[account].value] += 1
        issued = sum(ln.quantity for d in self.decisions.values() for ln in d.issued_lines())
        assert len(self.owners) == issued
        assert audit.issued == issued
        assert audit.held == by_type["government_holding"] + by_type["entity_holding"]
        assert audit.cancelled == by_type["cancellation"]
        assert audit.retired == by_type["retirement"]
        assert audit.issued == audit.held + audit.cancelled + audit.retired
        assert audit.decisions == len(self.decisions)

    @invariant()
    def holdings_match_the_model(self) -> None:
        holdings = self.registry.holdings()
        self.every_account_holds_what_the_model_says(holdings)
        self.cancelled_and_retired_totals_never_decrease(holdings)

    def every_account_holds_what_the_model_says(self, holdings: list[Holding]) -> None:
        actual: Counter[tuple[str, str, int]] = Counter()
        for row in holdings:
            assert row.registry == self.account_registry[row.account]
            actual[(row.account, row.project, row.period_seq)] += row.quantity
        expected: Counter[tuple[str, str, int]] = Counter()
        for (decision_id, _), account in self.owners.items():
            decision = self.decisions[decision_id]
            expected[(account, decision.project, decision.seq)] += 1
        assert actual == expected
        # Per decision: issued = held + cancelled + retired.
        for decision in self.decisions.values():
            in_accounts = sum(
                q for (_, p, s), q in actual.items() if (p, s) == (decision.project, decision.seq)
            )
            assert in_accounts == sum(ln.quantity for ln in decision.issued_lines())

    def cancelled_and_retired_totals_never_decrease(self, holdings: list[Holding]) -> None:
        totals: Counter[str] = Counter()
        for row in holdings:
            if row.type.is_terminal:
                totals[row.account] += row.quantity
        for account, seen in self.terminal_seen.items():
            assert totals[account] >= seen, f"{account} went down from {seen}"
        self.terminal_seen = dict(totals)

    @invariant()
    def no_serial_is_in_two_places(self) -> None:
        """Every serial of the decisions the last step touched is exactly where the model says."""
        for decision_id in sorted(self.touched):
            decision = self.decisions[decision_id]
            for line in decision.issued_lines():
                assert line.start is not None
                assert line.end is not None
                self.check_locations(decision, line.registry, line.start, line.end)
        self.touched = set()


# -- the tests ------------------------------------------------------------------------------

# Tuned on a 2-core machine: about 25 s on SQLite and 45 s on PostgreSQL.
EXAMPLES = {"sqlite": 60, "postgresql": 35}
STEPS = 30


@pytest.fixture
def ledgers(database_url: str, tmp_path: Path) -> Iterator[Ledgers]:
    if make_url(database_url).get_backend_name() == "sqlite":
        yield SqliteLedgers(tmp_path)
        return
    postgres = PostgresLedgers(database_url, tmp_path)
    yield postgres
    postgres.close()


def test_any_sequence_of_commands_conserves_units_and_refusals_change_nothing(
    ledgers: Ledgers, database_url: str
) -> None:
    machine = type("LedgerOnDatabase", (LedgerMachine,), {"ledgers": ledgers})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES[make_url(database_url).get_backend_name()],
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
