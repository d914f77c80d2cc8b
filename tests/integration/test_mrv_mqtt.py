"""MQTT intake on a real Mosquitto broker: credentials and ACL, acknowledgement after the
durable store, crashes of the subscriber and restarts of the broker, shared subscriptions.

Each test starts its own broker on a free port in its tmp_path (ended by pid) and runs
subscribers as separate `jcm mrv subscribe` processes against the test's database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from mrv_mqtt_support import (
    Broker,
    SubscriberProcess,
    connect,
    envelope,
    publish,
    start_broker,
    stored,
    stored_pairs,
    wait_until,
)
from mrv_support import mrv_world
from paho.mqtt.client import MQTTMessage
from sqlalchemy import func, select

from jcm.adapters import schema
from jcm.adapters.mrv.signatures import new_device_key
from jcm.bootstrap import App, mqtt_broker
from jcm.domain.errors import ConcurrencyConflict
from jcm.domain.mrv.broker import device_topic
from jcm.entrypoints.mqtt.subscriber import Subscriber, SubscriberOptions

# The broker and the subscriber are under test, not the database: every test here runs on
# SQLite only. The database half of intake (exactly once, redeliveries, crashes at each point,
# two callers racing) runs on both backends in test_mrv_intake.py and test_mrv_intake_crash.py.
pytestmark = [
    pytest.mark.timeout(90),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def broker(app: App, tmp_path: Path) -> Iterator[Broker]:
    running = start_broker(mrv_world(app, devices=3), tmp_path)
    try:
        yield running
    finally:
        running.close()


def _refusals(broker: Broker) -> int:
    with broker.world.app.engine.connect() as conn:
        query = select(func.count()).select_from(schema.mrv_refusals)
        return int(conn.execute(query).scalar_one())


def test_a_device_publishes_only_to_its_own_topic_and_bad_passwords_are_refused(
    broker: Broker,
) -> None:
    first, second = broker.world.devices[:2]
    login = mqtt_broker(broker.world.app).subscriber_login()
    watcher, code = connect(broker, login.username, login.password)
    assert code == 0
    seen: list[str] = []

    def on_message(_c: object, _u: object, message: MQTTMessage) -> None:
        seen.append(message.topic)

    watcher.on_message = on_message
    watcher.subscribe("jcm/meters/+/readings", qos=1)
    time.sleep(0.2)
    key = broker.world.keys[first]
    publish(broker, first, [envelope(first, 1, key)], topic=device_topic(second))  # denied
    publish(broker, first, [envelope(first, 2, key)])
    wait_until(lambda: bool(seen), 10, "the device's own message")
    time.sleep(0.2)
    watcher.disconnect()
    watcher.loop_stop()

    assert seen == [device_topic(first)]  # the one on another device's topic never arrived
    for user, password in ((first, "wrong-password"), ("nobody", "x"), (first, "")):
        client, refused = connect(broker, user, password)
        client.loop_stop()
        assert refused in (134, 135)  # bad user name or password / not authorised


def test_the_subscriber_stores_a_signed_batch_once_and_a_redelivery_changes_nothing(
    broker: Broker,
) -> None:
    device = broker.world.devices[0]
    good = envelope(device, 1, broker.world.keys[device])
    forged = envelope(device, 2, new_device_key()[0])
    subscriber = SubscriberProcess.start(broker, "sub-once")

    publish(broker, device, [good, good, forged])
    wait_until(lambda: _refusals(broker) == 1, 20, "the forged batch's refusal")
    summary = subscriber.stop()

    assert stored_pairs(broker) == [(device, 1)]
    assert summary["accepted"] == 1
    assert summary["accepted_readings"] == 4
    assert summary["duplicates"] == 1
    assert summary["refused_by_code"] == {"D2_BAD_SIGNATURE": 1}


def test_kill_9_of_the_subscriber_and_a_broker_restart_lose_nothing_and_store_nothing_twice(
    broker: Broker,
) -> None:
    world = broker.world
    sent: set[tuple[str, int]] = set()

    def send(seqs: range, replays: bool = False, pause: float = 0.0) -> None:
        for device in world.devices:
            time.sleep(pause)
            payloads = [envelope(device, s, world.keys[device]) for s in seqs]
            sent.update((device, s) for s in seqs)
            if replays:  # the same bytes again, and a forgery under a stored seq
                payloads += payloads[:5]
                payloads.append(envelope(device, seqs[0], new_device_key()[0]))
            publish(broker, device, payloads)

    subscriber = SubscriberProcess.start(broker, "sub-crash", "--max-batch", "20")
    publishing = threading.Thread(target=send, args=(range(1, 61), False, 0.3))
    publishing.start()
    wait_until(lambda: stored(broker) > 0, 20, "the first stored batches")
    subscriber.kill()  # mid-stream: some stored, some received, none of the rest acked
    crashed_at = stored(broker)
    publishing.join(30)  # the rest queue at the broker for the subscriber's session
    broker.restart()  # a clean restart: sessions and queued messages persist
    subscriber = SubscriberProcess.start(broker, "sub-crash")
    send(range(61, 81), replays=True)
    wait_until(lambda: stored(broker) == len(sent), 30, "every batch sent")
    wait_until(lambda: _refusals(broker) == len(world.devices), 20, "the forgeries' refusals")
    summary = subscriber.stop()

    assert 0 < crashed_at < 60 * len(world.devices)  # the crash came mid-stream
    assert summary["duplicates"] >= 5 * len(world.devices)  # the replays, at least
    assert summary["refused_by_code"] == {"D2_BAD_SIGNATURE": len(world.devices)}
    pairs = stored_pairs(broker)
    assert len(pairs) == len(set(pairs)) == len(sent)
    assert set(pairs) == sent


def test_two_subscribers_in_one_group_share_the_messages_and_store_each_once(
    broker: Broker,
) -> None:
    world = broker.world
    first = SubscriberProcess.start(broker, "sub-1", wait=False)
    second = SubscriberProcess.start(broker, "sub-2", wait=False)
    first.wait_for("subscribed")  # both start at once: half the wait
    second.wait_for("subscribed")
    for device in world.devices:
        publish(broker, device, [envelope(device, s, world.keys[device]) for s in range(1, 41)])
    total = 40 * len(world.devices)
    wait_until(lambda: stored(broker) == total, 30, "every batch")
    one, two = first.stop(), second.stop()

    assert one["accepted"] > 0
    assert two["accepted"] > 0
    assert one["accepted"] + two["accepted"] == total
    assert one["duplicates"] + two["duplicates"] == 0
    assert len(set(stored_pairs(broker))) == total


def test_messages_the_subscriber_cannot_store_stay_unacknowledged_and_come_again(
    broker: Broker,
) -> None:
    device = broker.world.devices[0]
    login = mqtt_broker(broker.world.app).subscriber_login()
    said: list[str] = []

    def database_away(
        payloads: Sequence[bytes], topic_devices: Sequence[str | None]
    ) -> Sequence[tuple[str, str | None, int]]:
        raise ConcurrencyConflict("G9_BUSY", "The database is busy.")

    options = SubscriberOptions.parse(broker.url, "jcm-intake", "sub-retry", 500, 10)
    failing = Subscriber(
        options, (login.username, login.password), database_away, said.append, retry_s=(0.05,)
    )
    thread = threading.Thread(target=failing.run)
    thread.start()
    wait_until(lambda: "subscribed" in said, 10, "the subscription")
    publish(broker, device, [envelope(device, 1, broker.world.keys[device])])
    thread.join(20)

    assert failing.fatal is not None
    assert failing.fatal.code == "D8_STORE_FAILED"
    assert stored(broker) == 0
    # The same session with intake back: the unacknowledged message comes again.
    subscriber = SubscriberProcess.start(broker, "sub-retry")
    wait_until(lambda: stored(broker) == 1, 20, "the redelivered batch")
    assert subscriber.stop()["accepted"] == 1
