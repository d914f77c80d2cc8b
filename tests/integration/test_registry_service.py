"""The registry's use cases end to end on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from aef_support import register_authorisation
from sqlalchemy import func, select

from jcm.adapters import schema
from jcm.bootstrap import App
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountStatus, AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind
from jcm.service_layer.registry.results import DecisionRecorded

World = dict[str, str]


def shares(*pairs: tuple[str, str]) -> tuple[AllocationShare, ...]:
    return tuple(AllocationShare(account, Decimal(pct)) for account, pct in pairs)


@pytest.fixture
def world(app: App) -> dict[str, str]:
    """Registries JP and KE, one entity account each, and ID without accounts."""
    r = app.registry
    for code in ("JP", "KE", "ID"):
        r.create_registry(c.CreateRegistry(code))
    jp_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    ke_org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    jp = r.open_account(c.OpenAccount("JP", jp_org, AccountType.ENTITY_HOLDING, "Buyer"))
    ke = r.open_account(c.OpenAccount("KE", ke_org, AccountType.ENTITY_HOLDING, "Solar"))
    return {
        "jp": jp.account,
        "ke": ke.account,
        "jp_gov": "JP-GOV-0001",
        "ke_gov": "KE-GOV-0001",
        "jp_can": "JP-CAN-0002",
        "ke_can": "KE-CAN-0002",
    }


def decide(
    app: App,
    w: dict[str, str],
    amount: int = 1001,
    start: date = date(2023, 1, 1),
    end: date = date(2023, 12, 31),
    project: str = "KE001",
) -> DecisionRecorded:
    return app.registry.record_decision(
        c.RecordDecision(
            project,
            start,
            end,
            start.year,
            amount,
            shares((w["jp_gov"], "50"), (w["ke"], "40"), (w["ke_gov"], "10")),
            w["ke_gov"],
        )
    )


def issued_both(app: App, w: dict[str, str], **kwargs: Any) -> int:
    decision = decide(app, w, **kwargs).decision
    app.registry.issue(c.Issue(decision, "JP"))
    app.registry.issue(c.Issue(decision, "KE"))
    return int(decision)


def held(app: App, account: str) -> int:
    return sum(row.quantity for row in app.registry.holdings(account=account))


def refusal(action: Any) -> JcmError:
    with pytest.raises(JcmError) as caught:
        action()
    return caught.value


def row_counts(app: App) -> dict[str, int]:
    with app.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in schema.metadata.sorted_tables
        }


def test_each_registry_issues_only_its_side_of_the_allocation(app: App, world: World) -> None:
    decision = decide(app, world)
    lines = {line.account: line for line in decision.lines}
    # 1001 × 50% = 500.5 → 500; × 40% = 400.4 → 400; × 10% = 100.1 → 100; remainder 1 → KE gov
    assert [lines[a].quantity for a in ("JP-GOV-0001", world["ke"], "KE-GOV-0001")] == [
        500,
        400,
        101,
    ]
    jp = app.registry.issue(c.Issue(decision.decision, "JP"))
    assert jp.quantity == 500
    assert jp.serials == ("JP-KE-JCM-KE001-2023-1-1-500",)
    assert jp.decision_status == "partially_issued"
    ke = app.registry.issue(c.Issue(decision.decision, "KE"))
    assert ke.serials == ("KE-KE-JCM-KE001-2023-1-501-900", "KE-KE-JCM-KE001-2023-1-901-1001")
    assert ke.decision_status == "issued"
    assert (held(app, "JP-GOV-0001"), held(app, world["ke"]), held(app, "KE-GOV-0001")) == (
        500,
        400,
        101,
    )
    assert app.registry.audit().ok


def test_a_side_cannot_issue_its_share_twice(app: App, world: World) -> None:
    decision = decide(app, world).decision
    app.registry.issue(c.Issue(decision, "JP"))
    error = refusal(lambda: app.registry.issue(c.Issue(decision, "JP")))
    assert error.code == "I2_ALREADY_ISSUED"
    assert "JP" in error.message
    assert str(decision) in error.message
    assert held(app, "JP-GOV-0001") == 500


def test_a_registry_with_no_share_cannot_issue(app: App, world: World) -> None:
    decision = decide(app, world).decision
    assert refusal(lambda: app.registry.issue(c.Issue(decision, "ID"))).code == "I2_NO_SHARE"


def test_an_overlapping_monitoring_period_is_refused_whether_pending_or_issued(
    app: App, world: World
) -> None:
    first = decide(app, world).decision
    error = refusal(lambda: decide(app, world, start=date(2023, 12, 31), end=date(2024, 6, 30)))
    assert error.code == "I3_OVERLAPPING_PERIOD"
    assert "2023-01-01..2023-12-31" in error.message
    assert error.details["conflicting_decision"] == first
    app.registry.issue(c.Issue(first, "JP"))
    assert (
        refusal(lambda: decide(app, world, start=date(2023, 6, 1), end=date(2023, 6, 30))).code
        == "I3_OVERLAPPING_PERIOD"
    )
    second = decide(app, world, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert second.period_seq == 2


def test_a_monitoring_period_ending_in_the_future_is_refused(app: App, world: World) -> None:
    error = refusal(lambda: decide(app, world, start=date(2026, 1, 1), end=date(2026, 12, 31)))
    assert error.code == "I8_FUTURE_PERIOD"


def test_a_transfer_by_quantity_takes_the_lowest_serials_and_splits_blocks(
    app: App, world: World
) -> None:
    issued_both(app, world)
    moved = app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=120))
    assert moved.serials == ("JP-KE-JCM-KE001-2023-1-1-120",)
    again = app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=5))
    assert again.serials == ("JP-KE-JCM-KE001-2023-1-121-125",)
    assert (held(app, "JP-GOV-0001"), held(app, world["jp"])) == (375, 125)
    where = app.registry.lookup_serial("JP-KE-JCM-KE001-2023-1-100-130")
    assert [(loc.serials, loc.account) for loc in where.locations] == [
        ("JP-KE-JCM-KE001-2023-1-100-120", world["jp"]),
        ("JP-KE-JCM-KE001-2023-1-121-125", world["jp"]),
        ("JP-KE-JCM-KE001-2023-1-126-130", "JP-GOV-0001"),
    ]


def test_a_transfer_by_serial_range_moves_exactly_those_serials(app: App, world: World) -> None:
    issued_both(app, world)
    moved = app.registry.transfer(
        c.Move("JP-GOV-0001", world["jp"], serials="JP-KE-JCM-KE001-2023-1-200-249")
    )
    assert moved.quantity == 50
    where = app.registry.lookup_serial("JP-KE-JCM-KE001-2023-1-199-250")
    assert [(loc.quantity, loc.account) for loc in where.locations] == [
        (1, "JP-GOV-0001"),
        (50, world["jp"]),
        (1, "JP-GOV-0001"),
    ]
    assert app.registry.audit().ok


def test_serials_not_held_by_the_sender_are_refused_and_named(app: App, world: World) -> None:
    issued_both(app, world)
    app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=10))
    error = refusal(
        lambda: app.registry.transfer(
            c.Move("JP-GOV-0001", world["jp"], serials="JP-KE-JCM-KE001-2023-1-5-20")
        )
    )
    assert error.code == "U2_UNITS_NOT_HELD"
    assert "JP-KE-JCM-KE001-2023-1-5-10" in error.message
    assert world["jp"] in error.message


def test_serials_that_were_never_issued_are_refused(app: App, world: World) -> None:
    issued_both(app, world)
    for text in (
        "JP-KE-JCM-KE001-2023-1-490-510",
        "JP-KE-JCM-KE001-2023-2-1-5",
        "JP-KE-JCM-KE001-2022-1-1-5",
    ):
        error = refusal(
            lambda t=text: app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], serials=t))
        )
        assert error.code in ("U1_UNKNOWN_SERIAL", "U2_UNITS_NOT_HELD"), text


def test_more_units_than_held_are_refused_and_nothing_changes(app: App, world: World) -> None:
    issued_both(app, world)
    before = row_counts(app)
    error = refusal(lambda: app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=501)))
    assert error.code == "U2_INSUFFICIENT_UNITS"
    assert error.details == {"account": "JP-GOV-0001", "requested": 501, "held": 500}
    assert row_counts(app) == before


def test_internal_and_external_transfers_check_the_registries(app: App, world: World) -> None:
    issued_both(app, world)
    assert (
        refusal(lambda: app.registry.transfer(c.Move(world["ke"], world["jp"], quantity=1))).code
        == "G5_REGISTRY_MISMATCH"
    )
    assert (
        refusal(
            lambda: app.registry.external_transfer(c.Move(world["ke"], "KE-GOV-0001", quantity=1))
        ).code
        == "G5_SAME_REGISTRY"
    )
    assert (
        refusal(lambda: app.registry.transfer(c.Move(world["ke"], world["ke"], quantity=1))).code
        == "G1_SAME_ACCOUNT"
    )
    assert (
        refusal(lambda: app.registry.transfer(c.Move(world["ke"], "KE-CAN-0002", quantity=1))).code
        == "A2_NOT_A_HOLDING_ACCOUNT"
    )
    assert (
        refusal(
            lambda: app.registry.external_transfer(c.Move(world["ke"], "ID-GOV-0001", quantity=1))
        ).code
        == "G6_NOT_BILATERAL"
    )
    assert (
        refusal(lambda: app.registry.transfer(c.Move("KE-NOPE-1", world["ke"], quantity=1))).code
        == "G4_UNKNOWN_ACCOUNT"
    )


def test_an_external_transfer_of_authorised_units_is_their_first_transfer(
    app: App, world: World
) -> None:
    issued_both(app, world)
    register_authorisation(app, "KE", "LoA-1")
    app.registry.authorise(
        c.Authorise(world["ke"], frozenset({AuthorisedUse.NDC}), "LoA-1", quantity=100)
    )
    moved = app.registry.external_transfer(c.Move(world["ke"], world["jp"], quantity=150))
    assert moved.detail["first_transferred"] == 100
    where = app.registry.lookup_serial("KE-KE-JCM-KE001-2023-1-501-650")
    assert [
        (
            loc.quantity,
            loc.registry,
            loc.first_transferred,
            loc.corresponding_adjustment,
        )
        for loc in where.locations
    ] == [(100, "JP", True, "pending"), (50, "JP", False, "not_required")]
    # Back to Kenya and out again: the first transfer happens once.
    app.registry.external_transfer(c.Move(world["jp"], world["ke"], quantity=100))
    again = app.registry.external_transfer(c.Move(world["ke"], world["jp"], quantity=100))
    assert "first_transferred" not in again.detail
    adjusted = app.registry.apply_corresponding_adjustment(
        c.ApplyCorrespondingAdjustment("KE-KE-JCM-KE001-2023-1-501-600", 2024)
    )
    assert adjusted.quantity == 100
    error = refusal(
        lambda: app.registry.apply_corresponding_adjustment(
            c.ApplyCorrespondingAdjustment("KE-KE-JCM-KE001-2023-1-600-610", 2024)
        )
    )
    assert error.code == "T3_NO_ADJUSTMENT_DUE"
    assert app.registry.audit().ok


def test_units_cannot_be_authorised_again_after_their_first_transfer(
    app: App, world: World
) -> None:
    issued_both(app, world)
    register_authorisation(
        app, "KE", "LoA-2", uses={AuthorisedUse.OIMP}, trigger=FirstTransferTrigger.AUTHORISATION
    )
    register_authorisation(app, "KE", "LoA-3")
    app.registry.authorise(
        c.Authorise(
            world["ke"],
            frozenset({AuthorisedUse.OIMP}),
            "LoA-2",
            FirstTransferTrigger.AUTHORISATION,
            quantity=10,
        )
    )
    error = refusal(
        lambda: app.registry.authorise(
            c.Authorise(world["ke"], frozenset({AuthorisedUse.NDC}), "LoA-3", quantity=10)
        )
    )
    assert error.code == "T4_ALREADY_FIRST_TRANSFERRED"


def test_cancelled_and_retired_units_never_move_again(app: App, world: World) -> None:
    issued_both(app, world)
    cancelled = app.registry.cancel(
        c.Move(
            world["ke"],
            quantity=30,
            purpose=CancellationPurpose.VOLUNTARY,
            beneficiary="Acme",
            note="2024 claim",
        )
    )
    assert cancelled.destination == "KE-CAN-0002"
    assert cancelled.detail == {
        "purpose": "voluntary",
        "beneficiary": "Acme",
        "note": "2024 claim",
    }
    app.registry.retire(c.Move(world["ke"], quantity=20))
    for account in ("KE-CAN-0002", "KE-RET-0003"):
        error = refusal(lambda a=account: app.registry.transfer(c.Move(a, world["ke"], quantity=1)))
        assert error.code == "A1_TERMINAL_ACCOUNT"
    assert (held(app, "KE-CAN-0002"), held(app, "KE-RET-0003")) == (30, 20)


def test_cancelling_for_oimp_needs_an_oimp_authorisation(app: App, world: World) -> None:
    issued_both(app, world)
    error = refusal(
        lambda: app.registry.cancel(
            c.Move(world["ke"], quantity=5, purpose=CancellationPurpose.OIMP)
        )
    )
    assert error.code == "T1_NOT_AUTHORISED_FOR_PURPOSE"
    register_authorisation(
        app, "KE", "LoA", uses={AuthorisedUse.OIMP}, trigger=FirstTransferTrigger.USE
    )
    app.registry.authorise(
        c.Authorise(
            world["ke"],
            frozenset({AuthorisedUse.OIMP}),
            "LoA",
            FirstTransferTrigger.USE,
            quantity=5,
        )
    )
    done = app.registry.cancel(c.Move(world["ke"], quantity=5, purpose=CancellationPurpose.OIMP))
    assert done.detail["first_transferred"] == 5


def test_repeating_an_idempotency_key_returns_the_first_result_and_changes_nothing(
    app: App, world: World
) -> None:
    issued_both(app, world)
    cmd = c.Move("JP-GOV-0001", world["jp"], quantity=7)
    first = app.registry.transfer(cmd, key="k-1")
    before = row_counts(app)
    second = app.registry.transfer(cmd, key="k-1")
    assert second == replace(first, replayed=True)
    assert type(second) is type(first)
    assert row_counts(app) == before
    error = refusal(
        lambda: app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=8), key="k-1")
    )
    assert error.code == "G2_IDEMPOTENCY_KEY_REUSED"


def test_a_batch_is_all_or_nothing(app: App, world: World) -> None:
    issued_both(app, world)
    before = row_counts(app)
    error = refusal(
        lambda: app.registry.batch(
            [
                (c.Move("JP-GOV-0001", world["jp"], quantity=10), TransactionKind.TRANSFER),
                (c.Move(world["jp"], quantity=5), TransactionKind.RETIREMENT),
                (c.Move(world["jp"], "JP-GOV-0001", quantity=999), TransactionKind.TRANSFER),
            ]
        )
    )
    assert error.code == "U2_INSUFFICIENT_UNITS"
    assert error.details["batch_index"] == 2
    assert row_counts(app) == before
    done = app.registry.batch(
        [
            (c.Move("JP-GOV-0001", world["jp"], quantity=10), TransactionKind.TRANSFER),
            (c.Move(world["jp"], quantity=5), TransactionKind.RETIREMENT),
            (c.Move(world["jp"], "JP-GOV-0001", quantity=2), TransactionKind.TRANSFER),
        ]
    )
    assert done.count == 3
    assert (held(app, "JP-GOV-0001"), held(app, world["jp"])) == (492, 3)


def test_a_batch_sees_its_own_earlier_moves(app: App, world: World) -> None:
    issued_both(app, world)
    app.registry.batch(
        [
            (c.Move("JP-GOV-0001", world["jp"], quantity=100), TransactionKind.TRANSFER),
            (c.Move(world["jp"], "JP-GOV-0001", quantity=60), TransactionKind.TRANSFER),
            (
                c.Move("JP-GOV-0001", world["jp"], serials="JP-KE-JCM-KE001-2023-1-1-10"),
                TransactionKind.TRANSFER,
            ),
        ]
    )
    where = app.registry.lookup_serial("JP-KE-JCM-KE001-2023-1-1-100")
    assert [(loc.serials, loc.account) for loc in where.locations] == [
        ("JP-KE-JCM-KE001-2023-1-1-10", world["jp"]),
        ("JP-KE-JCM-KE001-2023-1-11-60", "JP-GOV-0001"),
        ("JP-KE-JCM-KE001-2023-1-61-100", world["jp"]),
    ]
    assert app.registry.audit().ok


def test_every_committed_transaction_has_exactly_one_event(app: App, world: World) -> None:
    issued_both(app, world)
    app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=3))
    app.registry.batch([(c.Move(world["jp"], quantity=1), TransactionKind.RETIREMENT)] * 3)
    with app.engine.connect() as conn:
        events = conn.execute(
            select(
                schema.events.c.kind, schema.events.c.transaction_id, schema.events.c.entry
            ).where(schema.events.c.transaction_id.is_not(None))
        ).all()
        tx_ids = conn.execute(select(schema.transactions.c.id)).scalars().all()
    assert sorted(e.transaction_id for e in events) == sorted(tx_ids)
    assert len(tx_ids) == 2 + 1 + 3
    retire_payloads = [json.loads(e.entry)["change"] for e in events if e.kind == "retirement"]
    assert all(p["quantity"] == 1 and p["source"] == world["jp"] for p in retire_payloads)


def test_history_shows_every_transaction_that_touched_a_serial(app: App, world: World) -> None:
    issued_both(app, world)
    app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=10))
    app.registry.cancel(c.Move(world["jp"], quantity=4, purpose=CancellationPurpose.VOLUNTARY))
    history = app.registry.lookup_serial("JP-KE-JCM-KE001-2023-1-3").history
    assert [h.kind for h in history] == ["issuance", "transfer", "cancellation"]
    assert history[-1].detail["purpose"] == "voluntary"


def test_transactions_can_be_filtered(app: App, world: World) -> None:
    issued_both(app, world)
    app.registry.transfer(c.Move("JP-GOV-0001", world["jp"], quantity=3))
    kinds = [t.kind for t in app.registry.transactions(account=world["jp"])]
    assert kinds == ["transfer"]
    assert [t.kind for t in app.registry.transactions(kind="issuance")] == ["issuance"] * 2
    assert len(app.registry.transactions(project="KE001")) == 3
    assert app.registry.transactions(project="ID001") == []


def test_a_registry_has_one_account_of_each_singleton_type(app: App, world: World) -> None:
    error = refusal(
        lambda: app.registry.open_account(
            c.OpenAccount("JP", "JP-ORG-0001", AccountType.CANCELLATION, "second")
        )
    )
    assert error.code == "A3_SINGLETON_EXISTS"
    assert (
        refusal(lambda: app.registry.create_registry(c.CreateRegistry("JP"))).code
        == "G7_REGISTRY_EXISTS"
    )
    assert (
        refusal(lambda: app.registry.create_registry(c.CreateRegistry("XX"))).code
        == "G1_BAD_COUNTRY"
    )


def test_a_blocked_account_neither_sends_nor_receives_until_reopened(
    app: App, world: World
) -> None:
    issued_both(app, world)
    blocked = app.registry.set_account_status(
        c.SetAccountStatus(world["ke"], AccountStatus.BLOCKED, "court order")
    )
    assert (blocked.previous, blocked.status) == ("open", "blocked")
    for move in (
        c.Move(world["ke"], "KE-GOV-0001", quantity=1),
        c.Move("KE-GOV-0001", world["ke"], quantity=1),
    ):
        assert refusal(lambda m=move: app.registry.transfer(m)).code == "G4_ACCOUNT_NOT_OPEN"
    app.registry.set_account_status(c.SetAccountStatus(world["ke"], AccountStatus.OPEN))
    assert app.registry.transfer(c.Move(world["ke"], "KE-GOV-0001", quantity=1)).quantity == 1


def test_an_account_closes_only_when_empty_and_for_good(app: App, world: World) -> None:
    issued_both(app, world)
    close = c.SetAccountStatus(world["ke"], AccountStatus.CLOSED)
    error = refusal(lambda: app.registry.set_account_status(close))
    assert error.code == "A4_NOT_EMPTY"
    assert "400 units" in error.message
    app.registry.transfer(c.Move(world["ke"], "KE-GOV-0001", quantity=400))
    assert app.registry.set_account_status(close).status == "closed"
    reopen = c.SetAccountStatus(world["ke"], AccountStatus.OPEN)
    assert refusal(lambda: app.registry.set_account_status(reopen)).code == "A4_ACCOUNT_CLOSED"
    system = c.SetAccountStatus("KE-CAN-0002", AccountStatus.BLOCKED)
    assert refusal(lambda: app.registry.set_account_status(system)).code == "A4_SYSTEM_ACCOUNT"
    verdict = app.log.verify(app.log_verifiers())
    assert verdict.ok, verdict.problem


def test_a_suspended_registry_takes_part_in_no_transaction_until_reactivated(
    app: App, world: World
) -> None:
    issued_both(app, world)
    app.registry.set_registry_active(c.SetRegistryActive("KE", False, "maintenance"))
    for action in (
        lambda: app.registry.transfer(c.Move(world["ke"], "KE-GOV-0001", quantity=1)),
        lambda: app.registry.external_transfer(c.Move("JP-GOV-0001", world["ke"], quantity=1)),
        lambda: app.registry.issue(
            c.Issue(
                decide(app, world, start=date(2024, 1, 1), end=date(2024, 12, 31)).decision, "KE"
            )
        ),
    ):
        error = refusal(action)
        assert error.code in ("G3_REGISTRY_INACTIVE",), error
    assert (
        refusal(lambda: app.registry.set_registry_active(c.SetRegistryActive("KE", False))).code
        == "G1_NO_CHANGE"
    )
    app.registry.set_registry_active(c.SetRegistryActive("KE", True))
    assert app.registry.transfer(c.Move(world["ke"], "KE-GOV-0001", quantity=1)).quantity == 1
    verdict = app.log.verify(app.log_verifiers())
    assert verdict.ok, verdict.problem
