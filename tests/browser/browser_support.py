"""What the browser tests and their fixtures share: where things are, how Chromium is
launched, the running server, and how the `jcm` command is started."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLAYWRIGHT_TIMEOUT_MS = 15_000
TEST_TIMEOUT_S = 120
NEW_PASSWORD = "browser tests' own passphrase"
LAUNCH = "from jcm.entrypoints.cli import main; main()"

Shot = Callable[[Page, str], Path]
NewContext = Callable[[str], BrowserContext]
SignIn = Callable[[BrowserContext, str], None]


def environment() -> dict[str, str]:
    # The server and the CLI read only what the tests give them: no JCM_* from outside.
    return {k: v for k, v in os.environ.items() if not k.startswith("JCM_")}


def jcm(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class DemoData:
    data_dir: Path
    result: dict[str, Any]


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    data_dir: Path

    def api(self, path: str) -> Any:
        response = httpx.get(f"{self.url}/api/v1{path}", timeout=15)
        response.raise_for_status()
        return response.json()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_serving(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"jcm serve exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(f"{url}/", timeout=10).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"jcm serve did not answer within 60 s: {log.read_text()}")
