"""Failed logins arriving at the same instant are each counted once and each refused as a
failed login (or as blocked), never with a storage error: the counter row is locked while
a failure is recorded, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from jcm.adapters import schema
from jcm.bootstrap import App, Settings, bootstrap
from jcm.domain.cycle import Role
from jcm.domain.errors import JcmError
from jcm.domain.identity import register as reg
from jcm.domain.identity.principal import operator_for
from jcm.service_layer.identity.accounts import CreateUser

pytestmark = pytest.mark.timeout(120)

OPERATOR = operator_for(reg.PLATFORM_ORGANISATION)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CALLERS = 8


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[App]:
    application = bootstrap(Settings(tmp_path, database_url), clock=lambda: NOW, announce=None)
    application.identity.register_organisation(reg.RegisterOrganisation("tpe-a", "A"), OPERATOR)
    application.identity.grant_role(reg.GrantRole("tpe-a", Role.TPE), OPERATOR)
    application.identity.create_user(CreateUser("tpe-a", "alice", "Alice"), OPERATOR)
    yield application
    application.close()


def fail_together(app: App, login: str) -> Counter[str]:
    """``CALLERS`` wrong passwords for ``login`` at once, each from its own address."""
    start = threading.Barrier(CALLERS)
    answers: Counter[str] = Counter()
    lock = threading.Lock()

    def attempt(number: int) -> None:
        start.wait()
        try:
            app.identity.login(login, f"wrong {number}", f"10.9.0.{number}")
            code = "accepted"
        except JcmError as refusal:
            code = refusal.code
        with lock:
            answers[code] += 1

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def stored_failures(app: App, kind: str, subject: str) -> int:
    c = schema.login_attempts.c
    with app.engine.connect() as conn:
        found = conn.execute(
            select(c.failures).where(c.kind == kind, c.subject == subject)
        ).scalar_one_or_none()
    return int(found or 0)


@pytest.mark.parametrize("login", ["alice", "nobody"])
def test_simultaneous_failed_logins_are_each_refused_and_counted_once(app: App, login: str) -> None:
    answers = fail_together(app, login)

    assert set(answers) <= {"K1_UNAUTHENTICATED", "K3_TOO_MANY_ATTEMPTS"}, answers
    assert sum(answers.values()) == CALLERS
    assert stored_failures(app, "login", login) == answers["K1_UNAUTHENTICATED"]
