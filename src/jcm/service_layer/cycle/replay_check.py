"""Comparing the replayed project cycle with the stored cycle tables, row by row.

Every column of ``organisation_roles``, ``cycle_rule_books``, ``cycle_aggregates`` and
``calculation_records`` is determined by the log: bodies are the codec's JSON of the
replayed aggregate, ``state`` and ``project_id`` repeat what the body says, the PDD
parameters and the registry-decision link are in the step entries, the calculation
record's columns are in the report's entry and its text must hash to the logged digest,
and ``created_at``/``updated_at`` are the times of the first and last entry that changed
the row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from jcm.domain.cycle import codec
from jcm.service_layer.cycle.replay import CycleState
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import (
    Divergence,
    TableSpec,
    compare_table,
    key_text,
)

ACTORS = TableSpec(
    "organisation_roles", ("organisation_id", "role"), lambda k: f"actor {k[0]}/{k[1]}"
)
RULE_BOOKS = TableSpec("cycle_rule_books", ("version",), lambda k: f"rule book {k}")
AGGREGATES = TableSpec(
    "cycle_aggregates",
    ("kind", "key"),
    lambda k: f"{k[0]} {k[1]}",
    {"decision_id": "registry_decision"},
)
CALCULATIONS = TableSpec("calculation_records", ("monitoring_id",), lambda k: f"calculation {k}")


def _times(state: CycleState, entity: str) -> dict[str, datetime]:
    created, updated = state.times[entity]
    return {"created_at": created, "updated_at": updated}


def _actors(state: CycleState) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for actor, _ in state.actors.values():
        key = (actor.organisation_id, actor.role.value)
        created, updated = state.times[ACTORS.entity(key)]
        out[key] = {
            "body": codec.actor_to_json(actor),
            "granted_at": created,
            "updated_at": updated,
        }
    return out


def _rule_books(state: CycleState) -> dict[Any, dict[str, Any]]:
    return {
        version: {
            "body": codec.rule_book_to_json(rules),
            "created_at": state.times[f"rule book {version}"][0],
        }
        for version, rules in state.rule_books.items()
    }


def _aggregates(state: CycleState) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for pid, project in state.projects.items():
        out[("project", pid)] = {
            "project_id": pid,
            "state": project.state.value,
            "body": codec.project_to_json(project),
            "parameters": state.parameters.get(pid),
            "decision_id": None,
            **_times(state, f"project {pid}"),
        }
    for rid, request in state.periods.items():
        out[("monitoring_period", rid)] = {
            "project_id": request.project_id,
            "state": request.state.value,
            "body": codec.monitoring_to_json(request),
            "parameters": None,
            "decision_id": state.registry_decisions.get(rid),
            **_times(state, f"monitoring_period {rid}"),
        }
    for key, methodology in state.methodologies.items():
        out[("methodology", key)] = {
            "project_id": None,
            "state": methodology.state.value,
            "body": dict(codec.methodology_to_json(methodology)),
            "parameters": None,
            "decision_id": None,
            **_times(state, f"methodology {key}"),
        }
    return out


def _calculations(state: CycleState) -> dict[Any, dict[str, Any]]:
    return {
        rid: {**logged, "created_at": state.times[f"calculation {rid}"][0]}
        for rid, logged in state.calculations.items()
    }


def _json_differ(
    spec: TableSpec,
    key: Any,
    column: str,
    expected: Any,
    found: Any,
    index: int | None,
) -> Divergence:
    """A JSON column differs: report the first differing key inside it as the field."""
    field = column
    if isinstance(expected, dict) and isinstance(found, dict):
        for name in sorted(set(expected) | set(found)):
            if expected.get(name) != found.get(name):
                field, expected, found = name, expected.get(name), found.get(name)
                break
    names = spec.field_names or {}
    return Divergence(
        index,
        spec.entity(key),
        names.get(field, field),
        expected,
        found,
        spec.table,
        key_text(key),
        column,
    )


def _with_json_fields(
    spec: TableSpec,
    expected: dict[Any, dict[str, Any]],
    found_rows: Any,
    touched: Callable[[Any], int | None],
) -> Divergence | None:
    """compare_table, but a differing JSON body names the key inside it (as before)."""
    problem = compare_table(spec, expected, found_rows, touched)
    if problem is None or problem.column not in ("body", "parameters"):
        return problem
    key = next(k for k in expected if key_text(k) == problem.key)
    return _json_differ(spec, key, problem.column, problem.expected, problem.found, problem.index)


def _record_digest(
    state: CycleState, touched: Callable[[Any], int | None]
) -> Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Divergence | None]:
    def check(key: Any, expected: Mapping[str, Any], found: Mapping[str, Any]) -> Divergence | None:
        # The digest names the record's bytes: an edited record no longer hashes to it.
        actual = hashlib.sha256(str(found["record"]).encode("utf-8")).hexdigest()
        if actual != expected["digest"]:
            return _record_problem(key, touched, "record sha256", expected["digest"], actual)
        marks = _marks_differ(state, key, str(found["record"]))
        if marks is not None:
            return _record_problem(key, touched, "illustrative", *marks)
        return None

    return check


def _record_problem(
    key: Any, touched: Callable[[Any], int | None], field: str, expected: Any, found: Any
) -> Divergence:
    return Divergence(
        touched(key),
        CALCULATIONS.entity(key),
        field,
        expected,
        found,
        CALCULATIONS.table,
        key_text(key),
        "record",
    )


def _marks_differ(state: CycleState, rid: str, text: str) -> tuple[Any, Any] | None:
    """The illustrative marks the log gave the period must be those of its record (records
    made before issue 8, or not computed here, have none to compare)."""
    period = state.periods.get(rid)
    body = json.loads(text)
    if period is None or not isinstance(body, dict) or "illustrative" not in body:
        return None
    marks = [mark["item"] for mark in body["illustrative"]]
    return None if marks == list(period.illustrative) else (list(period.illustrative), marks)


def compare_cycle(state: CycleState, ledger: RowSource) -> Divergence | None:
    """The first stored cycle row that differs from the replayed one, or None."""
    t = state.touched

    def touched(spec: TableSpec) -> Callable[[Any], int | None]:
        return lambda key: t.get(spec.entity(key))

    problem = _with_json_fields(ACTORS, _actors(state), ledger.rows(ACTORS.table), touched(ACTORS))
    if problem is None:
        problem = _with_json_fields(
            RULE_BOOKS, _rule_books(state), ledger.rows(RULE_BOOKS.table), touched(RULE_BOOKS)
        )
    if problem is None:
        problem = _with_json_fields(
            AGGREGATES, _aggregates(state), ledger.rows(AGGREGATES.table), touched(AGGREGATES)
        )
    if problem is None:
        problem = compare_table(
            CALCULATIONS,
            _calculations(state),
            ledger.rows(CALCULATIONS.table),
            touched(CALCULATIONS),
            _record_digest(state, touched(CALCULATIONS)),
        )
    return problem
