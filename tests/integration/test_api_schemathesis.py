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
from api_support import api_world, is_problem
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.entrypoints.api.openapi import PROBLEM_SCHEMA

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(OPENAPI)
OPERATIONS = [r.ok() for r in SCHEMA.get_all_operations() if isinstance(r, Ok)]
# Per operation and generation mode; raise it for a deeper run (JCM_SCHEMATHESIS_EXAMPLES=200).
EXAMPLES = int(os.environ.get("JCM_SCHEMATHESIS_EXAMPLES", "5"))
PROBLEM_FIELDS = frozenset(PROBLEM_SCHEMA["required"])
pytestmark = pytest.mark.timeout(60)  # each test; the generated runs have their own below


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
        if not body.keys() >= PROBLEM_FIELDS or body["status"] != response.status_code:
            return f"{shown}: not a problem document: {response.text[:300]}"
    return None


def exercise(
    operation: Any, mode: GenerationMode, headers: dict[str, str], app: Any, examples: int
) -> list[str]:
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
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
        elif not headers and not public(operation) and response.status_code not in (401, 422):
            found.append(f"{case.method} {case.formatted_path}: {response.status_code} anonymous")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid: the operation takes no input
        assert mode is GenerationMode.NEGATIVE
    return found


def public(operation: Any) -> bool:
    return bool(operation.definition.raw.get("x-jcm-access") == "public")


def plan(caller: str) -> list[tuple[Any, GenerationMode, int]]:
    """Every operation, valid and invalid input; an anonymous caller is turned away from a
    private one before its input is even read, so one valid example each shows the 401."""
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return [
        (operation, mode, EXAMPLES if caller != "anonymous" or public(operation) else 1)
        for operation in OPERATIONS
        for mode in modes
        if caller != "anonymous" or public(operation) or mode is GenerationMode.POSITIVE
    ]


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
        headers = world.identity.add("admin-token", "platform-admin", Role.ADMINISTRATOR)
    SCHEMA.app = world.client.app

    failures = [
        problem
        for operation, mode, examples in plan(caller)
        for problem in exercise(operation, mode, headers, world.client.app, examples)
    ]

    world.client.close()
    assert failures == []
    assert len(OPERATIONS) == len(list(SCHEMA.get_all_operations())) >= 25


# -- what the generated runs found, kept as examples ---------------------------------------------


def test_a_nul_byte_in_a_query_a_path_or_a_body_is_a_422_problem_on_both_backends(
    app: App,
) -> None:
    world = api_world(app)
    body = {"source": "KE-ENT-\x00", "destination": "KE-GOV-0001", "quantity": 1}

    query = world.client.get("/api/v1/decisions", params={"project": "KE\x00"})
    path = world.client.get("/api/v1/serials/KE-KE-JCM-KE001%00")
    posted = world.client.post("/api/v1/cancellations", json=body, headers=world.holder)

    assert is_problem(query, 422, "G1_BAD_CHARACTERS")
    assert is_problem(path, 422, "G1_BAD_CHARACTERS")
    assert is_problem(posted, 422, "H2_BAD_REQUEST")
    assert posted.json()["details"]["errors"][0]["where"] == "body.source"


def test_a_batch_item_of_a_kind_that_is_not_a_move_is_a_422_problem(app: App) -> None:
    world = api_world(app)
    item = {"kind": "authorisation", "source": world.accounts["ke"], "quantity": 1}

    response = world.client.post("/api/v1/batches", json={"moves": [item]}, headers=world.holder)

    assert is_problem(response, 422, "H2_BAD_REQUEST")


def test_a_page_cursor_beyond_64_bits_is_a_422_problem_on_both_backends(app: App) -> None:
    world = api_world(app)

    response = world.client.get(f"/api/v1/public/transactions?cursor={1 << 63}")

    assert is_problem(response, 422, "H2_BAD_REQUEST")
