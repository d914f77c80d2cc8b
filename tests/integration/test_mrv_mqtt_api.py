"""POST /mrv/devices/{device}/mqtt-credentials: a participant's device gets a password."""

from __future__ import annotations

import json

from cycle_api_support import API, PP
from mrv_support import mrv_world
from sqlalchemy import select

from jcm.adapters import schema
from jcm.bootstrap import App
from jcm.domain.mrv.broker import CREDENTIALS_ISSUED, device_topic


def test_a_participant_gets_a_device_password_over_the_api_and_no_one_else_does(
    app: App,
) -> None:
    world = mrv_world(app, devices=1)
    device, client = world.devices[0], world.cycle.client
    url = f"{API}/mrv/devices/{device}/mqtt-credentials"

    issued = client.post(url, headers=world.cycle.as_(PP))
    outsider = client.post(url, headers=world.cycle.as_("other-pp"))
    anonymous = client.post(url)

    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert (body["device"], body["username"]) == (device, device)
    assert body["topic"] == device_topic(device)
    assert len(body["password"]) >= 32
    assert issued.headers["cache-control"] == "no-store"
    assert (outsider.status_code, outsider.json()["code"]) == (404, "D1_UNKNOWN_DEVICE")
    assert anonymous.status_code == 401
    with app.engine.connect() as conn:
        query = select(schema.events.c.entry).where(schema.events.c.kind == CREDENTIALS_ISSUED)
        entries = [json.loads(row.entry) for row in conn.execute(query)]
    assert [e["actor"]["organisation"] for e in entries] == [PP]  # attributed, no secret
    assert body["password"] not in json.dumps(entries)
