"""Webhook subscriptions, the outbox of deliveries and their attempt log, in SQL.

The outbox is written by :meth:`SqlWebhookStore.enqueue`, which the unit of work calls just
before its commit with the log events the unit of work appended: the deliveries are in the
same database transaction as the change they report, so they commit or vanish with it.
When no subscription is active that costs one indexed look-up per commit that changed
anything a webhook could report, and nothing otherwise.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from jcm.adapters import schema as t
from jcm.adapters.canonical import canonical_json
from jcm.adapters.cycle_store import SqlCycleStore
from jcm.adapters.driver_statement import DriverStatement
from jcm.adapters.files import crash_point
from jcm.domain.transparency.log_entries import timestamp_text
from jcm.domain.webhooks import events as we
from jcm.domain.webhooks.events import EventType, LoggedChange
from jcm.domain.webhooks.subscriptions import AttemptTrigger, DeliveryStatus, payload
from jcm.service_layer.webhooks.ports import (
    ClaimedDelivery,
    StoredAttempt,
    StoredDelivery,
    StoredSubscription,
)

_S = t.webhook_subscriptions.c
_D = t.webhook_deliveries.c
_A = t.webhook_attempts.c

_D_ANY_ACTIVE = DriverStatement(select(_S.id).where(_S.active.is_(True)).limit(1))

Appended = list[tuple[str, int | None, dict[str, Any]]]


def _types(value: Any) -> frozenset[EventType]:
    items = json.loads(value) if isinstance(value, str) else value
    return frozenset(EventType(v) for v in items if v in EventType.__members__.values())


def _subscription(row: Any) -> StoredSubscription:
    created_by = row.created_by
    if isinstance(created_by, str):
        created_by = json.loads(created_by)
    return StoredSubscription(
        row.id,
        row.organisation_id,
        row.url,
        _types(row.event_types),
        bool(row.active),
        dict(created_by),
        row.created_at,
        row.ended_at,
    )


def _delivery(row: Any) -> StoredDelivery:
    return StoredDelivery(
        row.id,
        row.subscription_id,
        row.organisation_id,
        EventType(row.event_type),
        DeliveryStatus(row.status),
        int(row.attempts),
        int(row.failures),
        row.next_attempt_at,
        row.last_status_code,
        row.created_at,
        row.delivered_at,
    )


class SqlWebhookStore:
    """Implements ``service_layer.webhooks.ports.WebhookStore``, plus the outbox hook."""

    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # -- the outbox -----------------------------------------------------------------------
    def enqueue(self, appended: Appended, now: datetime) -> int:
        """Write one delivery per (webhook event, matching subscription); how many.

        Takes the events: ``appended`` is emptied, so a second commit of the same unit of
        work does not enqueue them twice."""
        changes = [
            LoggedChange(kind, tx_id, change)
            for kind, tx_id, change in appended
            if we.concerns_anyone(kind)
        ]
        appended.clear()
        if not changes or not _D_ANY_ACTIVE.rows(self.c, {}):
            return 0
        needs = we.lookups(changes)
        events = we.derive(
            changes, self._holders(needs.accounts), self._participants(needs.projects)
        )
        if not events:
            return 0
        organisations = sorted({e.organisation_id for e in events})
        subscribers: dict[str, list[StoredSubscription]] = {}
        for row in self.c.execute(
            select(t.webhook_subscriptions)
            .where(_S.active.is_(True), _S.organisation_id.in_(organisations))
            .order_by(_S.id)
        ):
            subscription = _subscription(row)
            subscribers.setdefault(subscription.organisation_id, []).append(subscription)
        stamp = timestamp_text(now)
        rows: list[dict[str, Any]] = []
        for event in events:
            body: str | None = None
            for subscription in subscribers.get(event.organisation_id, ()):
                if event.type not in subscription.event_types:
                    continue
                if body is None:
                    body = canonical_json(payload(event.type, stamp, event.data)).decode()
                rows.append(_new_delivery(subscription, event.type, body, now))
        if rows:
            self.c.execute(insert(t.webhook_deliveries), rows)
            crash_point("webhook:enqueued")
        return len(rows)

    def _holders(self, accounts: frozenset[str]) -> dict[str, str]:
        if not accounts:
            return {}
        query = select(t.accounts.c.id, t.accounts.c.organisation_id).where(
            t.accounts.c.id.in_(sorted(accounts))
        )
        return {str(r.id): str(r.organisation_id) for r in self.c.execute(query)}

    def _participants(self, projects: frozenset[str]) -> dict[str, list[str]]:
        store = SqlCycleStore(self.c)
        found: dict[str, list[str]] = {}
        for project_id in sorted(projects):
            project = store.get_project(project_id)
            if project is not None:
                found[project_id] = [p.organisation_id for p in project.participants]
        return found

    # -- subscriptions --------------------------------------------------------------------
    def count_active(self, organisation_id: str) -> int:
        query = select(func.count()).where(
            _S.organisation_id == organisation_id, _S.active.is_(True)
        )
        return int(self.c.execute(query).scalar_one())

    def add_subscription(
        self,
        subscription: StoredSubscription,
        sealed_secret: str,
        key_id: str,
        request: tuple[str, str] | None = None,
    ) -> None:
        self.c.execute(
            insert(t.webhook_subscriptions).values(
                id=subscription.id,
                organisation_id=subscription.organisation_id,
                url=subscription.url,
                event_types=sorted(e.value for e in subscription.event_types),
                secret=sealed_secret,
                secret_key_id=key_id,
                active=subscription.active,
                created_by=subscription.created_by,
                created_at=subscription.created_at,
                ended_at=subscription.ended_at,
                request_key=None if request is None else request[0],
                request_digest=None if request is None else request[1],
            )
        )

    def subscription_by_request(
        self, request_key: str
    ) -> tuple[StoredSubscription, str, str] | None:
        """(subscription, sealed secret, request digest) made under an idempotency key."""
        row = self.c.execute(
            select(t.webhook_subscriptions).where(_S.request_key == request_key)
        ).first()
        if row is None:
            return None
        return _subscription(row), str(row.secret), str(row.request_digest)

    def get_subscription(self, subscription_id: str) -> StoredSubscription | None:
        row = self.c.execute(
            select(t.webhook_subscriptions).where(_S.id == subscription_id)
        ).first()
        return None if row is None else _subscription(row)

    def end_subscription(self, subscription_id: str, now: datetime) -> int:
        self.c.execute(
            update(t.webhook_subscriptions)
            .where(_S.id == subscription_id)
            .values(active=False, ended_at=now)
        )
        cancelled = self.c.execute(
            update(t.webhook_deliveries)
            .where(
                _D.subscription_id == subscription_id,
                _D.status == DeliveryStatus.PENDING.value,
            )
            .values(status=DeliveryStatus.CANCELLED.value, next_attempt_at=None)
        )
        return int(cancelled.rowcount or 0)

    def subscriptions(self, organisation_id: str) -> list[StoredSubscription]:
        rows = self.c.execute(
            select(t.webhook_subscriptions)
            .where(_S.organisation_id == organisation_id)
            .order_by(_S.created_at, _S.id)
        )
        return [_subscription(r) for r in rows]

    # -- deliveries -----------------------------------------------------------------------
    def deliveries(
        self, organisation_id: str, subscription_id: str | None, limit: int
    ) -> list[StoredDelivery]:
        query = select(t.webhook_deliveries).where(_D.organisation_id == organisation_id)
        if subscription_id is not None:
            query = query.where(_D.subscription_id == subscription_id)
        query = query.order_by(_D.created_at.desc(), _D.id.desc()).limit(limit)
        return [_delivery(r) for r in self.c.execute(query)]

    def attempts(self, delivery_ids: Sequence[str]) -> dict[str, list[StoredAttempt]]:
        if not delivery_ids:
            return {}
        rows = self.c.execute(
            select(t.webhook_attempts)
            .where(_A.delivery_id.in_(list(delivery_ids)))
            .order_by(_A.delivery_id, _A.id)
        )
        found: dict[str, list[StoredAttempt]] = {}
        for r in rows:
            found.setdefault(r.delivery_id, []).append(
                StoredAttempt(
                    r.delivery_id,
                    int(r.attempt),
                    AttemptTrigger(r.trigger),
                    r.started_at,
                    int(r.duration_ms),
                    r.status_code,
                    r.error,
                )
            )
        return found

    def get_delivery(self, delivery_id: str) -> StoredDelivery | None:
        row = self.c.execute(select(t.webhook_deliveries).where(_D.id == delivery_id)).first()
        return None if row is None else _delivery(row)

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries of active subscriptions until ``lease_until``.

        PostgreSQL skips rows another worker is claiming (``FOR UPDATE SKIP LOCKED``);
        SQLite's write lock (``BEGIN IMMEDIATE``) serialises the claims.
        """
        query = (
            select(
                _D.id,
                _D.attempts,
                _D.failures,
                _D.manual,
                _D.payload,
                _S.url,
                _S.secret,
            )
            .join(t.webhook_subscriptions, _S.id == _D.subscription_id)
            .where(
                _D.status == DeliveryStatus.PENDING.value,
                _D.next_attempt_at <= now,
                _S.active.is_(True),
            )
            .order_by(_D.next_attempt_at, _D.id)
            .limit(limit)
            .with_for_update(of=t.webhook_deliveries, skip_locked=True)
        )
        claimed = [
            ClaimedDelivery(
                r.id,
                int(r.attempts) + 1,
                int(r.failures),
                AttemptTrigger.REDELIVERY if r.manual else AttemptTrigger.SCHEDULED,
                r.url,
                r.secret,
                r.payload,
            )
            for r in self.c.execute(query)
        ]
        if claimed:
            self.c.execute(
                update(t.webhook_deliveries)
                .where(_D.id == bindparam("claimed_id"))
                .values(
                    attempts=bindparam("attempt"),
                    next_attempt_at=bindparam("lease_until"),
                    manual=False,
                ),
                [
                    {"claimed_id": d.id, "attempt": d.attempt, "lease_until": lease_until}
                    for d in claimed
                ],
            )
        return claimed

    def record_attempt(
        self,
        attempt: StoredAttempt,
        status: DeliveryStatus,
        failures: int,
        next_attempt_at: datetime | None,
    ) -> bool:
        """Log the attempt; update the delivery unless another worker has claimed it since
        (its lease ran out): False then."""
        self.c.execute(
            insert(t.webhook_attempts).values(
                delivery_id=attempt.delivery_id,
                attempt=attempt.attempt,
                trigger=attempt.trigger.value,
                started_at=attempt.started_at,
                duration_ms=attempt.duration_ms,
                status_code=attempt.status_code,
                error=attempt.error,
            )
        )
        values: dict[str, Any] = {
            "status": status.value,
            "failures": failures,
            "next_attempt_at": next_attempt_at,
            "last_status_code": attempt.status_code,
        }
        if status is DeliveryStatus.DELIVERED:
            values["delivered_at"] = attempt.started_at
        done = self.c.execute(
            update(t.webhook_deliveries)
            .where(
                _D.id == attempt.delivery_id,
                _D.attempts == attempt.attempt,
                _D.status == DeliveryStatus.PENDING.value,
            )
            .values(values)
        )
        return bool(done.rowcount)

    def requeue(self, delivery_id: str, now: datetime) -> None:
        self.c.execute(
            update(t.webhook_deliveries)
            .where(_D.id == delivery_id)
            .values(
                status=DeliveryStatus.PENDING.value,
                failures=0,
                next_attempt_at=now,
                manual=True,
            )
        )


def _new_delivery(
    subscription: StoredSubscription, event_type: EventType, body: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": "msg_" + secrets.token_hex(12),
        "subscription_id": subscription.id,
        "organisation_id": subscription.organisation_id,
        "event_type": event_type.value,
        "payload": body,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "failures": 0,
        "manual": False,
        "next_attempt_at": now,
        "last_status_code": None,
        "created_at": now,
        "delivered_at": None,
    }
