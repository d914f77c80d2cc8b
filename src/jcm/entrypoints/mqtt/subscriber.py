"""The MQTT subscriber: signed batches from Mosquitto into batch intake, exactly once.

* paho-mqtt 2 (callback API version 2), MQTT 5, a persistent session (``clean_start`` off,
  a session expiry interval): QoS 1 messages published while the subscriber is down queue
  at the broker for its client id and arrive when it returns.
* The MQTT 5 shared subscription ``$share/<group>/jcm/meters/+/readings`` at QoS 1: each
  message goes to one member of the group, so several processes share the load.
* ``manual_ack``: messages are buffered (up to ``max_batch``, at most ``max_wait`` after the
  first) and handed to ``intake.accept``; each is acknowledged only after ``accept``
  returned, i.e. after its batch was durably stored, found a duplicate, or refused and the
  refusal recorded. A crash before that leaves it unacknowledged: the broker sends it again
  and intake's (device, seq) rule turns the second copy into a counted duplicate.
* The network loop (paho's thread) reconnects with backoff when the broker goes away;
  messages of a lost connection are not acknowledged on the new one (the broker resends
  them). SIGTERM / SIGINT: stop taking messages, store and acknowledge what is buffered,
  disconnect, print the counts.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol

from jcm.domain.errors import ConcurrencyConflict, InvalidInput, JcmError
from jcm.domain.mrv.broker import BrokerAddress, device_of_topic, parse_broker_url, shared_filter

if TYPE_CHECKING:
    from paho.mqtt.client import Client, MQTTMessage
    from paho.mqtt.properties import Properties
    from paho.mqtt.reasoncodes import ReasonCode

    from jcm.bootstrap import App
    from jcm.entrypoints.cli.common import State

SESSION_EXPIRY_S = 7 * 24 * 3600  # a stopped subscriber's queue is kept a week
_RETRY_S = (0.2, 0.5, 1.0, 2.0, 4.0)  # storing failed (database away): retry, ≈ 30 s in all


@dataclass(frozen=True, slots=True)
class SubscriberOptions:
    address: BrokerAddress
    group: str
    topic_filter: str
    client_id: str
    max_batch: int
    max_wait_s: float

    @classmethod
    def parse(
        cls, broker: str, group: str, client_id: str | None, max_batch: int, max_wait_ms: int
    ) -> SubscriberOptions:
        address = parse_broker_url(broker)
        topic_filter = shared_filter(group)
        cid = client_id or f"{group}-{socket.gethostname()}"
        return cls(address, group, topic_filter, cid, max_batch, max_wait_ms / 1000)


@dataclass
class Tally:
    """What the subscriber did, by outcome and refusal code."""

    messages: int = 0
    accepted: int = 0
    readings: int = 0  # in the accepted batches
    duplicates: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    connections: int = 0
    store_failures: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "messages": self.messages,
            "accepted": self.accepted,
            "accepted_readings": self.readings,
            "duplicates": self.duplicates,
            "refused": sum(self.refused.values()),
            "refused_by_code": dict(sorted(self.refused.items())),
            "connections": self.connections,
            "store_failures": self.store_failures,
        }

    def line(self) -> str:
        codes = ", ".join(f"{c} {n}" for c, n in sorted(self.refused.items()))
        refused = sum(self.refused.values())
        return (
            f"{self.messages} messages: {self.accepted} accepted ({self.readings} readings), "
            f"{self.duplicates} duplicates, "
            f"{refused} refused{f' ({codes})' if codes else ''}"
        )


class Accept(Protocol):
    """Intake: one verdict per payload, in order: (outcome, refusal code or None, readings)."""

    def __call__(
        self, payloads: Sequence[bytes], topic_devices: Sequence[str | None]
    ) -> Sequence[tuple[str, str | None, int]]: ...


@dataclass(frozen=True, slots=True)
class _Received:
    generation: int  # the connection it came on: acknowledged only on that one
    mid: int
    qos: int
    topic: str
    payload: bytes


class Subscriber:
    def __init__(
        self,
        options: SubscriberOptions,
        login: tuple[str, str],
        accept: Accept,
        say: Callable[[str], None],
        retry_s: Sequence[float] = _RETRY_S,
    ) -> None:
        self.options = options
        self._retry_s = tuple(retry_s)
        self.tally = Tally()
        self._login = login
        self._accept = accept
        self._say = say
        self._inbox: queue.Queue[_Received] = queue.Queue()
        self._generation = 0
        self._taking = True  # False once stopping: later messages stay unacknowledged
        self.stop = threading.Event()
        self.fatal: JcmError | None = None
        self._client: Client | None = None
        self._unreachable = False

    # -- paho callbacks (its network thread) ---------------------------------------------

    def _on_connect(
        self, client: Client, _: Any, flags: Any, reason: ReasonCode, props: Properties | None
    ) -> None:
        if reason.is_failure:
            self._fail(f"The broker refused the login: {reason}")
            return
        self._generation += 1
        self._unreachable = False
        self.tally.connections += 1
        resumed = "resumed" if getattr(flags, "session_present", False) else "new"
        client.subscribe(self.options.topic_filter, qos=1)
        self._say(
            f"connected to {self.options.address.url} as {self.options.client_id} "
            f"({resumed} session); subscribing to {self.options.topic_filter}"
        )

    def _on_subscribe(
        self, _c: Client, _u: Any, _mid: int, codes: list[ReasonCode], _p: Properties | None
    ) -> None:
        if any(code.is_failure for code in codes):
            self._fail(f"The broker refused the subscription: {codes[0]}")
        else:
            self._say("subscribed")

    def _on_disconnect(
        self, _c: Client, _u: Any, _f: Any, reason: ReasonCode, _p: Properties | None
    ) -> None:
        self._generation += 1  # buffered messages of the lost connection: resent by the broker
        if not self.stop.is_set():
            self._say(f"disconnected ({reason}); reconnecting")

    def _on_connect_fail(self, _c: Client, _u: Any) -> None:
        if not self._unreachable:  # once per outage, not once per attempt
            self._say(f"cannot reach {self.options.address.url}; retrying with backoff")
        self._unreachable = True

    def _on_message(self, _c: Client, _u: Any, message: MQTTMessage) -> None:
        if self._taking:
            self._inbox.put(
                _Received(
                    self._generation,
                    message.mid,
                    message.qos,
                    message.topic,
                    bytes(message.payload),
                )
            )

    def _fail(self, why: str) -> None:
        self.fatal = InvalidInput(
            "D8_BROKER_REFUSED",
            f"{why} ({self.options.address.url}).",
            url=self.options.address.url,
        )
        self.stop.set()

    # -- the main thread -------------------------------------------------------------------

    def run(self) -> Tally:
        client = self._client = self._new_client()
        client.loop_start()
        try:
            while not self.stop.is_set():
                batch = self._take(timeout=0.2)
                if batch:
                    self._store(batch)
            self._taking = False
            if self.fatal is None:
                self._drain()
        finally:
            client.disconnect()
            client.loop_stop()
        return self.tally

    def _new_client(self) -> Client:
        from paho.mqtt.client import Client, MQTTv5
        from paho.mqtt.enums import CallbackAPIVersion
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        client = Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.options.client_id,
            protocol=MQTTv5,
            manual_ack=True,
        )
        client.username_pw_set(*self._login)
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_connect_fail = self._on_connect_fail
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = min(65535, max(100, 2 * self.options.max_batch))
        address = self.options.address
        client.connect_async(
            address.host, address.port, keepalive=30, clean_start=False, properties=props
        )
        return client

    def _take(self, timeout: float) -> list[_Received]:
        try:
            first = self._inbox.get(timeout=timeout)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.options.max_wait_s
        while len(batch) < self.options.max_batch:
            left = deadline - time.monotonic()
            try:
                batch.append(
                    self._inbox.get(timeout=left) if left > 0 else self._inbox.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _drain(self) -> None:
        """Store and acknowledge what was buffered before the stop."""
        while batch := self._take(timeout=0):
            self._store(batch)

    def _store(self, batch: list[_Received]) -> None:
        payloads = [m.payload for m in batch]
        devices: list[str | None] = [device_of_topic(m.topic) for m in batch]
        verdicts = self._accept_with_retry(payloads, devices)
        if verdicts is None:
            return  # not stored: left unacknowledged, the broker resends them
        for (outcome, code, readings), message in zip(verdicts, batch, strict=True):
            self._count(outcome, code, readings)
            self._ack(message)

    def _accept_with_retry(
        self, payloads: list[bytes], devices: list[str | None]
    ) -> Sequence[tuple[str, str | None, int]] | None:
        """Intake's verdicts; None when storing kept failing (the subscriber then stops:
        its messages stay unacknowledged and come again when it is restarted)."""
        cause = ""
        for attempt, pause in enumerate((*self._retry_s, None)):
            try:
                return self._accept(payloads, devices)
            except Exception as error:  # the database busy or away, a full disk: try again
                if os.environ.get("JCM_DEBUG"):
                    raise
                cause = error.code if isinstance(error, JcmError) else type(error).__name__
                self.tally.store_failures += 1
                self._say(f"storing {len(payloads)} messages failed ({cause}); retrying")
            if pause is None or self.stop.wait(pause * (attempt + 1)):
                break
        self.fatal = ConcurrencyConflict(
            "D8_STORE_FAILED",
            f"{len(payloads)} messages could not be stored ({cause}); they stay "
            "unacknowledged at the broker and come again when the subscriber restarts.",
            cause=cause,
        )
        self.stop.set()
        return None

    def _count(self, outcome: str, code: str | None, readings: int) -> None:
        self.tally.messages += 1
        if outcome == "accepted":
            self.tally.accepted += 1
            self.tally.readings += readings
        elif outcome == "duplicate":
            self.tally.duplicates += 1
        else:
            self.tally.refused[code or "unknown"] += 1

    def _ack(self, message: _Received) -> None:
        if message.qos == 0 or message.generation != self._generation or self._client is None:
            return  # QoS 0 needs none; a lost connection's message comes again
        self._client.ack(message.mid, message.qos)


def _stop_on_signals(subscriber: Subscriber) -> None:
    def stop(_signum: int, _frame: FrameType | None) -> None:
        subscriber.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def run_subscriber(state: State, options: Callable[[], SubscriberOptions], json_out: bool) -> None:
    """``jcm mrv subscribe``: wire the app's services, run until stopped, report."""
    import typer

    from jcm.bootstrap import mqtt_broker
    from jcm.entrypoints.cli.common import err, print_json, refusals

    def say(text: str) -> None:
        err.print(f"jcm: {text}", markup=False, highlight=False, soft_wrap=True)

    with refusals(json_out):
        chosen = options()
        app = state.app()
        login = mqtt_broker(app).subscriber_login()
        subscriber = Subscriber(chosen, (login.username, login.password), intake_of(app), say)
    _stop_on_signals(subscriber)
    with refusals(json_out):
        tally = subscriber.run()
        if subscriber.fatal is not None:
            say(f"subscriber stopped: {tally.line()}")
            raise subscriber.fatal
    if json_out:
        print_json(tally.as_json())
    else:
        say(f"subscriber stopped: {tally.line()}")
    sys.stdout.flush()
    raise typer.Exit(0)


def intake_of(app: App) -> Accept:
    """Intake's ``accept`` for the MQTT channel: (outcome, code, readings) per payload."""
    service = app.mrv.intake

    def accept(
        payloads: Sequence[bytes], topic_devices: Sequence[str | None]
    ) -> Sequence[tuple[str, str | None, int]]:
        results = service.accept(payloads, "mqtt", topic_devices=topic_devices)
        return [(r.outcome.value, r.code, r.readings) for r in results]

    return accept
