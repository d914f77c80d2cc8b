"""Device MQTT credentials: issued to a project's participants only, logged without the
secret, taken up by a running broker on reload (the old password stops working)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_api_support import PP
from mrv_mqtt_support import Broker, SubscriberProcess, connect, start_broker, wait_until
from mrv_support import mrv_world
from sqlalchemy import select

from jcm.adapters import schema
from jcm.adapters.signing import NoteVerifier
from jcm.bootstrap import App, mqtt_broker
from jcm.domain.errors import NotFound
from jcm.domain.identity.principal import operator_for
from jcm.domain.mrv.broker import CREDENTIALS_ISSUED, BrokerSettings

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def broker(app: App, tmp_path: Path) -> Iterator[Broker]:
    running = start_broker(mrv_world(app, devices=1), tmp_path)
    try:
        yield running
    finally:
        running.close()


def _connects(broker: Broker, user: str, password: str) -> int:
    client, code = connect(broker, user, password)
    client.disconnect()
    client.loop_stop()
    return code


def test_new_credentials_replace_the_old_at_the_broker_reload_and_are_logged_without_secret(
    broker: Broker,
) -> None:
    app, device = broker.world.app, broker.world.devices[0]
    old = broker.passwords[device]
    issued = mqtt_broker(app, operator_for(PP)).issue_credentials(device)
    settings = BrokerSettings(port=broker.port, autosave_interval=1)
    config = mqtt_broker(app).write_config(broker.directory, settings)

    assert broker.process is not None
    assert config.reloaded_pid == broker.process.pid
    # SIGHUP is handled asynchronously: wait until the new password is taken.
    wait_until(lambda: _connects(broker, device, issued.password) == 0, 10, "the reload")
    assert _connects(broker, device, old) in (134, 135)  # bad password / not authorised
    with app.engine.connect() as conn:
        query = select(schema.events.c.entry).where(schema.events.c.kind == CREDENTIALS_ISSUED)
        entries = [json.loads(row.entry) for row in conn.execute(query)]
        stored_hash = conn.execute(select(schema.mrv_device_credentials)).one()
    assert [e["change"]["device"] for e in entries] == [device, device]
    assert stored_hash.mqtt_password_hash.startswith("$7$")
    logged = json.dumps(entries)
    assert issued.password not in logged
    assert stored_hash.mqtt_password_hash not in logged
    verifiers = {
        k.key_id: NoteVerifier.from_verifier_key(k.verifier) for k in app.log.signing_keys()
    }
    assert app.log.verify(verifiers).problem is None


# The refusal and the broker are under test (no database work worth a second backend).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_organisation_outside_the_project_gets_no_credentials(broker: Broker) -> None:
    device = broker.world.devices[0]
    with pytest.raises(NotFound) as refused:
        mqtt_broker(broker.world.app, operator_for("other-pp")).issue_credentials(device)

    assert refused.value.code == "D1_UNKNOWN_DEVICE"
    assert _connects(broker, device, broker.passwords[device]) == 0  # nothing changed


# The broker alone is under test (no database work worth a second backend).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_subscriber_the_broker_refuses_stops_with_a_coded_refusal(broker: Broker) -> None:
    secret = broker.data_dir / "mrv" / "mqtt-subscriber.secret"
    secret.write_text("not-the-password-the-broker-knows\n")
    subscriber = SubscriberProcess.start(broker, "sub-refused", wait=False)
    out, _ = subscriber.process.communicate(timeout=30)

    assert subscriber.process.returncode == 1
    assert json.loads(out)["error"]["code"] == "D8_BROKER_REFUSED"
