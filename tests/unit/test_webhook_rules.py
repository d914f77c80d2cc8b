"""The webhook rules (pure): whom an event concerns, what may be subscribed, the retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.webhooks import events as we
from jcm.domain.webhooks import subscriptions as ws
from jcm.domain.webhooks.events import EventType, LoggedChange

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
HOLDERS = {"JP-ENT-0004": "JP-ORG-0002", "JP-ENT-0005": "JP-ORG-0002", "KE-ENT-0004": "KE-O"}


def move(kind: str, source: str | None, destination: str | None) -> LoggedChange:
    return LoggedChange(kind, 7, {"kind": kind, "source": source, "destination": destination})


def test_a_transfer_concerns_the_holder_of_each_side_even_when_it_is_the_same() -> None:
    events = we.derive([move("transfer", "JP-ENT-0004", "JP-ENT-0005")], HOLDERS, {})
    assert [(e.type, e.organisation_id, e.data["account"]) for e in events] == [
        (EventType.UNITS_TRANSFERRED_OUT, "JP-ORG-0002", "JP-ENT-0004"),
        (EventType.UNITS_TRANSFERRED_IN, "JP-ORG-0002", "JP-ENT-0005"),
    ]
    assert events[0].data["transaction"] == 7
    assert events[0].data["event"] == "transfer"


def test_cancellation_and_retirement_concern_the_holder_of_the_account_units_left() -> None:
    ends = [
        move("cancellation", "KE-ENT-0004", "KE-CAN-0002"),
        move("retirement", "KE-ENT-0004", "KE-RET-0003"),
    ]
    events = we.derive(ends, HOLDERS, {})
    assert [(e.type, e.organisation_id) for e in events] == [
        (EventType.UNITS_CANCELLED, "KE-O"),
        (EventType.UNITS_RETIRED, "KE-O"),
    ]


def test_an_issuance_tells_each_holder_once_naming_its_accounts() -> None:
    lines = [{"account": a} for a in ("JP-ENT-0004", "KE-ENT-0004", "JP-ENT-0005", "X-1")]
    issuance = LoggedChange("issuance", 3, {"detail": {"lines": lines}})
    assert we.lookups([issuance]).accounts == {"JP-ENT-0004", "KE-ENT-0004", "JP-ENT-0005", "X-1"}
    events = we.derive([issuance], HOLDERS, {})
    assert [(e.organisation_id, e.data["accounts"]) for e in events] == [
        ("JP-ORG-0002", ["JP-ENT-0004", "JP-ENT-0005"]),
        ("KE-O", ["KE-ENT-0004"]),
    ]


def test_steps_and_decisions_concern_the_projects_participants() -> None:
    step = LoggedChange("monitoring_period.verify", None, {"project": "KE001", "action": "verify"})
    decision = LoggedChange("decision_recorded", None, {"project": "KE001", "amount": 5})
    other = LoggedChange("project.submit_pin", None, {"project": "ID001"})
    lookups = we.lookups([step, decision, other])
    assert lookups.projects == {"KE001", "ID001"}
    events = we.derive([step, decision, other], {}, {"KE001": ["pp-a", "pp-b"]})
    assert [(e.type, e.organisation_id) for e in events] == [
        (EventType.PROJECT_CYCLE_STEP, "pp-a"),
        (EventType.PROJECT_CYCLE_STEP, "pp-b"),
        (EventType.DECISION_RECORDED, "pp-a"),
        (EventType.DECISION_RECORDED, "pp-b"),
    ]


@pytest.mark.parametrize(
    "kind", ["registry_created", "account_created", "actor.registered", "rule_book.defined"]
)
def test_set_up_changes_concern_no_one_and_cost_nothing(kind: str) -> None:
    assert not we.concerns_anyone(kind)
    assert not we.lookups([LoggedChange(kind, None, {"project": "KE001"})])


def test_retries_back_off_then_give_up_after_the_last_attempt() -> None:
    delays = [ws.retry_at(n, NOW) for n in range(1, ws.MAX_ATTEMPTS + 1)]
    assert delays[0] == NOW + timedelta(seconds=5)
    assert delays[1] == NOW + timedelta(seconds=30)
    assert delays[2] == NOW + timedelta(minutes=2)
    assert delays[3] == NOW + timedelta(minutes=10)
    assert delays[4] == NOW + timedelta(hours=1)
    waits = [d - NOW for d in delays[:-1] if d is not None]
    assert waits == sorted(waits)
    assert max(waits) == timedelta(hours=24)
    assert delays[-1] is None


@pytest.mark.parametrize(
    "url",
    ["https://example.org/hooks", "http://127.0.0.1:8080/x?token=abc", "https://[::1]/h"],
)
def test_http_and_https_urls_are_accepted(url: str) -> None:
    assert ws.check_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "gopher://h/x",
        "https://u:p@h/x",
        "https://h/x#frag",
        "https://h/\x00",
        "https:// h/",
        "https://h:70000/",
        "https://h/" + "a" * ws.MAX_URL_LENGTH,
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ws.check_url(url)
    assert refused.value.code == "W1_BAD_URL"


def test_event_types_are_known_ones_or_all() -> None:
    assert ws.parse_event_types(["*"]) == frozenset(EventType)
    assert ws.parse_event_types([" Units.Issued "]) == {EventType.UNITS_ISSUED}
    for bad in (["units.minted"], []):
        with pytest.raises(InvalidInput) as refused:
            ws.parse_event_types(bad)
        assert refused.value.code == "W1_BAD_EVENT_TYPE"


def test_a_malformed_id_is_answered_like_an_unknown_one() -> None:
    assert ws.check_subscription_id("sub_0123456789abcdef") == "sub_0123456789abcdef"
    for bad in ("msg_0123456789abcdef", "sub_../../x", "sub_"):
        with pytest.raises(NotFound) as refused:
            ws.check_subscription_id(bad)
        assert refused.value.code == "W4_UNKNOWN_SUBSCRIPTION"


def test_secrets_take_the_standard_webhooks_form() -> None:
    secret = ws.new_secret(bytes(range(32)))
    assert secret.startswith("whsec_")
    with pytest.raises(ValueError, match="24"):
        ws.new_secret(b"short")
