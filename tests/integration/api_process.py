"""The real API served by ``api_server.py`` in its own process, for the tests that need one.

:func:`api_process` starts the launcher on a database and data directory the test prepared,
waits until it serves, yields the process, its URL and its log (``server.log`` in the data
directory: the server's stderr), and ends the process (SIGTERM, then SIGKILL after 15 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

LAUNCHER = Path(__file__).with_name("api_server.py")


@dataclass(frozen=True)
class ApiProcess:
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:<port>, no trailing slash
    log: Path


@contextmanager
def api_process(
    data_dir: Path, database_url: str, *, now: datetime | None = None
) -> Iterator[ApiProcess]:
    """Serve the API of ``database_url`` and ``data_dir``; ``now`` fixes the server's clock."""
    log = data_dir / "server.log"
    env = {**os.environ, "JCM_TEST_SERVER_DATABASE_URL": database_url}
    if now is not None:
        env["JCM_TEST_SERVER_NOW"] = now.isoformat()
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), str(data_dir)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().split()
        assert first[:1] == ["port"], log.read_text()
        server = ApiProcess(process, f"http://127.0.0.1:{first[1]}", log)
        _wait_until_serving(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_serving(server: ApiProcess) -> None:
    deadline = time.monotonic() + 90  # a loaded CI machine imports slowly
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        try:
            if httpx.get(f"{server.url}/api/v1/registries", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the API did not serve within 90 s: {server.log.read_text()}")
