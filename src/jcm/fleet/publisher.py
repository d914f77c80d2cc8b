"""The MQTT sink: each meter publishes its own batches (MQTT 5, QoS 1, its credentials).

Devices are spread over up to ``processes`` publisher processes (one per 5,000 batches at
most: starting one costs about a second), each connecting 32 meters at a time so that their
handshakes overlap; every PUBACK is awaited. The late envelopes (replays) go only after
every on-time one is acknowledged.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from jcm.domain.errors import InvalidInput
from jcm.fleet.generate import Envelope, Simulation
from jcm.fleet.report import SendReport, phases, unreachable

TOPIC = "jcm/meters/{device}/readings"
BATCHES_PER_PROCESS = 5_000  # below this, one more publisher process costs more than it gives


def mqtt_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "mqtt" or not parts.hostname or parts.username or parts.password:
        raise InvalidInput(
            "D11_BAD_TARGET",
            f"{url!r} is not mqtt://HOST[:PORT] (credentials never go in the URL).",
            rule="D11_BAD_TARGET",
        )
    try:
        port = parts.port or 1883
    except ValueError:
        raise InvalidInput("D11_BAD_TARGET", f"{url!r} has a bad port.") from None
    return parts.hostname, port


def send_mqtt(
    simulation: Simulation,
    url: str,
    passwords: Mapping[str, str] | None = None,
    *,
    processes: int = 2,
    timeout: float = 60.0,
) -> SendReport:
    """Publish every envelope with QoS 1 as its own device; wait for each PUBACK."""
    host, port = mqtt_address(url)
    passwords = passwords or {}
    began = time.perf_counter()
    outcomes: Counter[str] = Counter()
    acked = 0
    for phase in phases(simulation):
        jobs = _mqtt_jobs(phase, passwords, processes)
        for result in _run_jobs(host, port, jobs, timeout):
            if "error" in result:
                raise unreachable(f"mqtt://{host}:{port}", str(result["error"]))
            acked += int(result["acked"])
            outcomes.update(result["reasons"])
    return SendReport(
        f"mqtt://{host}:{port}",
        len(simulation.envelopes),
        simulation.readings,
        acked,
        time.perf_counter() - began,
        dict(outcomes),
    )


_Job = list[tuple[str, str | None, list[bytes]]]  # (device, password, payloads) per device


def _mqtt_jobs(
    envelopes: list[Envelope], passwords: Mapping[str, str], processes: int
) -> list[_Job]:
    per_device: dict[str, list[bytes]] = {}
    for envelope in envelopes:
        per_device.setdefault(envelope.device, []).append(envelope.payload())
    # Starting a publisher process costs about a second (imports): worth it only for a
    # few thousand batches each; one process publishes 100,000+ readings/s by itself.
    wanted = min(processes, len(per_device), 1 + len(envelopes) // BATCHES_PER_PROCESS)
    jobs: list[_Job] = [[] for _ in range(max(1, wanted))]
    for i, (device, payloads) in enumerate(sorted(per_device.items())):
        jobs[i % len(jobs)].append((device, passwords.get(device), payloads))
    return [job for job in jobs if job]


def _run_jobs(host: str, port: int, jobs: list[_Job], timeout: float) -> list[dict[str, Any]]:
    if len(jobs) <= 1:
        return [publish_devices(host, port, job, timeout) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    # spawn: a forked child would inherit the parent's threads' locks (paho, the API).
    with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(publish_devices, host, port, job, timeout) for job in jobs]
        return [future.result() for future in futures]


WAVE = 32  # devices connected at once by one publisher process


def publish_devices(host: str, port: int, job: _Job, timeout: float) -> dict[str, Any]:
    """One publisher process: devices in waves, each wave's meters connected at once (their
    handshakes overlap), each publishing its batches and waiting for every PUBACK."""
    reasons: Counter[str] = Counter()
    acked = 0
    for first in range(0, len(job), WAVE):
        wave = [
            Publisher(host, port, device, password)
            for device, password, _ in job[first : first + WAVE]
        ]
        try:
            for publisher in wave:
                publisher.ready(timeout)
            infos = [
                publisher.publish(payloads)
                for publisher, (_, _, payloads) in zip(wave, job[first : first + WAVE], strict=True)
            ]
            deadline = time.monotonic() + timeout
            for publisher, pending in zip(wave, infos, strict=True):
                acked += publisher.wait(pending, deadline)
                reasons.update(publisher.codes)
        except (OSError, RuntimeError, TimeoutError) as error:
            return {"error": str(error), "acked": acked, "reasons": dict(reasons)}
        finally:
            for publisher in wave:
                publisher.close()
    return {"acked": acked, "reasons": dict(reasons)}


class Publisher:
    """One meter's MQTT 5 connection (its own credentials), with its network thread."""

    def __init__(self, host: str, port: int, device: str, password: str | None) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.device = device
        self.connected = threading.Event()
        self.refused: list[str] = []
        self.codes: Counter[str] = Counter()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"{device}-sim", protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(device, password)
        self.client.max_inflight_messages_set(100)
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.started = False
        try:
            self.client.connect(host, port, keepalive=60)
        except OSError as error:
            raise OSError(f"{device}: {error}") from None
        self.client.loop_start()
        self.started = True

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            self.refused.append(str(reason))
        self.connected.set()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        self.codes["puback:" + str(reason).lower().replace(" ", "_")] += 1

    def ready(self, timeout: float) -> None:
        if not self.connected.wait(timeout) or self.refused:
            why = ", ".join(self.refused) or "no CONNACK"
            raise RuntimeError(f"{self.device}: the broker refused the connection ({why})")

    def publish(self, payloads: Sequence[bytes]) -> list[Any]:
        topic = TOPIC.format(device=self.device)
        return [self.client.publish(topic, payload, qos=1) for payload in payloads]

    def wait(self, infos: list[Any], deadline: float) -> int:
        for info in infos:
            info.wait_for_publish(max(0.0, deadline - time.monotonic()))
            if not info.is_published():
                raise TimeoutError(f"{self.device}: no PUBACK in time")
        return len(infos)

    def close(self) -> None:
        if self.started:
            self.client.disconnect()
            self.client.loop_stop()
