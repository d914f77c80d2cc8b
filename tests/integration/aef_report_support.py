"""A small Kenya–Japan Article 6 world for the AEF report tests, on a clock the test moves.

2025: Kenya's registry issues its share of KE001 (vintage 2024), authorises 100 units
(KE-AUTH-1, NDC) and transfers 60 of them to Japan (their first transfer); the corresponding
adjustment for those 60 is applied for 2025. Japan's report: one acquisition, 60 held;
Kenya's: the authorisation, the first transfer, 40 held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
)
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def at(self, year: int, month: int, day: int) -> None:
        self.now = datetime(year, month, day, 10, 0, tzinfo=UTC)


@dataclass
class World:
    app: App
    clock: Clock
    ke: str  # Kenya's entity account
    jp: str  # Japan's entity account
    decision: int


def make_app(tmp_path: Path, database_url: str, clock: Clock) -> App:
    return bootstrap(Settings(tmp_path, database_url), clock=clock, announce=None)


def build_world(app: App, clock: Clock) -> World:
    clock.at(2025, 1, 5)
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    jp_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    ke_org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    jp = r.open_account(c.OpenAccount("JP", jp_org, AccountType.ENTITY_HOLDING, "Buyer"))
    ke = r.open_account(c.OpenAccount("KE", ke_org, AccountType.ENTITY_HOLDING, "Solar"))
    register = app.aef.register
    register.register_approach(RegisterApproach("CA0001", "KE", (2021, 2030), (2020, 2030)))
    register.register_authorisation(
        RegisterAuthorisation(
            "KE-AUTH-1",
            "CA0001",
            "NDC",
            sectors=("Energy generation",),
            activity_types=("Solar",),
            quantity=1000,
            gwp="AR5",
            authorised_parties=("JPN",),
            timeframe=(2024, 2025),
            authorised_on=date(2025, 1, 5),
        )
    )
    decision = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2024, 1, 1),
            date(2024, 12, 31),
            2024,
            1000,
            (AllocationShare(jp.account, Decimal(50)), AllocationShare(ke.account, Decimal(50))),
        )
    ).decision
    r.issue(c.Issue(decision, "KE"))
    r.issue(c.Issue(decision, "JP"))
    clock.at(2025, 3, 1)
    r.authorise(c.Authorise(ke.account, frozenset({AuthorisedUse.NDC}), "KE-AUTH-1", quantity=100))
    clock.at(2025, 4, 1)
    r.external_transfer(c.Move(ke.account, jp.account, quantity=60))
    clock.at(2025, 12, 1)
    return World(app, clock, ke.account, jp.account, int(decision))


def adjust(world: World, serials: str, year: int) -> None:
    world.app.registry.apply_corresponding_adjustment(c.ApplyCorrespondingAdjustment(serials, year))


def register_entity(world: World, entity_id: str, on: date) -> None:
    world.app.aef.register.register_entity(
        RegisterEntity(entity_id, "CA0001", "Nairobi Solar Ltd", "KEN", authorised_on=on)
    )
