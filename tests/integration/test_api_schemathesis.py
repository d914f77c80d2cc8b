"""schemathesis against the committed OpenAPI document: whatever it generates, valid or not,
anonymous or authenticated, the API never fails (no 5xx) and every 4xx is a problem.

The document under test is the committed ``openapi.json`` (what clients read), run in-process
against the real app on the test's database (SQLite and PostgreSQL) holding two registries
with units, a transfer and a signed checkpoint, so that look-ups and proofs find real rows.
Every operation gets a few positive and a few negative examples (schemathesis's strategies
drawn by Hypothesis, derandomised, no shrinking): bounded to keep the file under a minute.
schemathesis's own pytest loader (``from_fixture``) does not run under pytest 9 (it reads
``node._nodeid``), so the operations are walked here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_support import api_world
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.entrypoints.api.openapi import PROBLEM_SCHEMA

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(OPENAPI)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Per operation and generation mode; raise it for a deeper run (JCM_SCHEMATHESIS_EXAMPLES=200).
EXAMPLES = int(os.environ.get("JCM_SCHEMATHESIS_EXAMPLES", "5"))
PROBLEM_FIELDS = frozenset(PROBLEM_SCHEMA["required"])


def failure(case: Any, response: Any) -> str | None:
    """What is wrong with the response, or None: no 5xx, and every 4xx a problem document."""
    shown = f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}"
    if response.status_code >= 500:
        return f"{shown}: {response.text[:300]}"
    if 400 <= response.status_code < 500:
        kind = response.headers.get("content-type", [""])[0]
        if not kind.startswith("application/problem+json"):
            return f"{shown}: content-type {kind}"
        body = response.json()
        if not PROBLEM_FIELDS <= body.keys() or body["status"] != response.status_code:
            return f"{shown}: not a problem document: {response.text[:300]}"
    return None


def exercise(
    operation: Any, mode: GenerationMode, headers: dict[str, str], app: Any
) -> list[str]:
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        try:
            response = case.call(headers=headers, app=app)
        except Exception as error:  # the in-process client re-raises what the app raised
            found.append(f"{case.method} {case.formatted_path}: raised {error!r}")
            return
        problem = failure(case, response)
        if problem is not None:
            found.append(problem)

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid: the operation takes no input
        assert mode is GenerationMode.NEGATIVE
    return found


@pytest.mark.timeout(max(90, 20 * EXAMPLES))
@pytest.mark.parametrize("caller", ["anonymous", "administrator"])
def test_no_generated_request_makes_the_api_fail_and_every_refusal_is_a_problem(
    app: App, caller: str
) -> None:
    world = api_world(app)
    body = {"source": world.accounts["ke"], "destination": "KE-GOV-0001", "quantity": 10}
    assert world.client.post("/api/v1/transfers", json=body, headers=world.holder).is_success
    app.log.sign_checkpoint()
    headers = {}
    if caller == "administrator":
        headers = world.identity.add("admin-token", "JP-GOV-0000", Role.ADMINISTRATOR)
    SCHEMA.app = world.client.app

    failures = [
        problem
        for operation in OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for problem in exercise(operation, mode, headers, world.client.app)
    ]

    world.client.close()
    assert failures == []
    assert len(OPERATIONS) >= 25
