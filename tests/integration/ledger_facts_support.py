"""Shared set-up for the Article 6 ledger-facts tests: an app on a clock the test moves,
Japan's and Kenya's registries with Kenyan units on both sides, and both registries'
administrators."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aef_support import register_authorisation
from sqlalchemy import select

from jcm.adapters import schema
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.principal import OPERATOR, Channel, Principal
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.results import to_json_object

NDC = frozenset({AuthorisedUse.NDC})
OIMP = frozenset({AuthorisedUse.OIMP})
JP_GOV = "JP-GOV-0001"
KE_GOV = "KE-GOV-0001"


@dataclass
class Clock:
    """The unit of work's clock: the test sets ``now``."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def clocked_app(database_url: str, tmp_path: Path, clock: Clock) -> App:
    return bootstrap(Settings(tmp_path, database_url), clock=clock)


@dataclass(frozen=True)
class World:
    ke: str  # Kenyan participant's account (500 units of KE001 2023)
    jp: str  # Japanese buyer's account (empty)
    ke_holder: str  # the Kenyan participant's organisation


def kenyan_units_on_both_sides(app: App) -> World:
    """JP, KE and ID set up by the operator; KE001's 2023 decision issued half into Japan's
    government account, half into the Kenyan participant's; ``ke-admin`` administers KE's
    registry, ``jp-admin`` JP's. Kenya's authorisations KE-LoA-1 (NDC) and KE-LoA-2 (OIMP,
    first transfer at use) are registered."""
    r = app.acting(OPERATOR).registry
    for code in ("JP", "KE", "ID"):
        r.create_registry(c.CreateRegistry(code))
    ke_org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    jp_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    ke = r.open_account(c.OpenAccount("KE", ke_org, AccountType.ENTITY_HOLDING, "Solar")).account
    jp = r.open_account(c.OpenAccount("JP", jp_org, AccountType.ENTITY_HOLDING, "Buyer")).account
    decision = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 1, 1),
            date(2023, 12, 31),
            2023,
            1000,
            (AllocationShare(JP_GOV, Decimal(50)), AllocationShare(ke, Decimal(50))),
        )
    ).decision
    r.issue(c.Issue(decision, "JP"))
    r.issue(c.Issue(decision, "KE"))
    for org, registry in (("ke-admin", "KE"), ("jp-admin", "JP")):
        app.identity.register_actor(
            cc.RegisterActor(org, Role.REGISTRY_ADMIN, f"{registry} registry", partner=registry),
            OPERATOR,
        )
    register_authorisation(app, "KE", "KE-LoA-1")
    register_authorisation(app, "KE", "KE-LoA-2", uses=OIMP, trigger=FirstTransferTrigger.USE)
    return World(ke, jp, ke_org)


def api(organisation: str) -> Principal:
    return Principal(organisation, "alice", Channel.API)


def acting(app: App, organisation: str) -> RegistryService:
    return app.acting(api(organisation)).registry


def entries(app: App) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        rows = conn.execute(select(schema.events.c.entry).order_by(schema.events.c.log_index))
        return [json.loads(entry) for (entry,) in rows]


def verify_log(app: App) -> dict[str, Any]:
    result: dict[str, Any] = to_json_object(app.log.verify(dict(app.log_verifiers())))
    return result


def article6_of(app: App, account: str) -> list[tuple[str, bool, str, int]]:
    """(uses, first transferred, adjustment status, quantity) of an account's holdings."""
    return sorted(
        (h.authorised_uses, h.first_transferred, h.ca_status, h.quantity)
        for h in app.registry.holdings(account=account)
    )


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 30, tzinfo=UTC)
