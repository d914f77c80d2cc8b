"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against a
real `jcm serve` on the demo data, headless, with no display needed (CI=true included).

Fixtures (one demo data directory and one server per pytest-xdist worker):

* ``demo_data``: ``jcm demo --json`` run once into a temporary data directory; its JSON
  result is ``demo_data.result``.
* ``server``: ``jcm serve --port <free port>`` on that directory, waited for; ``server.url``
  (no trailing slash) and ``server.api(path)`` (GET ``/api/v1{path}`` as JSON).
* ``demo_logins``: the demo's one user per role (``jcm.entrypoints.demo_users``, as
  ``jcm demo --serve`` makes them), by role name, and its account holders by login
  (``demo-ke-holder``, ``demo-jp-holder``), with their one-time passwords.
* ``browser``: Chromium, launched once per worker.
* ``new_context(locale)``: a fresh browser context per call (``"ja-JP"`` or ``"en-US"``),
  its base URL the server's, Playwright's timeouts at 15 s, downloads accepted; closed
  after the test. ``ja_page`` and ``en_page``: a page in such a context.
* ``sign_in(context, role)``: signs the context in as the demo user of ``role`` through the
  same session API the sign-in page uses (the one-time password changed the first time,
  a TOTP second factor enrolled when the role needs one), and sets the CSRF cookie forms
  post.
* ``shot(page, name)``: a full-page screenshot in ``test-artifacts/screenshots/`` (git-ignored,
  kept as CI artefacts).

Every test here gets a 120-s pytest timeout and the ``browser`` marker.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LAUNCH,
    NEW_PASSWORD,
    PLAYWRIGHT_TIMEOUT_MS,
    SCREENSHOTS,
    TEST_TIMEOUT_S,
    DemoData,
    NewContext,
    Server,
    Shot,
    SignIn,
    environment,
    free_port,
    jcm,
    wait_until_serving,
)
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from jcm.bootstrap import Settings, bootstrap
from jcm.entrypoints.demo_users import DemoLogin, demo_account_holders, demo_users


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium against a running jcm serve")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> DemoData:
    home = tmp_path_factory.mktemp("browser-demo")
    data_dir = home / "jcm-data"
    done = jcm("--data-dir", str(data_dir), "demo", "--json", cwd=home)
    assert done.returncode == 0, done.stderr
    return DemoData(data_dir, json.loads(done.stdout))


@pytest.fixture(scope="session")
def server(demo_data: DemoData) -> Iterator[Server]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = demo_data.data_dir.parent / f"serve-{port}.log"
    command = [sys.executable, "-c", LAUNCH, "--data-dir", str(demo_data.data_dir)]
    command += ["serve", "--port", str(port), "--json"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=demo_data.data_dir.parent,
            env=environment(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(process, url, log)
        yield Server(url, demo_data.data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def demo_logins(demo_data: DemoData) -> dict[str, DemoLogin]:
    """One user per role, made the way `jcm demo --serve` makes them (on the same data)."""
    app = bootstrap(Settings.from_env(demo_data.data_dir), announce=None)
    try:
        made = demo_users(app.identity, demo_account_holders(app.registry))
        return {login.role: login for login in made if login.role != "account_holder"} | {
            login.login: login for login in made if login.role == "account_holder"
        }
    finally:
        app.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[NewContext]:
    made: list[BrowserContext] = []

    def make(locale: str) -> BrowserContext:
        context = browser.new_context(locale=locale, base_url=server.url, accept_downloads=True)
        context.set_default_timeout(PLAYWRIGHT_TIMEOUT_MS)
        context.set_default_navigation_timeout(PLAYWRIGHT_TIMEOUT_MS)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def ja_page(new_context: NewContext) -> Page:
    return new_context("ja-JP").new_page()


@pytest.fixture
def en_page(new_context: NewContext) -> Page:
    return new_context("en-US").new_page()


@dataclass
class _Credentials:
    """What the session has learnt about each demo user (passwords change once)."""

    passwords: dict[str, str] = field(default_factory=dict)
    totp_secrets: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def _credentials() -> _Credentials:
    return _Credentials()


@pytest.fixture
def sign_in(
    server: Server, demo_logins: dict[str, DemoLogin], _credentials: _Credentials
) -> SignIn:
    def signed_in(context: BrowserContext, role: str) -> None:
        login = demo_logins[role].login
        api = context.request
        password = _credentials.passwords.get(login, demo_logins[role].password)
        body: dict[str, Any] = {"login": login, "password": password}
        if login in _credentials.totp_secrets:
            body["totp"] = pyotp.TOTP(_credentials.totp_secrets[login]).now()
        started = api.post(f"{server.url}/api/v1/session", data=body)
        assert started.status == 201, started.text()
        session = started.json()
        headers = {"X-CSRF-Token": str(session["csrf_token"])}
        if session["must_change_password"]:
            change = {"old": password, "new": NEW_PASSWORD}
            changed = api.put(f"{server.url}/api/v1/session/password", data=change, headers=headers)
            assert changed.status == 204, changed.text()
            _credentials.passwords[login] = NEW_PASSWORD
        if session["second_factor_owed"]:
            enrolled = api.post(f"{server.url}/api/v1/session/totp", headers=headers)
            secret = str(enrolled.json()["secret"])
            code = {"code": pyotp.TOTP(secret).now()}
            confirmed = api.post(
                f"{server.url}/api/v1/session/totp/confirm", data=code, headers=headers
            )
            assert confirmed.status == 204, confirmed.text()
            _credentials.totp_secrets[login] = secret
        context.add_cookies(
            [{"name": "jcm_csrf", "value": session["csrf_token"], "url": server.url}]
        )

    return signed_in


@pytest.fixture(scope="session")
def shot() -> Shot:
    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
