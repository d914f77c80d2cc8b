"""scripts/start-mosquitto: one broker per data directory, safe to run twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from mrv_mqtt_support import free_port, wait_until
from paho.mqtt.client import Client, MQTTv5
from paho.mqtt.enums import CallbackAPIVersion

from jcm.domain.mrv.broker import SUBSCRIBER_USER

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(120)


def _start(data_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JCM_")}
    env["JCM"] = str(Path(sys.executable).with_name("jcm"))
    return subprocess.run(
        [str(ROOT / "scripts" / "start-mosquitto"), str(data_dir), str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def _login_code(port: int, password: str) -> int:
    codes: list[int] = []
    client = Client(CallbackAPIVersion.VERSION2, protocol=MQTTv5)
    client.username_pw_set(SUBSCRIBER_USER, password)
    client.on_connect = lambda c, u, f, rc, p: codes.append(rc.value)
    client.connect("127.0.0.1", port)
    client.loop_start()
    wait_until(lambda: bool(codes), 10, "a CONNACK")
    client.disconnect()
    client.loop_stop()
    return codes[0]


def test_start_mosquitto_starts_one_broker_and_a_second_run_reuses_it(tmp_path: Path) -> None:
    port = free_port()
    broker_dir = tmp_path / "mrv" / "broker"
    first = _start(tmp_path, port)
    pid = int((broker_dir / "mosquitto.pid").read_text()) if first.returncode == 0 else None
    try:
        second = _start(tmp_path, port)
        secret = (tmp_path / "mrv" / "mqtt-subscriber.secret").read_text().strip()

        assert first.returncode == 0, first.stderr
        assert first.stdout.strip() == f"mqtt://127.0.0.1:{port}"
        assert second.returncode == 0, second.stderr
        assert int((broker_dir / "mosquitto.pid").read_text()) == pid  # the same broker
        assert f"(pid {pid}) re-read its files" in second.stderr
        assert _login_code(port, secret) == 0
        assert _login_code(port, "guess") in (134, 135)
        assert (tmp_path / "mrv" / "mqtt-subscriber.secret").stat().st_mode & 0o077 == 0
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)  # the broker this test started (a daemon: by pid)
