"""One transaction policy: every kind of transaction is refused against a suspended
registry, a blocked account and a closed account, with its code, and changes nothing.

Also the Article 6 use rule (T7) and the first-transfer flag of an external transfer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from aef_support import register_authorisation
from sqlalchemy import select, text, update

from jcm.adapters import schema as t
from jcm.bootstrap import App
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountStatus, AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import CancellationPurpose
from jcm.service_layer.registry.results import TransactionResult

KE = "KE-ENT-0004"  # the Kenyan participant's account, holding units
KE_OTHER = "KE-ENT-0005"
JP = "JP-ENT-0004"  # the Japanese buyer, holding first-transferred units
NDC = frozenset({AuthorisedUse.NDC})


def _shares(*pairs: tuple[str, int]) -> tuple[AllocationShare, ...]:
    return tuple(AllocationShare(account, Decimal(pct)) for account, pct in pairs)


@pytest.fixture
def world(app: App) -> dict[str, Any]:
    """KE001 2023 issued on both sides; 100 of KE's units authorised for NDC use and 50 of
    them first-transferred to JP (adjustment pending); KE001 2024 decided, not issued."""
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    ke_org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    jp_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    assert r.open_account(c.OpenAccount("KE", ke_org, AccountType.ENTITY_HOLDING, "")).account == KE
    r.open_account(c.OpenAccount("KE", ke_org, AccountType.ENTITY_HOLDING, ""))
    assert r.open_account(c.OpenAccount("JP", jp_org, AccountType.ENTITY_HOLDING, "")).account == JP
    first = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 1, 1),
            date(2023, 12, 31),
            2023,
            1000,
            _shares(("JP-GOV-0001", 50), (KE, 50)),
        )
    ).decision
    r.issue(c.Issue(first, "JP"))
    r.issue(c.Issue(first, "KE"))
    register_authorisation(app, "KE", "KE-LoA-1")
    register_authorisation(app, "KE", "KE-LoA-2")
    r.authorise(c.Authorise(KE, NDC, "KE-LoA-1", quantity=100))
    moved = r.external_transfer(c.Move(KE, JP, quantity=50))
    second = r.record_decision(
        c.RecordDecision(
            "KE001",
            date(2024, 1, 1),
            date(2024, 12, 31),
            2024,
            100,
            _shares((KE, 100)),
        )
    ).decision
    return {"pending": moved.serials[0], "undecided": second}


# kind → (the command, the account it involves, the registry it involves)
Action = Callable[[App, dict[str, Any]], object]
KINDS: dict[str, tuple[Action, str, str]] = {
    "issuance": (lambda app, w: app.registry.issue(c.Issue(w["undecided"], "KE")), KE, "KE"),
    "transfer": (
        lambda app, w: app.registry.transfer(c.Move(KE, KE_OTHER, quantity=10)),
        KE,
        "KE",
    ),
    "external_transfer": (
        lambda app, w: app.registry.external_transfer(c.Move(KE, JP, quantity=10)),
        KE,
        "KE",
    ),
    "cancellation": (
        lambda app, w: app.registry.cancel(c.Move(KE, quantity=5, purpose=CancellationPurpose.NDC)),
        KE,
        "KE",
    ),
    "retirement": (lambda app, w: app.registry.retire(c.Move(KE, quantity=5)), KE, "KE"),
    "authorisation": (
        lambda app, w: app.registry.authorise(c.Authorise(KE, NDC, "KE-LoA-2", quantity=10)),
        KE,
        "KE",
    ),
    "corresponding_adjustment": (
        lambda app, w: app.registry.apply_corresponding_adjustment(
            c.ApplyCorrespondingAdjustment(w["pending"], 2024)
        ),
        JP,
        "KE",  # the host Party, who records the adjustment
    ),
}


def _suspend(app: App, account: str, registry: str) -> str:
    app.registry.set_registry_active(c.SetRegistryActive(registry, False, "maintenance"))
    return "G3_REGISTRY_INACTIVE"


def _block(app: App, account: str, registry: str) -> str:
    app.registry.set_account_status(
        c.SetAccountStatus(account, AccountStatus.BLOCKED, "court order")
    )
    return "G4_ACCOUNT_NOT_OPEN"


def _close(app: App, account: str, registry: str) -> str:
    # Closing needs an empty account, so a closed account holding units (or named by a
    # decision) cannot arise through commands; the policy must refuse whatever it finds.
    with app.engine.begin() as conn:
        conn.execute(update(t.accounts).where(t.accounts.c.id == account).values(status="closed"))
    return "G4_ACCOUNT_NOT_OPEN"


STATES = {"suspended registry": _suspend, "blocked account": _block, "closed account": _close}


def snapshot(app: App) -> list[list[Any]]:
    """Every row of every table."""
    with app.engine.connect() as conn:
        return [
            sorted(map(repr, conn.execute(select(table)).all()))
            for table in t.metadata.sorted_tables
        ]


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_transaction_is_refused_against_a_registry_or_account_that_may_not_take_part(
    app: App, world: dict[str, Any], kind: str, state: str
) -> None:
    action, account, registry = KINDS[kind]
    code = STATES[state](app, account, registry)
    before = snapshot(app)

    with pytest.raises(JcmError) as refused:
        action(app, world)

    assert refused.value.code == code
    assert snapshot(app) == before


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_transaction_passes_the_policy_when_everything_is_open(
    app: App, world: dict[str, Any], kind: str
) -> None:
    """The same commands succeed in the same world: the refusals above are the policy's."""
    action, _, _ = KINDS[kind]
    result = action(app, world)
    assert isinstance(result, TransactionResult)
    assert result.quantity > 0


def test_japan_cannot_cancel_for_its_ndc_units_kenya_never_authorised(
    app: App, world: dict[str, Any]
) -> None:
    before = snapshot(app)

    with pytest.raises(JcmError) as refused:
        app.registry.cancel(c.Move("JP-GOV-0001", quantity=5, purpose=CancellationPurpose.NDC))

    assert refused.value.code == "T7_NOT_AUTHORISED_FOR_NDC"
    assert refused.value.details["host"] == "KE"
    assert refused.value.details["registry"] == "JP"
    assert refused.value.details["serials"] == "JP-KE-JCM-KE001-2023-1-1-5"
    assert snapshot(app) == before


def test_units_the_host_authorised_for_ndc_use_count_towards_japans_ndc(
    app: App, world: dict[str, Any]
) -> None:
    pending = SerialRange.parse(world["pending"])
    serials = replace(pending, end=pending.start + 4).format()
    done = app.registry.cancel(c.Move(JP, serials=serials, purpose=CancellationPurpose.NDC))
    assert done.quantity == 5
    assert done.detail["purpose"] == "ndc"


def test_the_host_cancels_its_own_unauthorised_units_for_its_own_ndc(
    app: App, world: dict[str, Any]
) -> None:
    unauthorised = SerialRange.parse("KE-KE-JCM-KE001-2023-1-900-909").format()
    done = app.registry.cancel(c.Move(KE, serials=unauthorised, purpose=CancellationPurpose.NDC))
    assert done.quantity == 10


def test_voluntary_cancellation_of_another_partys_units_needs_no_authorisation(
    app: App, world: dict[str, Any]
) -> None:
    done = app.registry.cancel(
        c.Move("JP-GOV-0001", quantity=5, purpose=CancellationPurpose.VOLUNTARY)
    )
    assert done.quantity == 5


def test_an_external_transfer_says_whether_it_was_a_first_transfer(
    app: App, world: dict[str, Any]
) -> None:
    authorised = app.registry.external_transfer(c.Move(KE, JP, quantity=10))
    assert authorised.first_transfer is True
    assert authorised.detail["first_transferred"] == 10

    # Units 601.. of KE's share were never authorised: they move, but are not ITMOs.
    plain = app.registry.external_transfer(c.Move(KE, JP, serials="KE-KE-JCM-KE001-2023-1-700-709"))
    assert plain.first_transfer is False
    assert "first_transferred" not in plain.detail

    back = app.registry.external_transfer(c.Move(JP, KE, serials="KE-KE-JCM-KE001-2023-1-700-709"))
    assert back.first_transfer is False


def test_an_external_transfer_of_another_pairs_units_is_refused_per_unit(
    app: App, world: dict[str, Any]
) -> None:
    """G6 is checked per block: KE001's units move only between JP and KE."""
    app.registry.create_registry(c.CreateRegistry("ID"))
    org = app.registry.create_organisation(c.CreateOrganisation("ID", "Buyer Tbk"))
    account = app.registry.open_account(
        c.OpenAccount("ID", org.organisation, AccountType.ENTITY_HOLDING, "")
    ).account
    with pytest.raises(JcmError) as refused:
        app.registry.external_transfer(c.Move("JP-GOV-0001", account, quantity=1))
    assert refused.value.code == "G6_NOT_BILATERAL"
    assert refused.value.details["serials"] == "JP-KE-JCM-KE001-2023-1-1-1"
    with app.engine.connect() as conn:  # nothing moved
        assert (
            conn.execute(text("SELECT count(*) FROM unit_blocks WHERE registry = 'ID'")).one()[0]
            == 0
        )
