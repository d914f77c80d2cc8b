"""Replaying the project cycle's log entries with the domain rules, and comparing with the store.

Entries of the cycle have dotted types: ``role.granted`` and ``role.revoked`` (the
register's roles; ``actor.registered`` in logs written before the register),
``actor.designated``, ``rule_book.defined``,
``project.<action>``, ``monitoring_period.<action>`` and ``methodology.<action>``. Replay
takes every step again with the pure state machines of :mod:`jcm.domain.cycle`: the actor
as registered at that point of the log (so a TPE's designations are those it held then),
the rule book, the date, the documents and the step's details as the entry states them.
So an entry that the rules would refuse (wrong role, missing document, window still open,
overlapping period…) fails the replay, and the step's regenerated entry must equal the
logged one. At the end every replayed aggregate must equal its stored form exactly (the
codec's JSON), and the stored PDD parameters, registry-decision links and calculation
records must match what the log says (each record must still hash to its logged digest);
:mod:`.replay_check` compares every stored cycle row, column by column, with its times.

The service-level checks that depend on the clock or on other stores (a step dated after
today, the eligibility of the PDD's facts, share accounts that exist) are not re-run: they
held when the step was taken, and their results are in the registry's own entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jcm.domain.cycle import (
    DEFAULT_RULE_BOOK,
    Actor,
    Allocation,
    Approval,
    CreditingPeriod,
    JcDecision,
    Methodology,
    MethodologyAction,
    MonitoringAction,
    MonitoringRequest,
    Participants,
    Project,
    ProjectAction,
    ProjectProposal,
    Renewal,
    RuleBook,
    Verification,
    advance_methodology,
    advance_monitoring,
    advance_project,
    codec,
    propose_methodology,
    propose_revision,
    start_project,
    submit_monitoring_report,
)
from jcm.domain.cycle.actors import TpeFunction
from jcm.domain.cycle.designation import designate_tpe
from jcm.domain.cycle.jsonvalues import Event
from jcm.domain.errors import JcmError
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.registry.issuance import IssuanceDecision, MonitoringPeriod

# Keys the service adds to a step's entry beside what the domain step returns.
SERVICE_KEYS = frozenset({"parameters", "calculation", "registry_decision"})
KINDS = ("project", "monitoring_period", "methodology")
ROLE_KINDS = ("role.granted", "role.revoked", "actor.registered")

DecisionsOf = Callable[[str], list[IssuanceDecision]]


class CycleReplayError(ValueError):
    """A step entry does not follow from the state the earlier entries built."""


@dataclass
class CycleState:
    actors: dict[tuple[str, str], tuple[Actor, str]] = field(default_factory=dict)
    rule_books: dict[str, RuleBook] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    periods: dict[str, MonitoringRequest] = field(default_factory=dict)
    registry_decisions: dict[str, int] = field(default_factory=dict)
    calculations: dict[str, dict[str, Any]] = field(default_factory=dict)
    methodologies: dict[str, Methodology] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)
    # (created_at, updated_at) of each entity, from the times of the entries that changed it
    times: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)

    def actors_of(self, organisation: str) -> list[Actor]:
        """The roles ``organisation`` holds at this point of the log (attribution checks)."""
        return [actor for (org, _), (actor, _) in self.actors.items() if org == organisation]

    def stamp(self, entity: str, index: int, now: datetime) -> None:
        self.touched[entity] = index
        created = self.times.get(entity, (now, now))[0]
        self.times[entity] = (created, now)


def _shares(items: Any) -> tuple[AllocationShare, ...]:
    return tuple(AllocationShare(s["account"], Decimal(s["share_pct"])) for s in items)


class CycleReplayer:
    def __init__(self, decisions_of: DecisionsOf) -> None:
        self.state = CycleState()
        self.decisions_of = decisions_of

    def handles(self, kind: str) -> bool:
        head, _, _ = kind.partition(".")
        return (
            kind in ROLE_KINDS
            or kind in ("actor.designated", "rule_book.defined")
            or (head in KINDS)
        )

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        s = self.state
        if kind in ROLE_KINDS:
            self._role(index, kind, change, now)
            return
        if kind == "actor.designated":
            self._designated(index, change, now)
            return
        if kind == "rule_book.defined":
            rules = codec.rule_book_from_json(change["rule_book"])
            s.rule_books[rules.version] = rules
            s.stamp(f"rule book {rules.version}", index, now)
            return
        aggregate, _, action = kind.partition(".")
        if action != change["action"]:
            raise CycleReplayError(f"type {kind} names action {change['action']!r}")
        try:
            entity, event = getattr(self, f"_{aggregate}")(action, change)
        except JcmError as error:
            raise CycleReplayError(
                f"{kind} is refused by the rules on replay: [{error.code}] {error.message}"
            ) from None
        logged = {k: v for k, v in change.items() if k not in SERVICE_KEYS}
        if event["type"] != kind or event["change"] != logged:
            regenerated = event["change"]
            assert isinstance(regenerated, dict)
            differing = sorted(
                k for k in set(logged) | set(regenerated) if logged.get(k) != regenerated.get(k)
            )
            raise CycleReplayError(
                f"{kind} of {entity}: the entry differs from the step the rules give in "
                f"{', '.join(differing) or 'its type'}"
            )
        s.stamp(entity, index, now)
        if entity.startswith("monitoring_period ") and "calculation" in change:
            s.stamp(f"calculation {change['monitoring_period']}", index, now)

    def _role(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """A role granted or revoked (``actor.registered``: granted or replaced, before the
        register refused replacements)."""
        s = self.state
        if kind == "role.revoked":
            key = (change["organisation"], change["role"])
            if s.actors.pop(key, None) is None:
                raise CycleReplayError(f"{key[0]} loses the role {key[1]} it does not hold")
            s.times.pop(f"actor {key[0]}/{key[1]}", None)
            s.touched[f"actor {key[0]}/{key[1]}"] = index
            return
        actor = codec.actor_from_json(change["actor"])
        key = (actor.organisation_id, actor.role.value)
        if kind == "role.granted":
            if key in s.actors:
                raise CycleReplayError(f"{key[0]} is granted the role {key[1]} it holds")
            if actor.designations:
                raise CycleReplayError(f"{key[0]} is granted TPE designations by a grant")
        s.actors[key] = (actor, change.get("name", ""))
        s.stamp(f"actor {key[0]}/{key[1]}", index, now)

    def _designated(self, index: int, change: dict[str, Any], now: datetime) -> None:
        """Take the JC's designation decision again with the actors as registered then."""
        s = self.state
        found = s.actors.get((change["tpe"], "tpe"))
        if found is None:
            raise CycleReplayError(f"{change['tpe']} is designated before it is registered")
        tpe, name = found
        decided = change["decided"]
        try:
            updated, event = designate_tpe(
                tpe,
                self._actor(change),
                change["partner"],
                sorted({d["scope"] for d in decided}),
                sorted({TpeFunction(d["function"]) for d in decided}),
                date.fromisoformat(change["on"]),
                withdraw=change["withdrawn"],
            )
        except JcmError as error:
            raise CycleReplayError(
                f"actor.designated is refused by the rules on replay: [{error.code}] "
                f"{error.message}"
            ) from None
        if event["change"] != change:
            raise CycleReplayError(
                f"actor.designated of {tpe.organisation_id} differs from the decision the "
                "rules give"
            )
        s.actors[(tpe.organisation_id, "tpe")] = (updated, name)
        s.stamp(f"actor {tpe.organisation_id}/tpe", index, now)

    # -- context -------------------------------------------------------------------------
    def _actor(self, change: dict[str, Any]) -> Actor:
        given = change["actor"]
        found = self.state.actors.get((given["organisation"], given["role"]))
        if found is None:
            raise CycleReplayError(
                f"{given['organisation']} acts as {given['role']} before it is registered"
            )
        return found[0]

    def _rules(self, change: dict[str, Any]) -> RuleBook:
        version = change["rule_book"]
        found = self.state.rule_books.get(version)
        if found is None and version == DEFAULT_RULE_BOOK.version:
            return DEFAULT_RULE_BOOK
        if found is None:
            raise CycleReplayError(f"rule book {version!r} is used before it is defined")
        return found

    @staticmethod
    def _documents(change: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(codec.document_from_json(d) for d in change["documents"])

    # -- aggregates ----------------------------------------------------------------------
    def _project(self, action: str, change: dict[str, Any]) -> tuple[str, Event]:
        s = self.state
        project_id = change["project"]
        documents = self._documents(change)
        rules = self._rules(change)
        actor = self._actor(change)
        on = date.fromisoformat(change["on"])
        step = ProjectAction(action)
        current = s.projects.get(project_id)
        if current is None:
            period = change["crediting_period"]
            proposal = ProjectProposal(
                project_id,
                change["title"],
                change["methodology"]["id"],
                change["methodology"]["version"],
                change["sectoral_scope"],
                tuple(codec.participant_from_json(p) for p in change["participants"]),
                CreditingPeriod(
                    date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
                ),
            )
            new, event = start_project(
                proposal, actor, on, documents=documents, action=step, rules=rules
            )
        else:
            payload: Allocation | Participants | Renewal | None = None
            if step in (
                ProjectAction.REQUEST_REGISTRATION,
                ProjectAction.REQUEST_ALLOCATION_CHANGE,
            ):
                payload = Allocation(_shares(change["shares"]))
            elif step is ProjectAction.REQUEST_PARTICIPANT_CHANGE:
                payload = Participants(
                    tuple(codec.participant_from_json(p) for p in change["participants"])
                )
            elif step is ProjectAction.REQUEST_RENEWAL:
                payload = Renewal(date.fromisoformat(change["crediting_period"]["end"]))
            new, event = advance_project(
                current, step, actor, on, documents=documents, payload=payload, rules=rules
            )
        s.projects[project_id] = new
        if "parameters" in change:
            s.parameters[project_id] = change["parameters"]
        return f"project {project_id}", event

    def _monitoring_period(self, action: str, change: dict[str, Any]) -> tuple[str, Event]:
        s = self.state
        request_id = change["monitoring_period"]
        project = s.projects.get(change["project"])
        if project is None:
            raise CycleReplayError(f"{request_id} names unknown project {change['project']}")
        actor = self._actor(change)
        on = date.fromisoformat(change["on"])
        documents = self._documents(change)
        rules = self._rules(change)
        step = MonitoringAction(action)
        if step is MonitoringAction.SUBMIT_REPORT:
            period = MonitoringPeriod(
                date.fromisoformat(change["period"]["start"]),
                date.fromisoformat(change["period"]["end"]),
            )
            others = [r for r in s.periods.values() if r.project_id == project.id]
            new, event = submit_monitoring_report(
                project,
                period,
                actor,
                on,
                documents=documents,
                others=others,
                decisions=self.decisions_of(project.id),
                rules=rules,
                illustrative=change.get("illustrative", ()),
            )
            calculation = change["calculation"]
            s.calculations[new.id] = {
                "methodology_id": calculation["methodology"],
                "methodology_version": calculation["version"],
                "emission_reductions": calculation["emission_reductions"],
                "digest": calculation["digest"],
            }
        else:
            current = s.periods.get(request_id)
            if current is None:
                raise CycleReplayError(f"{request_id} has no report before {action}")
            payload: Verification | JcDecision | None = None
            if step is MonitoringAction.VERIFY:
                payload = Verification(change["verified_amount"])
            elif step is MonitoringAction.DECIDE:
                payload = JcDecision(
                    change["amount"],
                    change["vintage"],
                    change["remainder_to"],
                    change["reference"],
                )
                s.registry_decisions[request_id] = change["registry_decision"]
            new, event = advance_monitoring(
                current,
                project,
                step,
                actor,
                on,
                documents=documents,
                payload=payload,
                rules=rules,
            )
        s.periods[new.id] = new
        return f"monitoring_period {new.id}", event

    def _methodology(self, action: str, change: dict[str, Any]) -> tuple[str, Event]:
        s = self.state
        actor = self._actor(change)
        on = date.fromisoformat(change["on"])
        documents = self._documents(change)
        rules = self._rules(change)
        step = MethodologyAction(action)
        if step is MethodologyAction.PROPOSE:
            new, event = propose_methodology(
                change["methodology"],
                change["title"],
                change["sectoral_scope"],
                actor,
                on,
                documents=documents,
                rules=rules,
            )
        elif step is MethodologyAction.PROPOSE_REVISION:
            revised = s.methodologies.get(_revised_key(change["revises"], s.methodologies))
            if revised is None:
                raise CycleReplayError(f"the revision of {change['revises']} has no original")
            new, event = propose_revision(
                revised, actor, on, documents=documents, title=change["title"], rules=rules
            )
        else:
            key = f"{change['proposal_id'] or change['methodology']}@{change['version']}"
            current = s.methodologies.get(key)
            if current is None:
                raise CycleReplayError(f"methodology {key} has no proposal before {action}")
            payload = Approval(change["methodology"]) if step is MethodologyAction.APPROVE else None
            new, event = advance_methodology(
                current, step, actor, on, documents=documents, payload=payload, rules=rules
            )
        key = codec.methodology_key(new)
        s.methodologies[key] = new
        return f"methodology {key}", event


def _revised_key(revises: str, known: dict[str, Methodology]) -> str:
    """The storage key of the version a revision replaces ("KE_AM001 1.0")."""
    methodology_id, _, version = revises.partition(" ")
    for key, m in known.items():
        if m.id == methodology_id and m.version == version:
            return key
    return f"{methodology_id}@{version}"
