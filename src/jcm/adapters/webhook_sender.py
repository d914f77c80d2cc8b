"""Sending one webhook delivery: a signed POST with httpx.

Signing uses the ``standardwebhooks`` package (the reference implementation of the Standard
Webhooks specification): ``webhook-signature`` is ``v1,`` + base64 of HMAC-SHA256 over
``{webhook-id}.{webhook-timestamp}.{body}`` with the subscription's secret. Redirects are
not followed (a delivery goes to the URL subscribed, nowhere else), nothing of the answer
but its status is kept, and the whole exchange is bounded by a timeout.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from jcm.service_layer.webhooks.ports import SendOutcome

USER_AGENT = "jcm-registry-webhooks/1"
DEFAULT_TIMEOUT = 10.0


def signed_headers(
    message_id: str, timestamp: datetime, payload: str, secret: str
) -> dict[str, str]:
    stamp = timestamp.astimezone(UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, stamp, payload),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


class HttpxWebhookSender:
    """Implements ``service_layer.webhooks.ports.WebhookSender``."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._timeout = timeout
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self._timeout, follow_redirects=False, trust_env=False
            )
        return self._client

    def send(
        self, url: str, message_id: str, timestamp: datetime, payload: str, secret: str
    ) -> SendOutcome:
        headers = signed_headers(message_id, timestamp, payload, secret)
        started = time.monotonic()
        try:
            # Streamed and closed unread: only the status is kept, whatever the body's size.
            with self._http().stream(
                "POST", url, content=payload.encode("utf-8"), headers=headers
            ) as response:
                status = response.status_code
        except httpx.HTTPError as failure:
            return SendOutcome(None, f"{type(failure).__name__}: {failure}"[:500], _ms(started))
        refused = None if 200 <= status < 300 else f"HTTP {status}"
        return SendOutcome(status, refused, _ms(started))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
