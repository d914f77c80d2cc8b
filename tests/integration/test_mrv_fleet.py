"""The PV fleet simulator against the real platform: its devices registered over the API, its
batches through the real intake (directly, over MQTT with the real broker and subscriber,
and over HTTP), and its command line."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cycle_api_support import API, PP
from mrv_mqtt_support import Broker, SubscriberProcess, start_broker, stored, wait_until
from mrv_support import MrvWorld, mrv_world
from typer.testing import CliRunner

from jcm.adapters.mrv.signatures import Ed25519Batches, batch_digest, canonical_batch
from jcm.bootstrap import App, mqtt_broker
from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.broker import BrokerSettings
from jcm.entrypoints.cli import cli
from jcm.fleet.definition import Fleet, create_fleet, registration_bodies
from jcm.fleet.demo import DemoFleet, run_demo_fleet
from jcm.fleet.faults import parse_faults
from jcm.fleet.generate import Simulation, simulate
from jcm.fleet.sinks import read_file_envelopes, send_http, send_mqtt, write_files

pytestmark = pytest.mark.timeout(120)

# The tests on a real platform (app) run on SQLite only: the simulator, its sinks, the broker
# and the subscriber are under test, not the database. The database half of intake runs on
# both backends in test_mrv_intake.py and test_mrv_intake_crash.py, QA/QC's in
# test_mrv_qa_service.py.

FAULTS = "forged:KE001-PV-003,replay:KE001-PV-001,stuck:KE001-PV-002,gap:KE001-PV-004"
# 4 meters × 2 day batches; one forged; the replay's two late copies.
EXPECTED = {"accepted": 7, "refused:D2_BAD_SIGNATURE": 1, "duplicate": 1, "refused:D3_REPLAYED": 1}


def make_fleet() -> Fleet:
    return create_fleet(
        "KE001",
        4,
        Decimal("-1.29"),
        Decimal("36.82"),
        "Africa/Nairobi",
        Decimal("200"),
        register="mixed",
    )


def make_simulation(fleet: Fleet) -> Simulation:
    return simulate(fleet, date(2026, 6, 1), 2, seed=3, faults=parse_faults(FAULTS))


def registered(app: App, fleet: Fleet) -> MrvWorld:
    """KE001 with the fleet's meters registered over the API by the participant."""
    world = mrv_world(app, devices=0)
    for body in registration_bodies(fleet):
        response = world.cycle.client.post(
            f"{API}/mrv/devices", json=body, headers=world.cycle.as_(PP)
        )
        assert response.status_code == 201, response.text
        world.devices.append(body["id"])
        world.keys[body["id"]] = fleet.device(body["id"]).key()
    return world


def tally(results: list[Any]) -> Counter[str]:
    return Counter(f"{r.outcome.value}:{r.code}" if r.code else r.outcome.value for r in results)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_registered_fleet_batches_meet_the_real_intake_as_each_fault_says(app: App) -> None:
    fleet = make_fleet()
    registered(app, fleet)
    simulation = make_simulation(fleet)
    on_time = [e.body for e in simulation.envelopes if not e.late]
    late = [e.body for e in simulation.envelopes if e.late]

    first = app.mrv.intake.accept_envelopes(on_time, "file")
    then = app.mrv.intake.accept_envelopes(late, "file")

    assert tally(first) + tally(then) == Counter(EXPECTED)
    (forged,) = [r for r in first if r.code == "D2_BAD_SIGNATURE"]
    assert forged.device == "KE001-PV-003"
    assert [r.outcome.value for r in then] == ["duplicate", "refused"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_mqtt_sink_feeds_the_real_broker_and_subscriber_exactly_once(
    app: App, tmp_path: Path
) -> None:
    fleet = make_fleet()
    world = registered(app, fleet)
    simulation = make_simulation(fleet)
    broker = start_broker(world, tmp_path)
    subscriber = SubscriberProcess.start(broker, "sub-fleet")
    try:
        report = send_mqtt(simulation, broker.url, broker.passwords, processes=2)
        wait_until(lambda: stored(broker) == EXPECTED["accepted"], 30, "the batches stored")
        wrong = dict(broker.passwords, **{"KE001-PV-001": "not-the-password"})
        with pytest.raises(InvalidInput) as refused:
            send_mqtt(simulation, broker.url, wrong, processes=1)
    finally:
        summary = subscriber.stop()
        broker.stop()

    assert report.acknowledged == len(simulation.envelopes) == 10
    assert summary["accepted"] == EXPECTED["accepted"]
    assert stored(broker) == EXPECTED["accepted"]
    counts = app.mrv.intake.counts()
    assert counts.duplicates == 1
    assert counts.refusals == {"D2_BAD_SIGNATURE": 1, "D3_REPLAYED": 1}
    assert refused.value.code == "D11_SINK_FAILED"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_http_sink_feeds_the_real_api_as_the_participant(app: App) -> None:
    fleet = make_fleet()
    world = registered(app, fleet)
    simulation = make_simulation(fleet)
    token = world.cycle.headers[PP]["Authorization"].removeprefix("Bearer ")

    report = send_http(simulation, "http://testserver", token, client=world.cycle.client)
    # 300 day batches (≈ 1.1 MB of JSON) take two requests under the API's 1 MiB body limit.
    bulk = simulate(fleet, date(2025, 6, 1), 75, seed=4)
    large = send_http(bulk, "http://testserver", token, client=world.cycle.client)

    assert report.outcomes == EXPECTED
    assert large.outcomes == {"accepted": 300}
    assert app.mrv.intake.counts().batches == EXPECTED["accepted"] + 300


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_files_from_the_file_sink_are_taken_by_the_real_intake(
    app: App, tmp_path: Path
) -> None:
    fleet = make_fleet()
    registered(app, fleet)
    simulation = make_simulation(fleet)
    write_files(simulation, tmp_path / "week.parquet")
    write_files(simulation, tmp_path / "week.csv")

    parquet = app.mrv.intake.import_file((tmp_path / "week.parquet").read_bytes())
    late = [
        app.mrv.intake.import_file((tmp_path / f"week.late{k}.parquet").read_bytes())
        for k in (1, 2)
    ]
    csv = app.mrv.intake.import_file((tmp_path / "week.csv").read_bytes())

    assert tally(parquet) + tally(late[0]) + tally(late[1]) == Counter(EXPECTED)
    assert tally(csv) == Counter({"duplicate": 7, "refused:D2_BAD_SIGNATURE": 1})


# -- the demo's fleet -------------------------------------------------------------------------


def issuer(app: App, broker: Broker) -> Callable[[Sequence[str]], Mapping[str, str]]:
    """What the demo does for the meters it registers: passwords, and a broker reload (the
    demo function waits until the broker takes them)."""

    def issue(devices: Sequence[str]) -> Mapping[str, str]:
        service = mqtt_broker(app)
        passwords = {d: service.issue_credentials(d).password for d in devices}
        settings = BrokerSettings(port=broker.port, autosave_interval=1)
        service.write_config(broker.directory, settings)
        broker.passwords.update(passwords)
        return passwords

    return issue


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_fleet_registers_its_meters_and_publishes_a_week_with_its_faults(
    app: App, tmp_path: Path
) -> None:
    world = mrv_world(app, devices=0)
    broker = start_broker(world, tmp_path)
    subscriber = SubscriberProcess.start(broker, "sub-demo")
    settings = DemoFleet(
        api_url="http://testserver",
        token=world.cycle.headers[PP]["Authorization"].removeprefix("Bearer "),
        mqtt_url=broker.url,
        issue_passwords=issuer(app, broker),
        workdir=tmp_path / "fleet",
        first_day=date(2026, 3, 1),  # before the tests' clock (2026-04-01): not in the future
        client=world.cycle.client,
    )
    try:
        result = run_demo_fleet(settings)
        wait_until(lambda: stored(broker) == 28, 30, "a week of 4 meters stored")
        again = run_demo_fleet(settings)  # the same fleet file, the same batches: duplicates
        wait_until(lambda: _duplicates(app) == 28, 30, "the second run acknowledged")
    finally:
        subscriber.stop()
        broker.stop()
    first, last = (date.fromisoformat(d) for d in result["qa_period"])
    qa = app.mrv.qa.run("KE001", first, last)
    excluded = {(r.device, e.rule.value, e.intervals) for r in qa.reports for e in r.exclusions}

    assert set(result["registered"].values()) == {"registered"}
    assert set(again["registered"].values()) == {"already"}
    mqtt, http = result["sent"]
    assert (mqtt["batches"], http["batches"]) == (14, 14)
    assert http["outcomes"] == {"accepted": 14}
    assert again["sent"][1]["outcomes"] == {"duplicate": 14}
    faults = {(f["kind"], f["device"]) for f in result["summary"]["faults"]}
    assert faults == {("stuck", "KE001-PV-002"), ("gap", "KE001-PV-003")}
    assert result["summary"]["readings"] == 4 * 7 * 96 - 8
    assert result["qa_period"] == ["2026-03-01", "2026-03-06"]
    assert excluded == {("KE001-PV-002", "Q09_STUCK", 8), ("KE001-PV-003", "Q01_GAP", 8)}
    assert os.stat(tmp_path / "fleet" / "fleet.json").st_mode & 0o777 == 0o600


def _duplicates(app: App) -> int:
    return app.mrv.intake.counts().duplicates


# -- HTTP over a real socket: a small local intake that checks signatures and replays ----------


@dataclass
class LocalIntake:
    """What the small server knows and saw: device keys, the token, stored digests."""

    fleet: Fleet
    url: str = ""
    token: str = "participant-token"
    seen: dict[tuple[str, int], str] = field(default_factory=dict)
    requests: list[int] = field(default_factory=list)

    def answer(self, envelope: dict[str, Any]) -> dict[str, Any]:
        batch = envelope["batch"]
        signed = canonical_batch(batch)
        key = self.fleet.device(batch["device"]).public_key
        if not Ed25519Batches().verify(signed, envelope["signature"], key):
            return {"outcome": "refused", "code": "D2_BAD_SIGNATURE"}
        pair, digest = (batch["device"], batch["seq"]), batch_digest(signed)
        if pair not in self.seen:
            self.seen[pair] = digest
            return {"outcome": "accepted"}
        if self.seen[pair] == digest:
            return {"outcome": "duplicate"}
        return {"outcome": "refused", "code": "D3_REPLAYED"}


def _handler(intake: LocalIntake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bearer = self.headers["Authorization"] == f"Bearer {intake.token}"
            if self.path != f"{API}/mrv/batches" or not bearer:
                self._send(401, {"title": "Unauthenticated"})
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            intake.requests.append(len(body["batches"]))
            self._send(200, {"results": [intake.answer(e) for e in body["batches"]]})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def local_intake() -> Iterator[LocalIntake]:
    intake = LocalIntake(make_fleet())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(intake))
    intake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield intake
    finally:
        server.shutdown()
        server.server_close()


def test_the_http_sink_posts_batches_in_bounded_requests_and_tallies_the_answers(
    local_intake: LocalIntake,
) -> None:
    simulation = make_simulation(local_intake.fleet)

    report = send_http(simulation, local_intake.url, local_intake.token, per_request=3)
    with pytest.raises(InvalidInput) as refused:
        send_http(simulation, local_intake.url, "wrong-token")

    assert report.outcomes == EXPECTED
    assert local_intake.requests == [3, 3, 2, 2]  # 8 on time in threes, then the 2 late ones
    local_intake.seen.clear()
    local_intake.requests.clear()
    by_size = send_http(simulation, local_intake.url, local_intake.token, max_bytes=9_000)
    assert by_size.outcomes == EXPECTED
    assert max(local_intake.requests[:-1]) == 2  # a day batch is about 3.6 KB
    assert refused.value.code == "D11_SINK_FAILED"
    assert "401" in refused.value.message


# -- the command line ------------------------------------------------------------------------------


def test_the_cli_creates_a_fleet_prints_registrations_and_simulates_into_a_file(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    fleet_file, out = tmp_path / "fleet.json", tmp_path / "readings.parquet"

    created = runner.invoke(
        cli,
        [
            "mrv",
            "fleet",
            "create",
            "--project",
            "KE001",
            "--devices",
            "3",
            "--lat",
            "-1.29",
            "--lon",
            "36.82",
            "--tz",
            "Africa/Nairobi",
            "--nameplate-kw",
            "200",
            "--register",
            "mixed",
            "--register-max-wh",
            "5000000",
            "--out",
            str(fleet_file),
            "--json",
        ],
    )
    bodies = runner.invoke(cli, ["mrv", "fleet", "registrations", str(fleet_file), "--json"])
    sent = runner.invoke(
        cli,
        [
            "mrv",
            "simulate",
            str(fleet_file),
            "--from",
            "2026-06-01",
            "--days",
            "2",
            "--to",
            f"file:{out}",
            "--faults",
            "gap:KE001-PV-002/5",
            "--json",
        ],
    )
    again = runner.invoke(
        cli, ["mrv", "fleet", "create", "--project", "KE001", "--out", str(fleet_file), "--json"]
    )
    no_token = runner.invoke(
        cli,
        [
            "mrv",
            "simulate",
            str(fleet_file),
            "--from",
            "2026-06-01",
            "--to",
            "http://127.0.0.1:9",
            "--json",
        ],
        env={"JCM_FLEET_TOKEN": "", "JCM_FLEET_TOKEN_FILE": ""},
    )

    assert created.exit_code == 0, created.output
    registrations = json.loads(bodies.stdout)
    assert [b["id"] for b in registrations] == [f"KE001-PV-00{n}" for n in (1, 2, 3)]
    assert [b["register_max_wh"] for b in registrations] == [None, 5_000_000, None]
    result = json.loads(sent.stdout)
    assert result["readings"] == 3 * 2 * 96 - 5
    assert result["faults"][0]["expect"] == ["Q01_GAP"]
    assert len(read_file_envelopes(out)) == 6
    assert json.loads(again.stdout)["error"]["code"] == "D11_BAD_FLEET"
    assert json.loads(no_token.stdout)["error"]["code"] == "D11_BAD_CREDENTIALS"


@pytest.mark.parametrize(
    "command",
    [
        ["mrv", "simulate"],
        ["mrv", "fleet"],
        ["mrv", "fleet", "create"],
        ["mrv", "fleet", "registrations"],
    ],
)
def test_every_simulator_command_shows_its_help(command: list[str]) -> None:
    shown = CliRunner().invoke(cli, [*command, "--help"])

    assert shown.exit_code == 0, shown.output
    assert shown.exception is None
