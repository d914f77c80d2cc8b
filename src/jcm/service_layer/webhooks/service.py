"""Webhook use cases: subscriptions, the delivery log, manual redelivery, delivery rounds.

Deliveries themselves are written by the unit of work (the outbox, in the same database
transaction as the change they report). ``deliver_due`` leases due deliveries in one short
transaction, sends each outside any transaction, and records every attempt in another, so a
worker that dies mid-way loses nothing: its leased deliveries are due again when the lease
runs out, and go out with the same ``webhook-id``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta

from jcm.domain import limits
from jcm.domain.cycle.actors import Role
from jcm.domain.errors import IdempotencyConflict, JcmError, NotFound, RuleViolation
from jcm.domain.identity.access import AccessRule, Resource, decide, rule
from jcm.domain.identity.principal import Principal, Scope
from jcm.domain.webhooks import subscriptions as ws
from jcm.domain.webhooks.events import EventType
from jcm.domain.webhooks.subscriptions import DeliveryStatus
from jcm.service_layer.webhooks.ports import (
    ClaimedDelivery,
    SecretBox,
    SendOutcome,
    StoredAttempt,
    StoredSubscription,
    WebhookSender,
    WebhookUnitOfWork,
    WebhookUnitOfWorkFactory,
)
from jcm.service_layer.webhooks.results import (
    DeliveryInfo,
    DeliveryRound,
    RedeliveryQueued,
    SubscriptionCreated,
    SubscriptionEnded,
    SubscriptionInfo,
)

# An organisation manages its own subscriptions (an administrator any organisation's).
MANAGE_WEBHOOKS: AccessRule = rule(Scope.REGISTRY_READ, resource=Resource.OWN_ORGANISATION)
MAX_LISTED = 200
MAX_ROUND = 100
# Deliveries one round claims by default: with the sender's 10 s timeout, five fit in the
# default 60 s lease.
ROUND_SIZE = 5
_ERROR_LENGTH = 500


def _no_crash(_: str) -> None:
    return None


class WebhookService:
    def __init__(
        self,
        unit_of_work: WebhookUnitOfWorkFactory,
        secrets_box: SecretBox,
        sender: WebhookSender,
        crash_point: Callable[[str], None] = _no_crash,
    ) -> None:
        self._uow = unit_of_work
        self._box = secrets_box
        self._sender = sender
        self._crash = crash_point

    # -- access ---------------------------------------------------------------------------
    def _allow(self, uow: WebhookUnitOfWork, by: Principal, organisation: str) -> None:
        decide(MANAGE_WEBHOOKS, by, _roles(uow, by.organisation_id), organisation=organisation)

    def _may_see(self, uow: WebhookUnitOfWork, by: Principal, organisation: str) -> bool:
        """Whether ``by`` may see what belongs to ``organisation`` (401/403 still raise)."""
        try:
            self._allow(uow, by, organisation)
        except NotFound:
            return False
        return True

    # -- subscriptions --------------------------------------------------------------------
    def subscribe(
        self,
        by: Principal,
        url: str,
        event_types: Iterable[str],
        *,
        organisation: str | None = None,
        idempotency_key: str | None = None,
    ) -> SubscriptionCreated:
        """Subscribe ``organisation`` (default: ``by``'s own; another only for an
        administrator). The result carries the signing secret: shown to the caller, stored
        only sealed. With an idempotency key, a repeat of the same request returns the same
        subscription and secret (``replayed``); another request under the key is refused."""
        url = ws.check_url(url)
        types = ws.parse_event_types(event_types)
        limits.check_idempotency_key(idempotency_key)
        organisation = organisation or by.organisation_id
        digest = _digest(organisation, url, types)
        request = None if idempotency_key is None else (_key(organisation, idempotency_key), digest)
        secret = ws.new_secret(secrets.token_bytes(ws.SECRET_BYTES))
        sealed, key_id = self._box.seal(secret)
        with self._uow() as uow:
            self._allow(uow, by, organisation)
            if request is not None:
                replay = self._replay(uow, request, idempotency_key or "")
                if replay is not None:
                    return replay
            if uow.ledger.get_organisation(organisation) is None and not _roles(uow, organisation):
                raise NotFound(
                    "W4_UNKNOWN_ORGANISATION",
                    f"No organisation {organisation} is registered to subscribe.",
                    organisation=organisation,
                )
            if uow.webhooks.count_active(organisation) >= ws.MAX_SUBSCRIPTIONS:
                raise RuleViolation(
                    "W2_TOO_MANY_SUBSCRIPTIONS",
                    f"Organisation {organisation} already has {ws.MAX_SUBSCRIPTIONS} active "
                    "webhook subscriptions; end one first.",
                    organisation=organisation,
                    most=ws.MAX_SUBSCRIPTIONS,
                )
            stored = StoredSubscription(
                "sub_" + secrets.token_hex(8),
                organisation,
                url,
                types,
                True,
                by.attribution(),
                uow.now,
                None,
            )
            uow.webhooks.add_subscription(stored, sealed, key_id, request)
            uow.commit()
        return SubscriptionCreated(SubscriptionInfo.of(stored), secret)

    def _replay(
        self, uow: WebhookUnitOfWork, request: tuple[str, str], key: str
    ) -> SubscriptionCreated | None:
        found = uow.webhooks.subscription_by_request(request[0])
        if found is None:
            return None
        stored, sealed, digest = found
        if digest != request[1]:
            raise IdempotencyConflict(
                "G2_IDEMPOTENCY_KEY_REUSED",
                f"Idempotency key {key!r} was already used for a different subscription; "
                "use a new key for a new request.",
                idempotency_key=key,
                first_command="subscribe",
            )
        return SubscriptionCreated(
            SubscriptionInfo.of(stored), self._box.open(sealed), replayed=True
        )

    def unsubscribe(self, by: Principal, subscription_id: str) -> SubscriptionEnded:
        """End a subscription; its deliveries not yet made are cancelled."""
        with self._uow() as uow:
            found = self._visible_subscription(uow, by, subscription_id)
            cancelled = 0
            if found.active:
                cancelled = uow.webhooks.end_subscription(found.id, uow.now)
            uow.commit()
        return SubscriptionEnded(found.id, cancelled)

    def subscriptions(
        self, by: Principal, organisation: str | None = None
    ) -> list[SubscriptionInfo]:
        organisation = organisation or by.organisation_id
        with self._uow(read_only=True) as uow:
            self._allow(uow, by, organisation)
            return [SubscriptionInfo.of(s) for s in uow.webhooks.subscriptions(organisation)]

    def _visible_subscription(
        self, uow: WebhookUnitOfWork, by: Principal, subscription_id: str
    ) -> StoredSubscription:
        ws.check_subscription_id(subscription_id)
        found = uow.webhooks.get_subscription(subscription_id)
        if found is None or not self._may_see(uow, by, found.organisation_id):
            raise NotFound(  # absent and not-yours answer alike
                "W4_UNKNOWN_SUBSCRIPTION",
                f"No webhook subscription {subscription_id} is visible to this caller.",
                subscription=subscription_id,
            )
        return found

    # -- the delivery log -----------------------------------------------------------------
    def deliveries(
        self,
        by: Principal,
        organisation: str | None = None,
        subscription: str | None = None,
        limit: int = 50,
    ) -> list[DeliveryInfo]:
        """The newest deliveries first, each with its attempts (the delivery log)."""
        limit = max(1, min(int(limit), MAX_LISTED))
        with self._uow(read_only=True) as uow:
            if subscription is not None:
                organisation = self._visible_subscription(uow, by, subscription).organisation_id
            organisation = organisation or by.organisation_id
            self._allow(uow, by, organisation)
            rows = uow.webhooks.deliveries(organisation, subscription, limit)
            log = uow.webhooks.attempts([d.id for d in rows])
            return [DeliveryInfo.of(d, log.get(d.id, [])) for d in rows]

    def redeliver(self, by: Principal, delivery_id: str) -> RedeliveryQueued:
        """Send a delivery again (same webhook-id), at the next round, with a new budget."""
        ws.check_delivery_id(delivery_id)
        with self._uow() as uow:
            found = uow.webhooks.get_delivery(delivery_id)
            subscription = (
                None if found is None else uow.webhooks.get_subscription(found.subscription_id)
            )
            if (
                found is None
                or subscription is None
                or not self._may_see(uow, by, found.organisation_id)
            ):
                raise NotFound(
                    "W4_UNKNOWN_DELIVERY",
                    f"No webhook delivery {delivery_id} is visible to this caller.",
                    delivery=delivery_id,
                )
            if not subscription.active:
                raise RuleViolation(
                    "W3_SUBSCRIPTION_ENDED",
                    f"Subscription {subscription.id} has ended; delivery {delivery_id} cannot "
                    "be sent again.",
                    subscription=subscription.id,
                    delivery=delivery_id,
                )
            uow.webhooks.requeue(delivery_id, uow.now)
            uow.commit()
            return RedeliveryQueued(delivery_id, DeliveryStatus.PENDING, uow.now)

    # -- the worker -----------------------------------------------------------------------
    def deliver_due(
        self, now: datetime, *, limit: int = ROUND_SIZE, lease: float = ws.DEFAULT_LEASE
    ) -> DeliveryRound:
        """Attempt the deliveries due at ``now`` (at most ``limit``, oldest first).

        They are leased for ``lease`` seconds first, so concurrent workers never send the
        same one at once and one whose worker died is due again afterwards (the lease
        should exceed ``limit`` × the sender's timeout). Each attempt is timed, signed and
        scheduled at ``now`` plus the time the round has taken so far.
        """
        ws.check_lease(lease)
        limit = max(1, min(int(limit), MAX_ROUND))
        started = time.monotonic()
        with self._uow() as uow:
            claimed = uow.webhooks.claim_due(now, now + timedelta(seconds=lease), limit)
            uow.commit()
        self._crash("webhook:claimed")
        delivered = retrying = gave_up = 0
        for delivery in claimed:
            at = now + timedelta(seconds=time.monotonic() - started)
            outcome = self._send(delivery, at)
            self._crash("webhook:sent")
            status = self._record(delivery, outcome, at)
            if status is DeliveryStatus.DELIVERED:
                delivered += 1
            elif status is DeliveryStatus.FAILED:
                gave_up += 1
            else:
                retrying += 1
        return DeliveryRound(len(claimed), delivered, retrying, gave_up)

    def _send(self, delivery: ClaimedDelivery, at: datetime) -> SendOutcome:
        try:
            secret = self._box.open(delivery.sealed_secret)
        except JcmError as error:  # a lost or wrong key: recorded, retried on schedule
            return SendOutcome(None, f"{error.code}: the signing secret cannot be opened", 0)
        return self._sender.send(delivery.url, delivery.id, at, delivery.payload, secret)

    def _record(
        self, delivery: ClaimedDelivery, outcome: SendOutcome, at: datetime
    ) -> DeliveryStatus:
        attempt = StoredAttempt(
            delivery.id,
            delivery.attempt,
            delivery.trigger,
            at,
            outcome.duration_ms,
            outcome.status_code,
            None if outcome.error is None else outcome.error[:_ERROR_LENGTH],
        )
        if ws.delivered(outcome.status_code):
            status, failures, next_at = DeliveryStatus.DELIVERED, 0, None
        else:
            failures = delivery.failures + 1
            next_at = ws.retry_at(failures, at + timedelta(milliseconds=outcome.duration_ms))
            status = DeliveryStatus.PENDING if next_at else DeliveryStatus.FAILED
        with self._uow() as uow:
            uow.webhooks.record_attempt(attempt, status, failures, next_at)
            uow.commit()
        return status


def _key(organisation: str, idempotency_key: str) -> str:
    """Keys are per organisation; only their digest is stored."""
    return hashlib.sha256(f"{organisation}\n{idempotency_key}".encode()).hexdigest()


def _digest(organisation: str, url: str, types: frozenset[EventType]) -> str:
    text = json.dumps([organisation, url, sorted(t.value for t in types)])
    return hashlib.sha256(text.encode()).hexdigest()


def _roles(uow: WebhookUnitOfWork, organisation: str) -> Collection[Role]:
    """The organisation's roles in the register (read at each decision: a revoked role
    counts at once)."""
    return {actor.role for actor, _name in uow.cycle.actors_of(organisation)}
