"""Webhooks end to end on SQLite and PostgreSQL, with a real receiver on 127.0.0.1.

Every delivery the receiver gets is checked with Standard Webhooks' own verifier.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from webhook_receiver import Receiver, receiver

from jcm.adapters import schema
from jcm.bootstrap import App, bootstrap
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role, Side
from jcm.domain.errors import (
    Forbidden,
    IdempotencyConflict,
    InvalidInput,
    JcmError,
    NotFound,
    RuleViolation,
)
from jcm.domain.identity.principal import OPERATOR, Principal, Scope, operator_for
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.webhooks.subscriptions import MAX_ATTEMPTS, AttemptTrigger, DeliveryStatus
from jcm.entrypoints.demo import run_demo

World = dict[str, str]


def utc_now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def holder(app: App, account: str) -> str:
    with app.engine.connect() as conn:
        found = conn.execute(
            select(schema.accounts.c.organisation_id).where(schema.accounts.c.id == account)
        ).scalar_one()
    return str(found)


@pytest.fixture
def world(app: App) -> World:
    """JP and KE, a JP buyer and a KE seller, 1,000 units issued into the seller's account."""
    r = app.registry
    for code in ("JP", "KE"):
        r.create_registry(c.CreateRegistry(code))
    buyer_org = r.create_organisation(c.CreateOrganisation("JP", "Buyer KK")).organisation
    seller_org = r.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation
    buyer = r.open_account(c.OpenAccount("JP", buyer_org, AccountType.ENTITY_HOLDING, "Buyer"))
    seller = r.open_account(c.OpenAccount("KE", seller_org, AccountType.ENTITY_HOLDING, "Solar"))
    return {
        "buyer": buyer.account,
        "buyer_org": buyer_org,
        "seller": seller.account,
        "seller_org": seller_org,
    }


def issue_to_seller(app: App, w: World, amount: int = 1000) -> None:
    decision = app.registry.record_decision(
        c.RecordDecision(
            "KE001",
            date(2023, 1, 1),
            date(2023, 12, 31),
            2023,
            amount,
            (AllocationShare(w["seller"], Decimal("100")),),
            w["seller"],
        )
    ).decision
    app.registry.issue(c.Issue(decision, "KE"))


def deliveries_in_db(app: App) -> int:
    with app.engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(schema.webhook_deliveries)).scalar_one()
        )


def test_a_transfer_is_delivered_to_both_holders_signed_in_the_standard_webhooks_style(
    app: App, world: World, hook: Receiver
) -> None:
    issue_to_seller(app, world)
    seller = app.webhooks.subscribe(
        operator_for(world["seller_org"]), hook.url + "/seller", ["units.transferred_out"]
    )
    buyer = app.webhooks.subscribe(operator_for(world["buyer_org"]), hook.url + "/buyer", ["*"])
    app.registry.external_transfer(c.Move(world["seller"], world["buyer"], quantity=10))

    done = app.webhooks.deliver_due(utc_now())

    assert (done.attempted, done.delivered) == (2, 2)
    got = {r.path.rsplit("/", 1)[1]: r for r in hook.wait_for(2)}
    out = got["seller"].verified(seller.secret)
    into = got["buyer"].verified(buyer.secret)
    assert out["type"] == "units.transferred_out"
    assert into["type"] == "units.transferred_in"
    data = into["data"]
    assert isinstance(data, dict)
    assert data["account"] == world["buyer"]
    assert data["event"] == "external_transfer"
    assert data["change"]["quantity"] == 10
    for received in got.values():
        assert received.webhook_id.startswith("msg_")
        assert received.headers["webhook-timestamp"].isdigit()
        assert received.headers["webhook-signature"].startswith("v1,")
    # The other holder's secret does not verify it.
    with pytest.raises(Exception, match="signature"):
        got["seller"].verified(buyer.secret)


def test_the_secret_is_shown_once_and_stored_only_encrypted(
    app: App, world: World, hook: Receiver
) -> None:
    created = app.webhooks.subscribe(operator_for(world["buyer_org"]), hook.url, ["units.issued"])
    assert created.secret.startswith("whsec_")
    listed = app.webhooks.subscriptions(operator_for(world["buyer_org"]))
    assert [s.subscription for s in listed] == [created.subscription.subscription]
    assert created.secret not in json.dumps([str(s) for s in listed])
    with app.engine.connect() as conn:
        stored = conn.execute(select(schema.webhook_subscriptions)).one()
    assert created.secret not in stored.secret
    assert created.secret.removeprefix("whsec_") not in json.dumps(list(stored), default=str)
    key = app.settings.log_key_dir / "webhook-secrets.key"
    assert key.stat().st_mode & 0o777 == 0o600


def test_nothing_is_queued_without_a_subscription_or_for_a_refused_change(
    app: App, world: World, hook: Receiver
) -> None:
    issue_to_seller(app, world)
    assert deliveries_in_db(app) == 0
    app.webhooks.subscribe(operator_for(world["seller_org"]), hook.url, ["*"])
    with pytest.raises(JcmError):  # more than the account holds: refused, rolled back
        app.registry.external_transfer(c.Move(world["seller"], world["buyer"], quantity=10**6))
    assert deliveries_in_db(app) == 0
    assert app.webhooks.deliver_due(utc_now()).attempted == 0


def test_a_failed_delivery_is_retried_with_backoff_and_logged_with_the_same_webhook_id(
    app: App, world: World, hook: Receiver
) -> None:
    created = app.webhooks.subscribe(operator_for(world["seller_org"]), hook.url, ["units.issued"])
    hook.statuses.extend([500, 503])
    issue_to_seller(app, world)
    start = utc_now()

    first = app.webhooks.deliver_due(start)
    assert (first.attempted, first.retrying) == (1, 1)
    # 5 s after the first failure, then 30 s after the second (each counted from the end
    # of the attempt, a few milliseconds after the round's start here).
    assert app.webhooks.deliver_due(start + timedelta(seconds=4)).attempted == 0
    second = app.webhooks.deliver_due(start + timedelta(seconds=6))
    assert (second.attempted, second.retrying) == (1, 1)
    assert app.webhooks.deliver_due(start + timedelta(seconds=35)).attempted == 0
    third = app.webhooks.deliver_due(start + timedelta(seconds=37))
    assert (third.attempted, third.delivered) == (1, 1)

    received = hook.wait_for(3)
    assert len({r.webhook_id for r in received}) == 1
    assert received[-1].verified(created.secret)["type"] == "units.issued"
    [delivery] = app.webhooks.deliveries(operator_for(world["seller_org"]))
    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.delivery == received[0].webhook_id
    assert [a.status_code for a in delivery.log] == [500, 503, 200]
    assert [a.error for a in delivery.log] == ["HTTP 500", "HTTP 503", None]
    assert all(a.duration_ms >= 0 for a in delivery.log)


def test_after_the_last_attempt_it_fails_and_a_manual_redelivery_sends_it_again(
    app: App, world: World, hook: Receiver
) -> None:
    created = app.webhooks.subscribe(operator_for(world["seller_org"]), hook.url, ["units.issued"])
    hook.statuses.extend([500] * MAX_ATTEMPTS)
    issue_to_seller(app, world)
    when = utc_now()
    for _ in range(MAX_ATTEMPTS):
        app.webhooks.deliver_due(when)
        when += timedelta(days=2)
    [delivery] = app.webhooks.deliveries(operator_for(world["seller_org"]))
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert app.webhooks.deliver_due(when + timedelta(days=30)).attempted == 0

    queued = app.webhooks.redeliver(operator_for(world["seller_org"]), delivery.delivery)
    assert queued.status is DeliveryStatus.PENDING
    done = app.webhooks.deliver_due(utc_now())
    assert done.delivered == 1
    last = hook.wait_for(MAX_ATTEMPTS + 1)[-1]
    assert last.webhook_id == delivery.delivery
    last.verified(created.secret)
    [after] = app.webhooks.deliveries(operator_for(world["seller_org"]))
    assert after.status is DeliveryStatus.DELIVERED
    assert after.log[-1].trigger is AttemptTrigger.REDELIVERY


def test_an_unreachable_receiver_is_a_logged_failed_attempt(app: App, world: World) -> None:
    with receiver() as gone:
        url = gone.url
    app.webhooks.subscribe(operator_for(world["seller_org"]), url, ["units.issued"])
    issue_to_seller(app, world)
    done = app.webhooks.deliver_due(utc_now())
    assert (done.attempted, done.retrying) == (1, 1)
    [delivery] = app.webhooks.deliveries(operator_for(world["seller_org"]))
    assert delivery.log[0].status_code is None
    assert delivery.log[0].error is not None
    assert "Connect" in delivery.log[0].error


def test_unsubscribing_cancels_what_was_not_yet_delivered(
    app: App, world: World, hook: Receiver
) -> None:
    created = app.webhooks.subscribe(operator_for(world["seller_org"]), hook.url, ["*"])
    issue_to_seller(app, world)
    ended = app.webhooks.unsubscribe(
        operator_for(world["seller_org"]), created.subscription.subscription
    )
    assert ended.cancelled_deliveries == 1
    assert app.webhooks.deliver_due(utc_now()).attempted == 0
    [delivery] = app.webhooks.deliveries(operator_for(world["seller_org"]))
    assert delivery.status is DeliveryStatus.CANCELLED
    with pytest.raises(RuleViolation) as refused:
        app.webhooks.redeliver(operator_for(world["seller_org"]), delivery.delivery)
    assert refused.value.code == "W3_SUBSCRIPTION_ENDED"
    listed = app.webhooks.subscriptions(operator_for(world["seller_org"]))
    assert [s.active for s in listed] == [False]


def test_another_organisation_sees_nothing_and_gets_the_answer_an_unknown_id_gets(
    app: App, world: World, hook: Receiver
) -> None:
    created = app.webhooks.subscribe(operator_for(world["seller_org"]), hook.url, ["*"])
    issue_to_seller(app, world)
    [delivery] = app.webhooks.deliveries(operator_for(world["seller_org"]))
    other = operator_for(world["buyer_org"])
    sub_id = created.subscription.subscription
    for call, code in (
        (lambda: app.webhooks.unsubscribe(other, sub_id), "W4_UNKNOWN_SUBSCRIPTION"),
        (lambda: app.webhooks.unsubscribe(other, "sub_" + "0" * 16), "W4_UNKNOWN_SUBSCRIPTION"),
        (lambda: app.webhooks.unsubscribe(other, "../etc"), "W4_UNKNOWN_SUBSCRIPTION"),
        (lambda: app.webhooks.redeliver(other, delivery.delivery), "W4_UNKNOWN_DELIVERY"),
        (lambda: app.webhooks.redeliver(other, "msg_" + "0" * 24), "W4_UNKNOWN_DELIVERY"),
        (
            lambda: app.webhooks.deliveries(other, subscription=sub_id),
            "W4_UNKNOWN_SUBSCRIPTION",
        ),
        (lambda: app.webhooks.subscriptions(other, world["seller_org"]), "K4_NOT_VISIBLE"),
        (lambda: app.webhooks.deliveries(other, world["seller_org"]), "K4_NOT_VISIBLE"),
    ):
        with pytest.raises(NotFound) as refused:
            call()
        assert refused.value.code == code
    assert app.webhooks.subscriptions(other) == []
    assert app.webhooks.deliveries(other) == []


def test_a_token_without_the_read_scope_may_not_manage_webhooks(
    app: App, world: World, hook: Receiver
) -> None:
    from jcm.domain.identity.principal import Channel

    token = Principal(world["buyer_org"], None, Channel.API, frozenset({Scope.REGISTRY_MOVE}), "t1")
    with pytest.raises(Forbidden) as refused:
        app.webhooks.subscribe(token, hook.url, ["*"])
    assert refused.value.code == "K2_MISSING_SCOPE"


@pytest.mark.parametrize(
    ("url", "types", "code"),
    [
        ("ftp://127.0.0.1/x", ["*"], "W1_BAD_URL"),
        ("file:///etc/passwd", ["*"], "W1_BAD_URL"),
        ("http://user:pw@127.0.0.1/x", ["*"], "W1_BAD_URL"),
        ("http://127.0.0.1/" + "x" * 2000, ["*"], "W1_BAD_URL"),
        ("http://127.0.0.1/a b", ["*"], "W1_BAD_URL"),
        ("http:///nohost", ["*"], "W1_BAD_URL"),
        ("http://127.0.0.1:99999/x", ["*"], "W1_BAD_URL"),
        ("http://127.0.0.1/x", ["units.stolen"], "W1_BAD_EVENT_TYPE"),
        ("http://127.0.0.1/x", [], "W1_BAD_EVENT_TYPE"),
    ],
)
def test_bad_urls_and_event_types_are_refused_with_a_code(
    app: App, world: World, url: str, types: list[str], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        app.webhooks.subscribe(operator_for(world["buyer_org"]), url, types)
    assert refused.value.code == code
    assert app.webhooks.subscriptions(operator_for(world["buyer_org"])) == []


def test_an_unregistered_organisation_cannot_subscribe(app: App, hook: Receiver) -> None:
    with pytest.raises(NotFound) as refused:
        app.webhooks.subscribe(operator_for("nobody"), hook.url, ["*"])
    assert refused.value.code == "W4_UNKNOWN_ORGANISATION"


def test_participants_hear_of_their_projects_steps_and_decisions_and_holders_of_issuance(
    app: App, hook: Receiver
) -> None:
    """The demo's two projects walked from PIN to credits: the KE001 participant subscribed
    beforehand hears of exactly KE001's steps and decisions, Kenya's government holder of
    exactly the issuances into its account."""
    for code in ("JP", "KE", "ID"):  # the demo's own commands and keys: replayed there
        app.registry.create_registry(c.CreateRegistry(code), key=f"demo:registry:{code}")
    app.identity.register_actor(
        cc.RegisterActor(
            "demo-jp-solar", Role.PROJECT_PARTICIPANT, "demo-jp-solar (demo)", Side.JAPAN
        ),
        OPERATOR,
        key="demo:actor:demo-jp-solar:project_participant",
    )
    participant = app.webhooks.subscribe(
        operator_for("demo-jp-solar"),
        hook.url + "/pp",
        ["project.cycle_step", "decision.recorded"],
    )
    government = holder(app, "KE-GOV-0001")
    treasury = app.webhooks.subscribe(operator_for(government), hook.url + "/gov", ["*"])
    run_demo(
        app.registry,
        app.cycle,
        app.documents,
        app.log,
        progress=False,
        identity=app.identity,
        register=app.aef.register,
    )

    while app.webhooks.deliver_due(utc_now()).attempted:
        pass

    with app.engine.connect() as conn:
        entries = [json.loads(e) for e in conn.execute(select(schema.events.c.entry)).scalars()]
    steps = [
        e for e in entries
        if e["type"].startswith(("project.", "monitoring_period."))
        and e["change"].get("project") == "KE001"
    ]  # fmt: skip
    decisions = [
        e for e in entries
        if e["type"] == "decision_recorded" and e["change"]["project"] == "KE001"
    ]  # fmt: skip
    issued_to_government = [
        e for e in entries
        if e["type"] == "issuance"
        and any(line["account"] == "KE-GOV-0001" for line in e["change"]["detail"]["lines"])
    ]  # fmt: skip
    assert steps
    assert decisions
    assert issued_to_government
    pp = [r.verified(participant.secret) for r in hook.received if r.path.endswith("/pp")]
    gov = [r.verified(treasury.secret) for r in hook.received if r.path.endswith("/gov")]
    pp_data = [p["data"] for p in pp]
    assert all(isinstance(d, dict) and d["project"] == "KE001" for d in pp_data)
    assert [p["type"] for p in pp].count("project.cycle_step") == len(steps)
    assert [p["type"] for p in pp].count("decision.recorded") == len(decisions)
    assert sorted(
        (d["event"], d["change"].get("action")) for d in pp_data if isinstance(d, dict)
    ) == sorted(
        [(e["type"], e["change"].get("action")) for e in steps]
        + [("decision_recorded", None) for _ in decisions]
    )
    issued = [g for g in gov if g["type"] == "units.issued"]
    assert len(issued) == len(issued_to_government)
    assert all(
        isinstance(g["data"], dict) and g["data"]["accounts"] == ["KE-GOV-0001"] for g in issued
    )


def test_a_repeated_subscription_request_returns_the_same_subscription_and_secret(
    app: App, world: World, hook: Receiver
) -> None:
    seller = operator_for(world["seller_org"])
    first = app.webhooks.subscribe(seller, hook.url, ["*"], idempotency_key="k1")
    again = app.webhooks.subscribe(seller, hook.url, ["*"], idempotency_key="k1")
    assert again.replayed
    assert not first.replayed
    assert (again.subscription, again.secret) == (first.subscription, first.secret)
    with pytest.raises(IdempotencyConflict) as refused:
        app.webhooks.subscribe(seller, hook.url + "/other", ["*"], idempotency_key="k1")
    assert refused.value.code == "G2_IDEMPOTENCY_KEY_REUSED"
    buyer = app.webhooks.subscribe(
        operator_for(world["buyer_org"]), hook.url, ["*"], idempotency_key="k1"
    )
    assert buyer.subscription.subscription != first.subscription.subscription
    assert len(app.webhooks.subscriptions(seller)) == 1


def test_an_organisation_cannot_subscribe_for_another(
    app: App, world: World, hook: Receiver
) -> None:
    with pytest.raises(NotFound) as refused:
        app.webhooks.subscribe(
            operator_for(world["buyer_org"]), hook.url, ["*"], organisation=world["seller_org"]
        )
    assert refused.value.code == "K4_NOT_VISIBLE"


def test_without_its_secrets_key_a_delivery_is_not_sent_but_logged_and_retried(
    app: App, world: World, hook: Receiver
) -> None:
    app.webhooks.subscribe(operator_for(world["seller_org"]), hook.url, ["*"])
    issue_to_seller(app, world)
    (app.settings.log_key_dir / "webhook-secrets.key").unlink()
    restarted = bootstrap(app.settings)
    try:
        done = restarted.webhooks.deliver_due(utc_now())
        assert (done.attempted, done.retrying) == (1, 1)
        [delivery] = restarted.webhooks.deliveries(operator_for(world["seller_org"]))
    finally:
        restarted.close()
    assert hook.received == []
    assert delivery.log[0].error is not None
    assert delivery.log[0].error.startswith("W5_WEBHOOK_SECRET_UNREADABLE")
