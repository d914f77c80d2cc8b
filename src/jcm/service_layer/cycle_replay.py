"""Replaying the project cycle's log entries and comparing the result with the stored cycle.

Entries of the cycle have dotted types: ``actor.registered``, ``rule_book.defined``,
``project.<action>``, ``monitoring_period.<action>`` and ``methodology.<action>``. Each
step entry carries the state it leads to, its date, its actor and the documents attached,
plus the details of the step (allocation shares, verified amount, decision, calculation
digest…). Replay follows every aggregate through its steps, checks that each step starts
from the state the previous one left (a missing, reordered or altered entry shows up here)
and then compares the result field by field with the stored aggregates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from jcm.domain.cycle import codec
from jcm.service_layer.ports import CycleStore


class CycleReplayError(ValueError):
    """A step entry does not follow from the state the earlier entries built."""


@dataclass
class CycleState:
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    rule_books: dict[str, dict[str, Any]] = field(default_factory=dict)
    aggregates: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    calculations: dict[str, dict[str, Any]] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)


KINDS = ("project", "monitoring_period", "methodology")


def _key(kind: str, change: dict[str, Any]) -> str:
    if kind == "methodology":
        return f"{change['proposal_id'] or change['methodology']}@{change['version']}"
    return str(change[kind])


class CycleReplayer:
    def __init__(self) -> None:
        self.state = CycleState()

    def handles(self, kind: str) -> bool:
        head, _, _ = kind.partition(".")
        return kind in ("actor.registered", "rule_book.defined") or head in KINDS

    def apply(self, index: int, kind: str, change: dict[str, Any]) -> None:
        s = self.state
        if kind == "actor.registered":
            actor = change["actor"]
            key = f"{actor['organisation']}/{actor['role']}"
            s.actors[key] = {"body": actor, "name": change["name"]}
            s.touched[f"actor {key}"] = index
            return
        if kind == "rule_book.defined":
            body = change["rule_book"]
            s.rule_books[body["version"]] = body
            s.touched[f"rule book {body['version']}"] = index
            return
        aggregate, _, action = kind.partition(".")
        key = _key(aggregate, change)
        entity = f"{aggregate} {key}"
        current = s.aggregates.get((aggregate, key))
        if action != change["action"]:
            raise CycleReplayError(f"type {kind} names action {change['action']!r}")
        if current is None:
            if change["from"] is not None:
                raise CycleReplayError(
                    f"{entity} has no earlier step, yet {action} starts from {change['from']}"
                )
            current = {"steps": 0, "documents": set()}
            s.aggregates[(aggregate, key)] = current
        elif current["state"] != change["from"]:
            raise CycleReplayError(
                f"{entity} is {current['state']} after its earlier steps, yet {action} "
                f"starts from {change['from']}"
            )
        current["state"] = change["to"]
        current["steps"] += 1
        current["documents"] |= {d["sha256"] for d in change["documents"]}
        current["last_on"] = change["on"]
        getattr(self, f"_{aggregate}")(current, action, change)
        s.touched[entity] = index

    def _project(self, p: dict[str, Any], action: str, change: dict[str, Any]) -> None:
        if action == "open_public_input" and change["actor"]["role"] == "tpe":
            p["validator"] = change["actor"]["organisation"]
        elif action == "start_validation":
            p["validator"] = change["validator"]
        elif action == "resubmit_pdd":
            p["validator"] = None
        if action in ("submit_pin", "submit_pdd") and "title" in change:
            p.update(
                validator=None,
                title=change["title"],
                methodology=change["methodology"],
                participants=change["participants"],
                crediting_period=change["crediting_period"],
                shares=[],
            )
        if "parameters" in change:
            p["parameters"] = change["parameters"]
        if action == "request_registration" or action == "register":
            p["shares"] = change["shares"]
        elif action == "approve_change":
            for name in ("shares", "participants"):
                if name in change:
                    p[name] = change[name]
        elif action == "approve_renewal":
            p["crediting_period"] = change["crediting_period"]

    def _monitoring_period(self, r: dict[str, Any], action: str, change: dict[str, Any]) -> None:
        if action == "submit_report":
            r.update(
                project=change["project"],
                period=change["period"],
                verifier=None,
                verified_amount=None,
                decision=None,
                lines=[],
                registry_decision=None,
                issued=[],
            )
            self.state.calculations[change["monitoring_period"]] = {
                "emission_reductions": change["calculation"]["emission_reductions"],
                "digest": change["calculation"]["digest"],
            }
        elif action == "start_verification":
            r["verifier"] = change["verifier"]
        elif action == "verify":
            r["verified_amount"] = change["verified_amount"]
        elif action == "decide":
            r["decision"] = {
                "amount": change["amount"],
                "vintage": change["vintage"],
                "reference": change["reference"],
            }
            r["lines"] = change["lines"]
            r["registry_decision"] = change["registry_decision"]
        elif action == "record_issuance":
            r["issued"] = change["issued_registries"]

    def _methodology(self, m: dict[str, Any], action: str, change: dict[str, Any]) -> None:
        m.update(id=change["methodology"], title=change["title"])


def _project_fields(body: dict[str, Any], parameters: Any) -> dict[str, Any]:
    return {
        "state": body["state"],
        "steps": len(body["history"]),
        "documents": {d["sha256"] for d in body["documents"]},
        "last_on": body["history"][-1]["on"],
        "title": body["title"],
        "methodology": body["methodology"],
        "participants": body["participants"],
        "crediting_period": body["crediting_period"],
        "shares": body["shares"],
        "validator": body["validator"],
        "parameters": parameters,
    }


def _monitoring_fields(
    body: dict[str, Any], registries: list[str], decision_id: int | None
) -> dict[str, Any]:
    decision = body["decision"]
    return {
        "state": body["state"],
        "steps": len(body["history"]),
        "documents": {d["sha256"] for d in body["documents"]},
        "last_on": body["history"][-1]["on"],
        "project": body["project"],
        "period": body["period"],
        "verifier": body["verifier"],
        "verified_amount": body["verified_amount"],
        "decision": None
        if decision is None
        else {k: decision[k] for k in ("amount", "vintage", "reference")},
        "lines": [
            {
                "line": x["line"],
                "account": x["account"],
                "share_pct": x["share_pct"],
                "quantity": x["quantity"],
                "receives_remainder": x["receives_remainder"],
            }
            for x in body["lines"]
        ],
        "registry_decision": decision_id,
        "issued": registries,
    }


def _methodology_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": body["state"],
        "steps": len(body["history"]),
        "documents": {d["sha256"] for d in body["documents"]},
        "last_on": body["history"][-1]["on"],
        "id": body["id"],
        "title": body["title"],
    }


def compare_cycle(state: CycleState, store: CycleStore) -> tuple[Any, ...] | None:
    """The first difference as (index, entity, field, expected, found), or None."""
    t = state.touched

    def diff(
        entity: str, expected: dict[str, Any], found: dict[str, Any]
    ) -> tuple[Any, ...] | None:
        for name in sorted(set(expected) | set(found)):
            if expected.get(name) != found.get(name):
                return (
                    t.get(entity),
                    entity,
                    name,
                    _plain(expected.get(name)),
                    _plain(found.get(name)),
                )
        return None

    def missing(entity: str, in_log: bool) -> tuple[Any, ...]:
        return (
            t.get(entity),
            entity,
            "existence",
            "present" if in_log else "absent",
            "absent" if in_log else "present",
        )

    found_actors = {
        f"{actor.organisation_id}/{actor.role.value}": {
            "body": codec.actor_to_json(actor),
            "name": name,
        }
        for actor, name in store.list_actors()
    }
    found_books = {book.version: codec.rule_book_to_json(book) for book in store.list_rule_books()}
    for prefix, expected_all, found_all in (
        ("actor", state.actors, found_actors),
        ("rule book", state.rule_books, found_books),
    ):
        for key in sorted(set(expected_all) | set(found_all)):
            entity = f"{prefix} {key}"
            if key not in expected_all or key not in found_all:
                return missing(entity, key in expected_all)
            problem = diff(entity, {"value": expected_all[key]}, {"value": found_all[key]})
            if problem:
                return problem

    found: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, key, body, parameters, decision_id in store.aggregate_rows():
        if kind == "project":
            found[(kind, key)] = _project_fields(body, parameters)
        elif kind == "monitoring_period":
            partner = body["project"][:2]
            sides = body["issued_sides"]
            found[(kind, key)] = _monitoring_fields(
                body, sorted("JP" if s == "japan" else partner for s in sides), decision_id
            )
        else:
            found[(kind, key)] = _methodology_fields(body)
    for ident in sorted(set(state.aggregates) | set(found)):
        entity = f"{ident[0]} {ident[1]}"
        if ident not in state.aggregates or ident not in found:
            return missing(entity, ident in state.aggregates)
        expected = dict(state.aggregates[ident])
        if ident[0] == "project":
            expected.setdefault("parameters", None)
        problem = diff(entity, expected, found[ident])
        if problem:
            return problem

    stored = {c["monitoring_id"]: c for c in store.calculations()}
    for rid in sorted(set(state.calculations) | set(stored)):
        entity = f"calculation {rid}"
        t.setdefault(entity, t.get(f"monitoring_period {rid}", 0))
        if rid not in state.calculations or rid not in stored:
            return missing(entity, rid in state.calculations)
        record = stored[rid]
        problem = diff(
            entity,
            state.calculations[rid],
            {k: record[k] for k in ("emission_reductions", "digest")},
        )
        if problem:
            return problem
        # The digest names the record's bytes: an edited record no longer hashes to it.
        actual = hashlib.sha256(record["record"].encode("utf-8")).hexdigest()
        if actual != record["digest"]:
            return (t.get(entity), entity, "record sha256", record["digest"], actual)
    return None


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, set) else value
