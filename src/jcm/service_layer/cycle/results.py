"""What the project cycle's use cases return: frozen dataclasses.

Field names are the keys of the JSON form (``jcm.service_layer.results.to_json``). Where a
result carries a whole aggregate (an actor, a rule book, a project's or a period's full
record) it carries the aggregate's own JSON document from ``jcm.domain.cycle.codec``, the
form the database and the log keep, rather than a second copy of its structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jcm.domain.cycle.methodology_approval import Methodology, MethodologyState
from jcm.domain.cycle.monitoring import MonitoringRequest, MonitoringState
from jcm.domain.cycle.project import Project, ProjectState
from jcm.service_layer.registry.results import DecisionLineInfo, IssuanceResult
from jcm.service_layer.results import OMIT_WHEN_DEFAULT, ChangeResult, JsonObject, JsonValue

# -- actors and rule books --------------------------------------------------------------------


@dataclass(frozen=True)
class TpeDesignated(ChangeResult):
    actor: JsonObject
    name: str
    decision: JsonValue  # the JC decision as logged


@dataclass(frozen=True)
class RuleBookDefined(ChangeResult):
    rule_book: JsonObject


# -- projects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSummary:
    project: str
    state: ProjectState
    title: str
    methodology: str  # "ID vVERSION"
    last_step: str | None
    on: date | None

    @classmethod
    def of(cls, project: Project) -> ProjectSummary:
        return cls(
            project.id,
            project.state,
            project.title,
            f"{project.methodology_id} v{project.methodology_version}",
            project.history[-1].action if project.history else None,
            project.last_on,
        )


@dataclass(frozen=True)
class ProjectChanged(ProjectSummary, ChangeResult):
    pass


@dataclass(frozen=True)
class StepInfo:
    """A step allowed from the current state: who may take it and what it needs."""

    action: str
    to: str
    roles: tuple[str, ...]
    attach: tuple[str, ...]
    missing_on_file: tuple[str, ...]
    guards: tuple[str, ...]


@dataclass(frozen=True)
class PeriodSteps:
    monitoring_period: str
    state: MonitoringState
    steps: tuple[StepInfo, ...]


@dataclass(frozen=True)
class NextSteps:
    project: str
    state: ProjectState
    public_input_closes_on: date | None
    steps: tuple[StepInfo, ...]
    new_monitoring_period: tuple[StepInfo, ...]
    monitoring_periods: tuple[PeriodSteps, ...]


# -- monitoring periods -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringSummary:
    monitoring_period: str
    project: str
    period: str  # "START..END"
    state: MonitoringState
    verified_amount: int | None
    decided_amount: int | None
    decision: int | None
    issued_sides: tuple[str, ...]
    last_step: str | None
    # Names of the illustrative values the calculation used; absent from responses stored
    # before the mark existed, hence the default.
    illustrative: tuple[str, ...] = field(default=(), kw_only=True)

    @classmethod
    def of(cls, request: MonitoringRequest, decision_id: int | None) -> MonitoringSummary:
        return cls(
            request.id,
            request.project_id,
            str(request.period),
            request.state,
            request.verified_amount,
            request.decision.amount if request.decision else None,
            decision_id,
            tuple(sorted(s.value for s in request.issued_sides)),
            request.history[-1].action if request.history else None,
            illustrative=tuple(request.illustrative),
        )


@dataclass(frozen=True)
class CalculationSummary:
    methodology: str
    version: str
    emission_reductions: int
    digest: str
    computed: bool  # false: the project reported the figure (no executable methodology)


@dataclass(frozen=True)
class ReportSubmitted(MonitoringSummary, ChangeResult):
    calculation: CalculationSummary


@dataclass(frozen=True)
class MonitoringStepped(MonitoringSummary, ChangeResult):
    """A period's step; a JC decision adds its allocation lines, an issuance its result."""

    lines: tuple[DecisionLineInfo, ...] | None = field(default=None, metadata=OMIT_WHEN_DEFAULT)
    registry: str | None = field(default=None, metadata=OMIT_WHEN_DEFAULT)
    issuance: IssuanceResult | None = field(default=None, metadata=OMIT_WHEN_DEFAULT)


# -- methodologies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodologySummary:
    methodology: str
    version: str
    proposal_id: str | None
    state: MethodologyState
    title: str
    last_step: str | None

    @classmethod
    def of(cls, m: Methodology) -> MethodologySummary:
        return cls(
            m.id,
            m.version,
            m.proposal_id,
            m.state,
            m.title,
            m.history[-1].action if m.history else None,
        )


@dataclass(frozen=True)
class MethodologyChanged(MethodologySummary, ChangeResult):
    pass
