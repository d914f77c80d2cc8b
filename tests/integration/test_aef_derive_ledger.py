"""The golden scenario (tests/unit/aef_golden.py) played through the real services with a
controlled clock, on each database: the facts ``SqlFactsReader`` reads back give, through
``build_report``, the same tables cell by cell as the hand-written facts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

# isort: off
# The golden scenario lives with the derivation's unit test (mypy_path has tests/unit).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from aef_golden import ADJUSTMENT_SPANS, OPENING, adjustment_spans, expected_tables

# isort: on
from jcm.adapters.aef.facts_reader import SqlFactsReader
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.aef.checks import check_reports
from jcm.domain.aef.derive import build_report
from jcm.domain.aef.facts import LedgerFacts
from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
)
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.transactions import CancellationPurpose

pytestmark = pytest.mark.timeout(120)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, month: int, day: int, year: int = 2025) -> None:
        self.now = datetime(year, month, day, 9, 0, tzinfo=UTC)


class Scenario:
    """The scenario's steps, in order, through ``App``'s services."""

    def __init__(self, app: App, clock: Clock) -> None:
        self.app, self.clock, self.r = app, clock, app.registry
        self.accounts: dict[str, str] = {}

    def serial(self, origin: str, start: int, end: int) -> str:
        return f"{origin}-KE-JCM-KE002-2024-1-{start}-{end}"

    def set_up(self) -> None:
        for code in ("KE", "JP"):
            created = self.r.create_registry(c.CreateRegistry(code))
            for account in created.accounts:
                self.accounts[f"{code}-{account.type.id_tag}"] = account.account
        developer = self.r.create_organisation(c.CreateOrganisation("KE", "Kenya Solar Developer"))
        buyer = self.r.create_organisation(c.CreateOrganisation("JP", "Japan Power Co"))
        for code, org in (("KE", developer), ("JP", buyer)):
            opened = self.r.open_account(
                c.OpenAccount(code, org.organisation, AccountType.ENTITY_HOLDING, "entity")
            )
            self.accounts[f"{code}-ENT"] = opened.account
        self.buyer = buyer.organisation

    def register(self) -> None:
        reg = self.app.aef.register
        reg.register_approach(RegisterApproach("CA0001", "KE", (2021, 2030), (2020, 2030)))
        reg.register_entity(
            RegisterEntity(
                "KE-ENT-1",
                "CA0001",
                "Japan Power Co",
                "JPN",
                self.buyer,
                authorised_on=date(2025, 2, 1),
            )
        )
        reg.register_authorisation(
            self.authorisation("KE-AUTH-1", date(2025, 2, 1), 1000, ("KE-ENT-1",))
        )

    def register_second(self) -> None:
        reg = self.app.aef.register
        reg.register_authorisation(self.authorisation("KE-AUTH-2", date(2025, 3, 1), 500))

    @staticmethod
    def authorisation(
        id_: str, on: date, quantity: int, entities: tuple[str, ...] = ()
    ) -> RegisterAuthorisation:
        return RegisterAuthorisation(
            id_,
            "CA0001",
            "NDC",
            ("Energy generation",),
            ("Solar",),
            authorised_on=on,
            quantity=quantity,
            gwp="AR5",
            authorised_parties=("JPN",),
            authorised_entities=entities,
            timeframe=(2024, 2025),
            terms="Use towards Japan's NDC only" if id_ == "KE-AUTH-1" else "",
        )

    def issue(self) -> None:
        a = self.accounts
        one = self.decision("KE001", 2023, 100, (a["KE-ENT"], Decimal(100)))
        two = self.decision(
            "KE002", 2024, 1000, (a["KE-ENT"], Decimal(60)), (a["JP-GOV"], Decimal(40))
        )
        self.r.issue(c.Issue(one, "KE"))
        self.r.issue(c.Issue(two, "KE"))
        self.r.issue(c.Issue(two, "JP"))

    def decision(
        self, project: str, vintage: int, amount: int, *shares: tuple[str, Decimal]
    ) -> int:
        cmd = c.RecordDecision(
            project,
            date(vintage, 1, 1),
            date(vintage, 12, 31),
            vintage,
            amount,
            tuple(AllocationShare(account, pct) for account, pct in shares),
        )
        return self.r.record_decision(cmd).decision

    def year_2025(self) -> None:
        a, s, at = self.accounts, self.serial, self.clock.set
        at(2, 1)
        self.register()
        at(3, 1)
        self.register_second()
        self.r.authorise(c.Authorise(a["KE-ENT"], reference="KE-AUTH-1", serials=s("KE", 1, 500)))
        at(4, 1)
        self.r.external_transfer(c.Move(a["KE-ENT"], a["JP-GOV"], serials=s("KE", 1, 300)))
        at(5, 1)
        self.r.authorise(
            c.Authorise(a["JP-GOV"], reference="KE-AUTH-2", serials=s("JP", 601, 1000))
        )
        at(6, 1)
        self.r.transfer(c.Move(a["JP-GOV"], a["JP-ENT"], serials=s("KE", 101, 250)))
        at(7, 1)
        self.r.external_transfer(c.Move(a["JP-GOV"], a["KE-GOV"], serials=s("JP", 601, 650)))
        at(9, 1)
        voluntary = CancellationPurpose.VOLUNTARY
        self.r.cancel(c.Move(a["KE-GOV"], serials=s("JP", 601, 620), purpose=voluntary))

    def year_2026(self) -> None:
        a, s, at = self.accounts, self.serial, self.clock.set
        ndc = CancellationPurpose.NDC
        at(1, 15, 2026)
        self.app.aef.register.amend_authorisation(
            self.authorisation("KE-AUTH-2", date(2026, 1, 15), 600)
        )
        at(1, 20, 2026)
        self.r.cancel(c.Move(a["JP-ENT"], serials=s("KE", 101, 250), purpose=ndc, ndc_year=2025))
        at(1, 25, 2026)
        for serials in (s("KE", 1, 300), s("JP", 601, 1000)):
            self.r.apply_corresponding_adjustment(c.ApplyCorrespondingAdjustment(serials, 2025))
        at(2, 1, 2026)
        self.app.aef.register.register_entity(
            RegisterEntity("KE-ENT-2", "CA0001", "Nairobi Solar Ltd", "KEN")
        )
        at(2, 10, 2026)
        self.r.cancel(c.Move(a["KE-ENT"], serials=s("KE", 301, 350), purpose=ndc))
        at(3, 1, 2026)
        self.r.external_transfer(c.Move(a["KE-ENT"], a["JP-GOV"], serials=s("KE", 351, 400)))
        at(12, 20, 2026)
        self.r.apply_corresponding_adjustment(
            c.ApplyCorrespondingAdjustment(s("KE", 351, 400), 2026)
        )


@pytest.fixture
def played(database_url: str, tmp_path: Path) -> Iterator[App]:
    clock = Clock()
    app = bootstrap(Settings(tmp_path, database_url), clock=clock)
    try:
        scenario = Scenario(app, clock)
        scenario.set_up()
        scenario.issue()
        scenario.year_2025()
        scenario.year_2026()
        yield app
    finally:
        app.close()


def read(app: App, until: datetime | None = None) -> LedgerFacts:
    with app.engine.connect() as connection:
        return SqlFactsReader(connection).facts(until)


CASES = [("KE", 2025), ("JP", 2025), ("KE", 2026), ("JP", 2026)]


def test_the_ledger_gives_the_golden_tables_of_both_parties_for_both_years(
    played: App,
) -> None:
    facts = read(played)
    for party, year in CASES:
        report = build_report(facts, party, year)
        assert report.tables() == expected_tables(party, year), (party, year)
        assert tuple(r.cells() for r in report.opening) == OPENING[(party, year)]
        assert adjustment_spans(report.adjustments) == ADJUSTMENT_SPANS[(party, year)]


def test_the_reports_read_from_the_ledger_pass_every_check(played: App) -> None:
    facts = read(played)
    for year in (2025, 2026):
        assert check_reports([build_report(facts, p, year) for p in ("JP", "KE")]) == []


def test_facts_read_until_new_year_hold_only_the_first_year(played: App) -> None:
    facts = read(played, until=datetime(2026, 1, 1, tzinfo=UTC))
    assert {t.at.year for t in facts.transactions} == {2025}
    assert [t.kind for t in facts.transactions[:3]] == ["issuance"] * 3
    assert all(t.ranges for t in facts.transactions)
    report = build_report(facts, "JP", 2025)
    assert report.tables() == expected_tables("JP", 2025)
