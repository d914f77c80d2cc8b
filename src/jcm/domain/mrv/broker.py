"""The MQTT side of digital MRV: topics, broker accounts, and what a subscriber connects to.

* A device publishes its signed batches (the envelope of :mod:`jcm.domain.mrv.batches`) to
  ``jcm/meters/<device id>/readings`` at QoS 1, logged in as its device id: the broker's ACL
  lets each device WRITE only its own topic (``pattern write jcm/meters/%u/readings``).
* Subscribers log in as :data:`SUBSCRIBER_USER` (a name no device id can take: device ids
  start with a letter or digit) and READ ``jcm/meters/+/readings``, usually through the
  MQTT 5 shared subscription ``$share/<group>/jcm/meters/+/readings`` so that several
  processes share the load; each message goes to one member of the group.
* Issuing a device's MQTT password is a logged event (:data:`CREDENTIALS_ISSUED`) that
  never carries the password or its hash (the log is public).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from jcm.domain.errors import InvalidInput

CREDENTIALS_ISSUED = "mrv_device_credentials_issued"
SUBSCRIBER_USER = "_jcm-subscriber"
TOPIC_PREFIX = "jcm/meters/"
TOPIC_SUFFIX = "/readings"
TOPIC_FILTER = "jcm/meters/+/readings"
DEFAULT_GROUP = "jcm-intake"
DEFAULT_PORT = 1883

_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # no / + # (MQTT 5 §4.8.2)


def device_topic(device: str) -> str:
    return f"{TOPIC_PREFIX}{device}{TOPIC_SUFFIX}"


def device_of_topic(topic: str) -> str:
    """The device a topic names: its level between ``jcm/meters/`` and ``/readings`` (intake
    refuses a batch of another device, ``D6_WRONG_DEVICE``); the whole topic otherwise, which
    no batch's device equals."""
    if topic.startswith(TOPIC_PREFIX) and topic.endswith(TOPIC_SUFFIX):
        return topic[len(TOPIC_PREFIX) : -len(TOPIC_SUFFIX)]
    return topic


def shared_filter(group: str) -> str:
    """The MQTT 5 shared subscription of a subscriber group (``D8_BAD_GROUP`` otherwise)."""
    if _GROUP.fullmatch(group) is None:
        raise InvalidInput(
            "D8_BAD_GROUP",
            f"The subscriber group {group!r} must be 1–64 letters, digits, '.', '_' or '-'.",
            group=group,
        )
    return f"$share/{group}/{TOPIC_FILTER}"


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://HOST[:PORT]`` (TLS and WebSockets are left to a front proxy: D8_BAD_BROKER_URL)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme != "mqtt"
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.username is not None
    ):
        raise InvalidInput(
            "D8_BAD_BROKER_URL",
            f"The broker address {url!r} is not mqtt://HOST[:PORT] (no user, path or query).",
            url=url,
        )
    return BrokerAddress(parts.hostname, port or DEFAULT_PORT)


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise InvalidInput("D8_BAD_BROKER_URL", f"Port {port} is not 1–65535.", url=str(port))
    return port


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    """What the generated mosquitto.conf fixes (defaults suit QoS 1 bursts on one machine)."""

    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"
    # Unacknowledged QoS 1 messages in flight per client each way: a subscriber acknowledges
    # only after a batch of messages is stored, so the window must exceed its batch size.
    max_inflight_messages: int = 2000
    # Messages queued per client beyond the in-flight window (an offline persistent
    # subscriber session queues everything sent while it is down): generous, bounded.
    max_queued_messages: int = 1_000_000
    # Seconds between saves of the in-memory state (sessions, queued messages) to disk;
    # a clean shutdown always saves.
    autosave_interval: int = 10
