"""Stateful property test: random Article 6 operations over two years through the real
registry, then both Parties' AEF for each year, derived from the facts the database holds.

A Hypothesis ``RuleBasedStateMachine`` drives the registry (a fresh, migrated SQLite file
per example) with a clock that moves forward with every step through 2025 and 2026:
issuances, authorisations in Kenya's and in Japan's registry (NDC, NDC and OIMP, OIMP with
first transfer at authorisation or at use), external transfers both ways, internal
transfers, part quantities, cancellations for ndc (with an NDC year), oimp and voluntary,
retirements; at each year end, the corresponding adjustments of every unit first
transferred that year. Commands the registry refuses are skipped. Then, for each year,
Japan's and Kenya's reports must pass every check (``check_reports``), their actions must
reconcile with their holdings, and the last year's holdings must be what the registry
holds now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from jcm.adapters.aef.facts_reader import SqlFactsReader
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.aef.checks import check_reports
from jcm.domain.aef.derive import build_report
from jcm.domain.aef.nomenclature import ActionType
from jcm.domain.aef.register_commands import RegisterApproach, RegisterAuthorisation
from jcm.domain.aef.tables import ActionRow, PartyReport
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import CancellationPurpose

pytestmark = pytest.mark.timeout(240)

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
YEARS = (2025, 2026)
PARTIES = ("JP", "KE")
# id, purposes, first-transfer definition for OIMP
AUTHORISATIONS = (
    ("A-NDC", "NDC", None),
    ("A-BOTH", "NDC and OIMP", "Use or Cancellation"),  # NDC: first transfer abroad
    ("A-OIMP-AUTH", "OIMP", "Authorisation"),
    ("A-OIMP-USE", "OIMP", "Use or Cancellation"),
)
quantities = st.integers(1, 40)
days = st.integers(1, 40)
picks = st.integers(0, 15)  # which account, and which of its blocks
Units = tuple[str, str]  # an account and serials it holds


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class AefMachine(RuleBasedStateMachine):
    directory: ClassVar[Path]
    count: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        AefMachine.count += 1
        self.clock = Clock()
        path = self.directory / f"aef-{AefMachine.count}.sqlite3"
        self.app: App = bootstrap(Settings(self.directory, f"sqlite:///{path}"), clock=self.clock)
        self.r = self.app.registry
        self.holding: dict[str, list[str]] = {}
        self.all_accounts: list[str] = []
        self.projects = 0
        self.adjusted: set[int] = set()
        self._set_up()

    # -- set-up ---------------------------------------------------------------------------
    def _set_up(self) -> None:
        for code in PARTIES:
            created = self.r.create_registry(c.CreateRegistry(code))
            accounts = [a.account for a in created.accounts]
            org = self.r.create_organisation(c.CreateOrganisation(code, f"{code} Company"))
            opened = self.r.open_account(
                c.OpenAccount(code, org.organisation, AccountType.ENTITY_HOLDING, "entity")
            )
            self.all_accounts += [*accounts, opened.account]
            self.holding[code] = [a.account for a in created.accounts if a.type.is_holding] + [
                opened.account
            ]
        reg = self.app.aef.register
        reg.register_approach(RegisterApproach("CA0001", "KE", (2021, 2030), (2021, 2030)))
        for id_, purposes, definition in AUTHORISATIONS:
            oimp = "OIMP" in purposes
            reg.register_authorisation(
                RegisterAuthorisation(
                    id_,
                    "CA0001",
                    purposes,
                    ("Energy generation",),
                    ("Solar",),
                    oimp_authorised="CORSIA" if oimp else "",
                    first_transfer_definition=definition,
                )
            )
        self._issue(60, Decimal(50))

    def _issue(self, amount: int, kenya_pct: Decimal) -> None:
        self.projects += 1
        shares = [AllocationShare(self.holding["KE"][-1], kenya_pct)]
        if kenya_pct < 100:
            shares.append(AllocationShare(self.holding["JP"][0], Decimal(100) - kenya_pct))
        vintage = 2024
        decision = self.r.record_decision(
            c.RecordDecision(
                f"KE{self.projects:03}",
                datetime(vintage, 1, 1).date(),
                datetime(vintage, 12, 31).date(),
                vintage,
                amount,
                tuple(shares),
            )
        ).decision
        for code in PARTIES if kenya_pct < 100 else ("KE",):
            self.r.issue(c.Issue(decision, code))

    # -- the clock and the year ends --------------------------------------------------------
    def _advance(self, n: int) -> None:
        later = self.clock.now + timedelta(days=n, hours=n % 7)
        if later.year != self.clock.now.year:
            self._adjust(self.clock.now.year)
        last = datetime(2026, 12, 30, tzinfo=UTC)
        self.clock.now = min(later, last - timedelta(hours=1))

    def _adjust(self, year: int) -> None:
        """On 31 December: the adjustments of every unit first-transferred in ``year``."""
        self.clock.now = datetime(year, 12, 31, 22, 0, tzinfo=UTC)
        for account in self.all_accounts:
            for block in self.r.account_blocks(account, limit=1000).blocks:
                if block.first_transferred and block.ca_status == "pending":
                    self.r.apply_corresponding_adjustment(
                        c.ApplyCorrespondingAdjustment(block.serials, year)
                    )
        self.clock.now = datetime(year + 1, 1, 2, 9, 0, tzinfo=UTC)

    def _try(self, what: str, call: Callable[[], Any]) -> None:
        try:
            call()
            event(f"{what}: done")
        except JcmError as error:  # refused: nothing changed (tested elsewhere)
            event(f"{what}: refused {error.code}")

    def _units(
        self, party: str, pick: int, quantity: int, authorised: bool | None = None
    ) -> Units | None:
        """An account of ``party`` and the first ``quantity`` serials of one of its blocks
        (only of authorised ones, or only of others, if ``authorised`` says so), both chosen
        by ``pick``."""
        account = self.holding[party][pick % len(self.holding[party])]
        blocks = [
            b
            for b in self.r.account_blocks(account, limit=1000).blocks
            if authorised is None or bool(b.authorised_uses) == authorised
        ]
        if not blocks:
            return None
        serial = SerialRange.parse(blocks[(pick // 2) % len(blocks)].serials)
        end = min(serial.end, serial.start + quantity - 1)
        return account, replace(serial, end=end).format()

    # -- rules ----------------------------------------------------------------------------
    @rule(n=days, amount=st.integers(5, 50), kenya=st.sampled_from([Decimal(100), Decimal(60)]))
    def issue(self, n: int, amount: int, kenya: Decimal) -> None:
        self._advance(n)
        self._issue(amount, kenya)

    @rule(
        n=days,
        party=st.sampled_from(PARTIES),
        pick=picks,
        reference=st.sampled_from([a[0] for a in AUTHORISATIONS]),
        quantity=quantities,
    )
    def authorise(self, n: int, party: str, pick: int, reference: str, quantity: int) -> None:
        self._advance(n)
        units = self._units(party, pick, quantity, authorised=False)
        if units is not None:
            cmd = c.Authorise(units[0], reference=reference, serials=units[1])
            self._try(f"authorise in {party}", lambda: self.r.authorise(cmd))

    @rule(
        n=days,
        party=st.sampled_from(PARTIES),
        pick=picks,
        to=picks,
        quantity=quantities,
        itmo=st.booleans(),
    )
    def external_transfer(
        self, n: int, party: str, pick: int, to: int, quantity: int, itmo: bool
    ) -> None:
        self._advance(n)
        other = "JP" if party == "KE" else "KE"
        units = self._units(party, pick, quantity, authorised=itmo or None)
        if units is not None:
            destination = self.holding[other][to % len(self.holding[other])]
            cmd = c.Move(units[0], destination, serials=units[1])
            self._try(f"external transfer from {party}", lambda: self.r.external_transfer(cmd))

    @rule(n=days, party=st.sampled_from(PARTIES), pick=picks, quantity=quantities)
    def transfer(self, n: int, party: str, pick: int, quantity: int) -> None:
        self._advance(n)
        units = self._units(party, pick, quantity)
        if units is not None:
            accounts = self.holding[party]
            destination = accounts[(accounts.index(units[0]) + 1) % len(accounts)]
            cmd = c.Move(units[0], destination, serials=units[1])
            self._try("transfer", lambda: self.r.transfer(cmd))

    @rule(
        n=days,
        party=st.sampled_from(PARTIES),
        pick=picks,
        quantity=quantities,
        purpose=st.sampled_from(list(CancellationPurpose)),
        year_before=st.booleans(),
        itmo=st.booleans(),
    )
    def cancel(
        self,
        n: int,
        party: str,
        pick: int,
        quantity: int,
        purpose: CancellationPurpose,
        year_before: bool,
        itmo: bool,
    ) -> None:
        self._advance(n)
        units = self._units(party, pick, quantity, authorised=itmo or None)
        if units is None:
            return
        ndc_year = None
        if purpose is CancellationPurpose.NDC:
            ndc_year = self.clock.now.year - (1 if year_before else 0)
        cmd = c.Move(units[0], serials=units[1], purpose=purpose, ndc_year=ndc_year)
        self._try(f"cancel {purpose.value} in {party}", lambda: self.r.cancel(cmd))

    @rule(n=days, party=st.sampled_from(PARTIES), pick=picks, quantity=quantities)
    def retire(self, n: int, party: str, pick: int, quantity: int) -> None:
        self._advance(n)
        units = self._units(party, pick, quantity)
        if units is not None:
            cmd = c.Move(units[0], serials=units[1])
            self._try("retire", lambda: self.r.retire(cmd))

    # -- the reports ----------------------------------------------------------------------
    def teardown(self) -> None:
        try:
            if self.clock.now.year == 2025:
                self._adjust(2025)
            self._adjust(2026)
            with self.app.engine.connect() as connection:
                facts = SqlFactsReader(connection).facts()
            for year in YEARS:
                reports = [build_report(facts, party, year) for party in PARTIES]
                failures = check_reports(reports)
                assert failures == [], [f.as_dict() for f in failures[:5]]
                for report in reports:
                    assert_reconciles(report)
                    for kind in {a.action_type for a in report.actions}:
                        event(f"row: {report.party} {kind}")
            for party in PARTIES:
                assert_holdings_are_the_registrys(self, build_report(facts, party, 2026))
        finally:
            self.app.close()


def effect(row: ActionRow, registry_id: str) -> int:
    """The contract's effect of an action row on its Party's holdings."""
    q = row.block.quantity
    kind = row.action_type
    own = row.block.registry_id == registry_id
    if kind == ActionType.AUTHORIZATION:
        return q if own else 0
    if kind == ActionType.FIRST_TRANSFER:
        return -q if own and row.acquiring_party != "NA" else 0
    if kind == ActionType.ACQUISITION:
        return q
    return -q  # Transfer, Use, Cancellation, Voluntary Cancellation


def assert_reconciles(report: PartyReport) -> None:
    registry_id = {"JP": "JPN01", "KE": "KEN01"}[report.party]
    change: Counter[int] = Counter()
    for row in report.holdings:
        change[row.block.vintage] += row.block.quantity
    for row in report.opening:
        change[row.block.vintage] -= row.block.quantity
    moved: Counter[int] = Counter()
    for action in report.actions:
        moved[action.block.vintage] += effect(action, registry_id)
    nonzero = {k: v for k, v in change.items() if v}
    assert nonzero == {k: v for k, v in moved.items() if v}, (report.party, report.year)


def assert_holdings_are_the_registrys(machine: AefMachine, report: PartyReport) -> None:
    held = sum(
        b.quantity
        for account in machine.holding[report.party]
        for b in machine.r.account_blocks(account, limit=1000).blocks
        if b.authorised_uses
    )
    assert sum(r.block.quantity for r in report.holdings) == held


def test_any_two_years_of_article_6_operations_give_reports_that_pass_every_check(
    tmp_path: Path,
) -> None:
    machine = type("AefOnSqlite", (AefMachine,), {"directory": tmp_path})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=15,  # about 20 s on a quiet 2-core machine
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
