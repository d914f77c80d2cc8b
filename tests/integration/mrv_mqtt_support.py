"""A real Mosquitto broker, device publishers and subscriber processes for MQTT tests.

    broker = start_broker(world, tmp_path)   # credentials for every device, ACL, a free port
    publish(broker, device, [envelope, ...]) # QoS 1 as that device, waits for PUBACKs
    sub = SubscriberProcess.start(broker, "sub-1")  # `jcm mrv subscribe` in its own process
    sub.stop()                               # SIGTERM: its --json summary

Every process a test starts is ended by its pid (never by name).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from mrv_support import MrvWorld
from paho.mqtt.client import Client, MQTTv5
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from jcm.adapters import schema
from jcm.adapters.mrv.signatures import sign_batch
from jcm.bootstrap import mqtt_broker
from jcm.domain.mrv.batches import format_timestamp
from jcm.domain.mrv.broker import BrokerSettings, device_topic

MOSQUITTO = "/usr/sbin/mosquitto"
_LAUNCH = "from jcm.entrypoints.cli import main; main()"
START = 1_780_000_000  # 2026-05-28, a quarter-hour boundary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class Broker:
    world: MrvWorld
    directory: Path
    data_dir: Path
    port: int
    passwords: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    # Every subscriber process started against this broker: ended (by pid) at teardown.
    subscribers: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.directory / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: accepting(self.port), 10, "mosquitto to accept connections")

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): the broker saves sessions and queued messages."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Teardown: end any subscriber a failed test left running, then the broker."""
        for process in self.subscribers:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
        self.stop()


def start_broker(world: MrvWorld, tmp_path: Path) -> Broker:
    """Credentials for every device of ``world``, the broker's files, a running broker."""
    service = mqtt_broker(world.app)
    passwords = {d: service.issue_credentials(d).password for d in world.devices}
    directory = tmp_path / "broker"
    port = free_port()
    service.write_config(directory, BrokerSettings(port=port, autosave_interval=1))
    broker = Broker(world, directory, world.app.settings.data_dir, port, passwords)
    broker.start()
    return broker


def envelope(device: str, seq: int, key: Ed25519PrivateKey, readings: int = 4) -> bytes:
    """A signed batch of ``readings`` 15-minute readings, distinct per (device, seq)."""
    start = START + (seq - 1) * readings * 900
    rows = [[format_timestamp(start + i * 900, 180), 1000 + seq + i] for i in range(readings)]
    batch: dict[str, object] = {"device": device, "seq": seq, "readings": rows}
    return json.dumps(sign_batch(batch, key)).encode()


def connect(broker: Broker, user: str, password: str, client_id: str = "") -> tuple[Client, int]:
    """A connected paho client (its network loop running) and the CONNACK reason code."""
    client = Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTv5)
    client.username_pw_set(user, password)
    codes: list[int] = []
    client.on_connect = lambda c, u, f, rc, p: codes.append(rc.value)
    client.max_inflight_messages_set(500)
    client.connect("127.0.0.1", broker.port, keepalive=30)
    client.loop_start()
    wait_until(lambda: bool(codes), 10, "a CONNACK")
    return client, codes[0]


def publish(broker: Broker, device: str, payloads: Sequence[bytes], topic: str = "") -> None:
    """Publish as ``device`` (its credentials) at QoS 1 and wait for every PUBACK."""
    client, code = connect(broker, device, broker.passwords[device])
    assert code == 0, f"{device} could not connect: {code}"
    try:
        infos = [client.publish(topic or device_topic(device), p, qos=1) for p in payloads]
        for info in infos:
            info.wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


def stored(broker: Broker) -> int:
    with broker.world.app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.mrv_batches)).scalar_one())


def stored_pairs(broker: Broker) -> list[tuple[str, int]]:
    b = schema.mrv_batches.c
    with broker.world.app.engine.connect() as conn:
        return [(r.device_id, r.seq) for r in conn.execute(select(b.device_id, b.seq))]


@dataclass
class SubscriberProcess:
    process: subprocess.Popen[str]
    client_id: str
    lines: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls, broker: Broker, client_id: str, *extra: str, wait: bool = True
    ) -> SubscriberProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JCM_")}
        env["JCM_DATABASE_URL"] = broker.world.app.settings.database_url
        command = [sys.executable, "-c", _LAUNCH, "--data-dir", str(broker.data_dir), "mrv"]
        command += ["subscribe", "--broker", broker.url, "--client-id", client_id, "--json"]
        process = subprocess.Popen(
            [*command, *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        broker.subscribers.append(process)
        started = cls(process, client_id)
        if wait:
            started.wait_for("subscribed")
        return started

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Read its standard error until a line holds ``text`` (a loaded machine may take
        tens of seconds to start a Python process); on failure the process is killed, so
        no orphan outlives the test."""
        assert self.process.stderr is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            self.lines.append(line)
            if text in line:
                return
        self.process.kill()
        self.process.communicate(timeout=10)
        raise AssertionError(f"no {text!r} from the subscriber: {''.join(self.lines)}")

    def stop(self) -> dict[str, Any]:
        """SIGTERM; its --json summary."""
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=20)
        assert self.process.returncode == 0, err
        summary: dict[str, Any] = json.loads(out)
        return summary

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no flush, no acknowledgement, no goodbye
        self.process.communicate(timeout=10)
