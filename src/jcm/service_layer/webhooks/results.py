"""What the webhook use cases return (frozen dataclasses; their JSON form is ``to_json``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jcm.domain.webhooks.events import EventType
from jcm.domain.webhooks.subscriptions import AttemptTrigger, DeliveryStatus
from jcm.service_layer.results import ChangeResult
from jcm.service_layer.webhooks.ports import StoredAttempt, StoredDelivery, StoredSubscription


@dataclass(frozen=True)
class SubscriptionInfo:
    subscription: str
    organisation: str
    url: str
    event_types: tuple[EventType, ...]
    active: bool
    created_at: datetime
    ended_at: datetime | None

    @classmethod
    def of(cls, s: StoredSubscription) -> SubscriptionInfo:
        return cls(
            s.id,
            s.organisation_id,
            s.url,
            tuple(sorted(s.event_types)),
            s.active,
            s.created_at,
            s.ended_at,
        )


@dataclass(frozen=True)
class SubscriptionCreated(ChangeResult):
    """The new subscription and its signing secret, shown this once and never again."""

    subscription: SubscriptionInfo
    secret: str


@dataclass(frozen=True)
class SubscriptionEnded(ChangeResult):
    subscription: str
    cancelled_deliveries: int


@dataclass(frozen=True)
class AttemptInfo:
    attempt: int
    trigger: AttemptTrigger
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None

    @classmethod
    def of(cls, a: StoredAttempt) -> AttemptInfo:
        return cls(a.attempt, a.trigger, a.started_at, a.duration_ms, a.status_code, a.error)


@dataclass(frozen=True)
class DeliveryInfo:
    delivery: str  # the webhook-id receivers dedupe on
    subscription: str
    organisation: str
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    created_at: datetime
    delivered_at: datetime | None
    log: tuple[AttemptInfo, ...]

    @classmethod
    def of(cls, d: StoredDelivery, attempts: list[StoredAttempt]) -> DeliveryInfo:
        return cls(
            d.id,
            d.subscription_id,
            d.organisation_id,
            d.event_type,
            d.status,
            d.attempts,
            d.next_attempt_at,
            d.last_status_code,
            d.created_at,
            d.delivered_at,
            tuple(AttemptInfo.of(a) for a in attempts),
        )


@dataclass(frozen=True)
class RedeliveryQueued(ChangeResult):
    delivery: str
    status: DeliveryStatus
    next_attempt_at: datetime


@dataclass(frozen=True)
class DeliveryRound:
    """One round of the delivery worker: how many deliveries it attempted, and how each
    ended (delivered; failed and to be retried; failed for good)."""

    attempted: int
    delivered: int
    retrying: int
    gave_up: int
