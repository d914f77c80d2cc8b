"""What the webhook use cases need from the outside: a store, sealed secrets, a sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from jcm.domain.webhooks.events import EventType
from jcm.domain.webhooks.subscriptions import AttemptTrigger, DeliveryStatus
from jcm.service_layer.ports import UnitOfWork


@dataclass(frozen=True)
class StoredSubscription:
    id: str
    organisation_id: str
    url: str
    event_types: frozenset[EventType]
    active: bool
    created_by: dict[str, str]
    created_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class StoredDelivery:
    id: str  # the webhook-id
    subscription_id: str
    organisation_id: str
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    failures: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class StoredAttempt:
    delivery_id: str
    attempt: int
    trigger: AttemptTrigger
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery a worker has leased for one attempt: all it needs to send it."""

    id: str
    attempt: int  # the number of this attempt (1 for the first)
    failures: int  # failed attempts in a row before this one
    trigger: AttemptTrigger
    url: str
    sealed_secret: str
    payload: str  # the exact JSON text that is signed and sent


class WebhookStore(Protocol):
    def count_active(self, organisation_id: str) -> int: ...
    def add_subscription(
        self,
        subscription: StoredSubscription,
        sealed_secret: str,
        key_id: str,
        request: tuple[str, str] | None = None,
    ) -> None: ...
    def subscription_by_request(
        self, request_key: str
    ) -> tuple[StoredSubscription, str, str] | None: ...
    def get_subscription(self, subscription_id: str) -> StoredSubscription | None: ...
    def end_subscription(self, subscription_id: str, now: datetime) -> int: ...
    def subscriptions(self, organisation_id: str) -> list[StoredSubscription]: ...
    def deliveries(
        self, organisation_id: str, subscription_id: str | None, limit: int
    ) -> list[StoredDelivery]: ...
    def attempts(self, delivery_ids: Sequence[str]) -> dict[str, list[StoredAttempt]]: ...
    def get_delivery(self, delivery_id: str) -> StoredDelivery | None: ...
    def claim_due(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedDelivery]: ...
    def record_attempt(
        self,
        attempt: StoredAttempt,
        status: DeliveryStatus,
        failures: int,
        next_attempt_at: datetime | None,
    ) -> bool: ...
    def requeue(self, delivery_id: str, now: datetime) -> None: ...


class WebhookUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also holds the webhook store (``SqlUnitOfWork`` does)."""

    @property
    def webhooks(self) -> WebhookStore: ...


class WebhookUnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> WebhookUnitOfWork: ...


class SecretBox(Protocol):
    """Keeps signing secrets encrypted at rest; ``open`` refuses (W5) what it cannot open."""

    def seal(self, secret: str) -> tuple[str, str]:
        """(sealed text, id of the key that sealed it)."""
        ...

    def open(self, sealed: str) -> str: ...


@dataclass(frozen=True)
class SendOutcome:
    status_code: int | None  # None: no HTTP answer (refused, timed out, bad TLS)
    error: str | None
    duration_ms: int


class WebhookSender(Protocol):
    def send(
        self, url: str, message_id: str, timestamp: datetime, payload: str, secret: str
    ) -> SendOutcome: ...
