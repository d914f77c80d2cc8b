"""The project cycle's public use cases, for the CLI today and the HTTP API next."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from jcm.domain.cycle import DEFAULT_RULE_BOOK, codec
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.cycle.documents import DocumentAccess, DocumentRef, not_visible
from jcm.domain.cycle.machine import Transition
from jcm.domain.cycle.monitoring import MonitoringState
from jcm.domain.cycle.monitoring_transitions import MONITORING_TRANSITIONS
from jcm.domain.cycle.project import ProjectState
from jcm.domain.cycle.project_transitions import PROJECT_TRANSITIONS
from jcm.domain.errors import InvalidInput
from jcm.service_layer.cycle import handlers as h
from jcm.service_layer.cycle import lookups as lk
from jcm.service_layer.cycle import monitoring_handlers as mh
from jcm.service_layer.cycle.results import (
    MethodologyChanged,
    MethodologySummary,
    MonitoringStepped,
    MonitoringSummary,
    NextSteps,
    PeriodSteps,
    ProjectChanged,
    ProjectSummary,
    ReportSubmitted,
    RuleBookDefined,
    StepInfo,
    TpeDesignated,
)
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory
from jcm.service_layer.results import ChangeResult, JsonObject, to_json
from jcm.service_layer.runner import execute

if TYPE_CHECKING:
    from jcm.service_layer.cycle.queues import WorkQueue

C = TypeVar("C")
R = TypeVar("R", bound=ChangeResult)
S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


class CycleService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow = uow_factory

    def _run(
        self,
        name: str,
        cmd: C,
        handler: Callable[[UnitOfWork, C], R],
        key: str | None,
        result_type: type[R],
    ) -> R:
        return execute(
            self._uow_for(cmd), name, cmd, lambda u: handler(u, cmd), key, result_type=result_type
        )

    def _uow_for(self, cmd: object) -> UnitOfWorkFactory:
        """The units of work a change runs in: this service's own (a console that acts for
        the organisation each command names overrides it)."""
        return self.uow

    # -- changes ----------------------------------------------------------------------------
    def designate_tpe(self, cmd: cc.DesignateTpe, key: str | None = None) -> TpeDesignated:
        return self._run("designate_tpe", cmd, h.designate, key, TpeDesignated)

    def define_rule_book(self, cmd: cc.DefineRuleBook, key: str | None = None) -> RuleBookDefined:
        return self._run("define_rule_book", cmd, h.define_rule_book, key, RuleBookDefined)

    def start_project(self, cmd: cc.StartProject, key: str | None = None) -> ProjectChanged:
        return self._run("start_project", cmd, h.start, key, ProjectChanged)

    def project_step(self, cmd: cc.ProjectStep, key: str | None = None) -> ProjectChanged:
        return self._run("project_step", cmd, h.project_step, key, ProjectChanged)

    def submit_report(
        self, cmd: cc.SubmitMonitoringReport, key: str | None = None
    ) -> ReportSubmitted:
        return self._run("submit_report", cmd, mh.submit_report, key, ReportSubmitted)

    def monitoring_step(self, cmd: cc.MonitoringStep, key: str | None = None) -> MonitoringStepped:
        return self._run("monitoring_step", cmd, mh.monitoring_step, key, MonitoringStepped)

    def propose_methodology(
        self, cmd: cc.ProposeMethodology, key: str | None = None
    ) -> MethodologyChanged:
        return self._run("propose_methodology", cmd, h.propose, key, MethodologyChanged)

    def revise_methodology(
        self, cmd: cc.ReviseMethodology, key: str | None = None
    ) -> MethodologyChanged:
        return self._run("revise_methodology", cmd, h.revise, key, MethodologyChanged)

    def methodology_step(
        self, cmd: cc.MethodologyStep, key: str | None = None
    ) -> MethodologyChanged:
        return self._run("methodology_step", cmd, h.methodology_step, key, MethodologyChanged)

    # -- reading ----------------------------------------------------------------------------
    def actors(self) -> list[JsonObject]:
        """Each actor's codec document with its name."""
        with self.uow(read_only=True) as uow:
            return [
                {"name": name, **_object(codec.actor_to_json(actor))}
                for actor, name in uow.cycle.list_actors()
            ]

    def rule_books(self) -> list[JsonObject]:
        with self.uow(read_only=True) as uow:
            books = [DEFAULT_RULE_BOOK, *uow.cycle.list_rule_books()]
            seen: dict[str, JsonObject] = {}
            for book in books:
                seen[book.version] = _object(codec.rule_book_to_json(book))
            return list(seen.values())

    def projects(
        self, partner: str | None = None, state: str | None = None
    ) -> list[ProjectSummary]:
        _check_state(ProjectState, state, "project")
        with self.uow(read_only=True) as uow:
            return [
                ProjectSummary.of(p)
                for p in uow.cycle.list_projects(partner)
                if state is None or p.state.value == state
            ]

    def monitoring_periods(
        self, project_id: str | None = None, state: str | None = None
    ) -> list[MonitoringSummary]:
        """Monitoring periods, e.g. the queue of those awaiting a JC decision."""
        _check_state(MonitoringState, state, "monitoring period")
        with self.uow(read_only=True) as uow:
            projects = (
                [lk.project_or_404(uow, project_id)] if project_id else uow.cycle.list_projects()
            )
            return [
                MonitoringSummary.of(r, d)
                for p in projects
                for r, d in uow.cycle.monitoring_of_project(p.id)
                if state is None or r.state.value == state
            ]

    def project(self, project_id: str) -> JsonObject:
        """The project's codec document with its parameters and monitoring periods."""
        with self.uow(read_only=True) as uow:
            project = lk.project_or_404(uow, project_id)
            periods = uow.cycle.monitoring_of_project(project.id)
            rules = lk.rule_book(uow, project.rule_book)
            closes = project.public_input_closes_on(rules)
            return {
                **_object(codec.project_to_json(project)),
                "public_input_closes_on": closes.isoformat() if closes else None,
                "parameters": to_json(uow.cycle.project_parameters(project.id)),
                "monitoring_periods": [to_json(MonitoringSummary.of(r, d)) for r, d in periods],
            }

    def next_steps(self, project_id: str) -> NextSteps:
        """What can happen next to a project and each open monitoring period: the steps
        allowed from their states, who may take them, and which documents they still need."""
        with self.uow(read_only=True) as uow:
            project = lk.project_or_404(uow, project_id)
            rules = lk.rule_book(uow, project.rule_book)
            closes = project.public_input_closes_on(rules)
            periods = []
            for request, _ in uow.cycle.monitoring_of_project(project.id):
                steps = _steps(MONITORING_TRANSITIONS, request.state, request.documents)
                if steps:
                    periods.append(PeriodSteps(request.id, request.state, steps))
            return NextSteps(
                project.id,
                project.state,
                closes,
                _steps(PROJECT_TRANSITIONS, project.state, project.documents),
                _steps(MONITORING_TRANSITIONS, None, project.documents)
                if project.is_registered
                else (),
                tuple(periods),
            )

    def monitoring(self, request_id: str, *, with_record: bool = False) -> JsonObject:
        """The period's codec document with its registry decision and calculation."""
        with self.uow(read_only=True) as uow:
            request, decision_id = lk.monitoring_or_404(uow, request_id)
            calculation = uow.cycle.get_calculation(request.id)
            out: JsonObject = {
                **_object(codec.monitoring_to_json(request)),
                "illustrative": list(request.illustrative),
                "decision_id": decision_id,
            }
            if calculation is not None:
                record = calculation.pop("record")
                if with_record:
                    calculation["record"] = json.loads(record)
                out["calculation"] = to_json(calculation)
            return out

    def methodologies(self) -> list[MethodologySummary]:
        with self.uow(read_only=True) as uow:
            return [MethodologySummary.of(m) for m in uow.cycle.list_methodologies()]

    def methodology(self, methodology_id: str, version: str) -> JsonObject:
        with self.uow(read_only=True) as uow:
            return _object(
                codec.methodology_to_json(lk.methodology_or_404(uow, methodology_id, version))
            )

    def document_access(self, project_id: str, sha256: str) -> DocumentAccess:
        """Who may read the confidential version ``sha256`` of a project's documents.

        The document must be attached to the project or one of its monitoring periods:
        being engaged on one project gives no right to another project's documents. If it
        is not, ``K4_NOT_VISIBLE``: the answer for a document that does not exist.
        """
        with self.uow(read_only=True) as uow:
            project = lk.project_or_404(uow, project_id)
            periods = [r for r, _ in uow.cycle.monitoring_of_project(project.id)]
            attached = {d.sha256 for d in project.documents} | {
                d.sha256 for r in periods for d in r.documents
            }
            if sha256 not in attached:
                raise not_visible(sha256)  # the same answer as for an absent document
            return project.access([r.verifier for r in periods if r.verifier])

    def roles_of(self, organisation_id: str) -> tuple[Actor, ...]:
        """The cycle roles an organisation holds (none for an unknown one: no refusal)."""
        with self.uow(read_only=True) as uow:
            return tuple(actor for actor, _ in uow.cycle.actors_of(organisation_id))

    def work_queue(
        self, organisation_id: str, roles: Iterable[Role], state: str | None = None
    ) -> WorkQueue:
        """What ``organisation_id``'s cycle roles can act on next (``state``: only items in
        that project or monitoring-period state)."""
        from jcm.service_layer.cycle.queues import work_queue

        return work_queue(self.uow, organisation_id, roles, state)

    def resolve(self, by: cc.ActingAs) -> Actor:
        with self.uow(read_only=True) as uow:
            return lk.resolve_actor(uow, by)


def _steps(
    table: Iterable[Transition[S, A]], state: S | None, on_file: Iterable[DocumentRef]
) -> tuple[StepInfo, ...]:
    have = {d.kind for d in on_file if d.is_public}
    return tuple(
        StepInfo(
            row.action.value,
            row.target.value,
            tuple(sorted(r.value for r in row.roles)),
            tuple(sorted(k.value for k in row.documents)),
            tuple(sorted(k.value for k in row.on_file - have - row.documents)),
            tuple(g.value for g in row.guards),
        )
        for row in table
        if row.source == state
    )


def _check_state(states: type[StrEnum], state: str | None, what: str) -> None:
    if state is not None and state not in {s.value for s in states}:
        raise InvalidInput(
            "P8_BAD_STATE",
            f"{state!r} is not a {what} state; the states are: "
            f"{', '.join(s.value for s in states)}.",
            state=state,
        )


def _object(value: object) -> JsonObject:
    """A codec document, which is always a JSON object."""
    assert isinstance(value, dict)
    return value
