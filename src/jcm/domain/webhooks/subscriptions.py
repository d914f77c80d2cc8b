"""Subscriptions and deliveries: what may be subscribed, and the retry schedule.

A delivery is one event for one subscription. Its id is the Standard Webhooks message id
(``webhook-id``): the same on every attempt and on a manual redelivery, so a receiver
dedupes on it. A 2xx answer delivers it; anything else (another status, a refused
connection, a timeout) is a failed attempt, retried after the delays below; after
``MAX_ATTEMPTS`` failures in a row it is ``failed`` until redelivered by hand.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from jcm.domain import limits
from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.webhooks.events import EventType

MAX_URL_LENGTH = 2000
MAX_SUBSCRIPTIONS = 20  # per organisation, active ones
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# Seconds to wait after the 1st, 2nd … failure in a row; the last delay repeats up to the cap.
RETRY_DELAYS = (5, 30, 120, 600, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
MAX_ATTEMPTS = 10
# A claimed delivery whose worker died is due again after this (seconds, default).
DEFAULT_LEASE = 60
MAX_LEASE = 3600
_SCHEMES = ("http", "https")
_ID = re.compile(r"^(sub|msg)_[0-9a-f]{16,32}$")


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (or being attempted)
    DELIVERED = "delivered"  # a 2xx answer was recorded
    FAILED = "failed"  # every attempt failed; only a manual redelivery sends it again
    CANCELLED = "cancelled"  # its subscription ended before it was delivered


class AttemptTrigger(StrEnum):
    SCHEDULED = "scheduled"
    REDELIVERY = "redelivery"


def check_url(url: str) -> str:
    """An http(s) URL with a host, no credentials, no fragment, at most 2,000 characters."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise InvalidInput(
            "W1_BAD_URL",
            f"A webhook URL must be 1 to {MAX_URL_LENGTH} characters.",
            length=len(url) if isinstance(url, str) else None,
        )
    shown = limits.made_visible(url[:200])
    if any(ch.isspace() for ch in url) or limits.forbidden_character(url) is not None:
        raise InvalidInput(
            "W1_BAD_URL",
            f"The webhook URL {shown!r} holds spaces or control characters.",
            url=shown,
        )
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port out of range or not a number is refused here
    except ValueError:
        raise InvalidInput("W1_BAD_URL", f"{shown!r} is not a URL.", url=shown) from None
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise InvalidInput(
            "W1_BAD_URL",
            f"A webhook URL must be http:// or https:// with a host, got {shown!r}.",
            url=shown,
        )
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise InvalidInput(
            "W1_BAD_URL",
            "A webhook URL may not carry credentials or a fragment (the signature "
            "authenticates the registry; the receiver's own secret belongs in its path).",
            url=shown,
        )
    return url


def parse_event_types(texts: Iterable[str]) -> frozenset[EventType]:
    """At least one known event type; ``*`` stands for all of them."""
    chosen: set[EventType] = set()
    for text in texts:
        name = str(text).strip().lower()
        if name == "*":
            chosen.update(EventType)
            continue
        try:
            chosen.add(EventType(name))
        except ValueError:
            raise InvalidInput(
                "W1_BAD_EVENT_TYPE",
                f"Unknown event type {limits.made_visible(str(text)[:80])!r}; the types are: "
                + ", ".join(e.value for e in EventType)
                + " (or * for all).",
                event_type=str(text)[:80],
            ) from None
    if not chosen:
        raise InvalidInput(
            "W1_BAD_EVENT_TYPE",
            "Name at least one event type: " + ", ".join(e.value for e in EventType) + ".",
        )
    return frozenset(chosen)


def check_subscription_id(value: str) -> str:
    """A malformed id names nothing: the same answer as an unknown one."""
    if not isinstance(value, str) or not _ID.match(value) or not value.startswith("sub_"):
        raise NotFound(
            "W4_UNKNOWN_SUBSCRIPTION",
            f"No webhook subscription {limits.made_visible(str(value)[:80])} is visible to "
            "this caller.",
            subscription=str(value)[:80],
        )
    return value


def check_delivery_id(value: str) -> str:
    if not isinstance(value, str) or not _ID.match(value) or not value.startswith("msg_"):
        raise NotFound(
            "W4_UNKNOWN_DELIVERY",
            f"No webhook delivery {limits.made_visible(str(value)[:80])} is visible to this "
            "caller.",
            delivery=str(value)[:80],
        )
    return value


def new_secret(random: bytes) -> str:
    """A signing secret in the Standard Webhooks form: ``whsec_`` + base64 of the key."""
    if len(random) < 24:
        raise ValueError("a webhook secret needs at least 24 random bytes")
    return SECRET_PREFIX + base64.b64encode(random).decode("ascii")


def retry_at(failures: int, now: datetime) -> datetime | None:
    """When to try again after ``failures`` failed attempts in a row; None: give up."""
    if failures < 1:
        return now
    if failures >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1])


def delivered(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def check_lease(seconds: float) -> float:
    if not 1 <= seconds <= MAX_LEASE:  # also refuses nan
        raise InvalidInput(
            "W1_BAD_LEASE",
            f"A delivery lease must be 1 to {MAX_LEASE} seconds, got {seconds!r}.",
            lease=repr(seconds),
        )
    return seconds


def payload(event_type: EventType, timestamp: str, data: Any) -> dict[str, Any]:
    """The JSON body a receiver gets (the Standard Webhooks shape: type, timestamp, data)."""
    return {"type": event_type.value, "timestamp": timestamp, "data": data}
