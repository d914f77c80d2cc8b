"""The demo's digital MRV: a small PV fleet on KE001, its QA report and its verification.

With the site already serving and a Mosquitto broker running (``scripts/demo`` starts one
with ``scripts/start-mosquitto``), :func:`run_mrv_demo`

1. starts ``jcm mrv subscribe`` as a separate process (the registry's MQTT intake);
2. gives a KE001 participant an API token (``mrv:submit``, ``cycle:submit``) and runs the
   simulator's demo fleet (:mod:`jcm.fleet.demo`): four meters registered through the API,
   their MQTT passwords issued and the broker reloaded, a week of readings with a stuck
   meter and a gap, meters 1–2 over MQTT and 3–4 over HTTP;
3. waits until every batch sent is stored, runs QA/QC over the whole UTC days covered and
   submits the period's automatic verification, which enters the cycle as KE001's next
   monitoring report, for the TPE to verify.

A second run reuses the fleet file and sends the same batches again: every one is then a
duplicate, and the verification of an already-reported period is refused with its code.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jcm.bootstrap import App, mqtt_broker
from jcm.domain.cycle.commands import ActingAs
from jcm.domain.errors import InvalidInput, JcmError
from jcm.domain.identity.principal import OPERATOR, Scope
from jcm.domain.mrv.broker import BrokerSettings, parse_broker_url
from jcm.service_layer.mrv.qa import run_json
from jcm.service_layer.results import to_json

PROJECT = "KE001"
PARTICIPANT = "demo-jp-solar"  # KE001's Japanese participant and focal point
STORE_TIMEOUT_S = 120.0
SUBSCRIBE_TIMEOUT_S = 60.0


@dataclass
class MrvDemo:
    """What the MRV part of the demo did, in its JSON form."""

    fleet: dict[str, Any]
    intake: dict[str, Any]
    qa: dict[str, Any]
    verification: dict[str, Any] = field(default_factory=dict)


def run_mrv_demo(
    app: App,
    site_url: str,
    mqtt_url: str,
    say: Callable[[str], None],
    *,
    first_day: date | None = None,
    broker_dir: Path | None = None,
) -> MrvDemo:
    """``first_day``: the week's first day (default: the week that ended yesterday);
    ``broker_dir``: the running broker's files (default ``<data_dir>/mrv/broker``, where
    ``scripts/start-mosquitto`` puts them)."""
    from jcm.fleet.demo import DemoFleet, run_demo_fleet

    data_dir = app.settings.data_dir
    subscriber = start_subscriber(data_dir, mqtt_url)
    try:
        token = app.identity.create_token(
            OPERATOR,
            PARTICIPANT,
            "demo-fleet",
            frozenset({Scope.MRV_SUBMIT, Scope.CYCLE_SUBMIT}),
            30,
        ).token
        say(f"MRV: a fleet of 4 meters for {PROJECT}, over MQTT ({mqtt_url}) and HTTP")
        fleet = run_demo_fleet(
            DemoFleet(
                api_url=site_url.rstrip("/"),
                token=token,
                mqtt_url=mqtt_url,
                issue_passwords=_issuer(app, mqtt_url, broker_dir or data_dir / "mrv" / "broker"),
                workdir=data_dir / "mrv" / "fleet",
                first_day=first_day,
            )
        )
        sent = sum(int(report["batches"]) for report in fleet["sent"])
        intake = _wait_until_stored(app, sent)
    finally:
        _stop(subscriber)
    first, last = (date.fromisoformat(d) for d in fleet["qa_period"])
    qa = run_json(app.mrv.qa.run(PROJECT, first, last))
    demo = MrvDemo(fleet, intake, qa)
    try:
        acting = app.acting(_participant()).mrv.verification
        result = acting.verify_period(PROJECT, first, last, ActingAs(PARTICIPANT))
        record = to_json(result)
        demo.verification = dict(record) if isinstance(record, dict) else {}
    except JcmError as refusal:  # e.g. a second run: the period is already reported
        demo.verification = {"refused": refusal.code, "message": str(refusal)}
    return demo


def start_subscriber(data_dir: Path, mqtt_url: str) -> subprocess.Popen[bytes]:
    """``jcm mrv subscribe`` in its own process, its output in ``<data_dir>/mrv``."""
    log = data_dir / "mrv" / "subscriber.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-c",
        "from jcm.entrypoints.cli import main; main()",
        "--data-dir",
        str(data_dir),
        "mrv",
        "subscribe",
        "--broker",
        mqtt_url,
        "--client-id",
        "jcm-demo-subscriber",
    ]
    start = log.stat().st_size if log.exists() else 0
    with log.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink, stdin=subprocess.DEVNULL)
    _wait_until_subscribed(process, log, start)
    return process


def _wait_until_subscribed(process: subprocess.Popen[bytes], log: Path, start: int) -> None:
    """A shared subscription holds only what is published after it exists: publish once the
    subscriber says it subscribed (its log), or say why it did not."""
    deadline = time.monotonic() + SUBSCRIBE_TIMEOUT_S
    while time.monotonic() < deadline:
        with log.open("rb") as text:
            text.seek(start)
            said = text.read().decode("utf-8", "replace")
        if any(line.endswith("subscribed") for line in said.splitlines()):
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    _stop(process)
    raise InvalidInput(
        "D8_BROKER_REFUSED",
        f"The MQTT subscriber did not subscribe within {SUBSCRIBE_TIMEOUT_S:.0f} s; see {log}.",
        log=str(log),
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the subscriber we started (SIGTERM: it acknowledges what it stored, then exits)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _participant() -> Any:
    from jcm.domain.identity.principal import operator_for

    return operator_for(PARTICIPANT)


def _issuer(
    app: App, mqtt_url: str, broker_dir: Path
) -> Callable[[Sequence[str]], Mapping[str, str]]:
    """Issue the meters' MQTT passwords and have the running broker re-read its files."""
    broker = mqtt_broker(app, _participant())
    port = parse_broker_url(mqtt_url).port

    def issue(devices: Sequence[str]) -> Mapping[str, str]:
        passwords = {d: broker.issue_credentials(d).password for d in devices}
        broker.write_config(broker_dir, BrokerSettings(port=port))
        return passwords

    return issue


def _wait_until_stored(app: App, sent: int) -> dict[str, Any]:
    """Intake's counts once every batch sent is stored (accepted or a duplicate)."""
    deadline = time.monotonic() + STORE_TIMEOUT_S
    while True:
        counts = app.mrv.intake.counts(PROJECT)
        if counts.batches + counts.duplicates >= sent or time.monotonic() > deadline:
            return {
                "batches": counts.batches,
                "readings": counts.readings,
                "duplicates": counts.duplicates,
                "refusals": dict(counts.refusals),
            }
        time.sleep(0.2)
