"""What users ask of the project cycle, as plain values (the CLI and API build these).

Actors are named by organisation id and, when the organisation holds several roles, the
role it acts in; the service looks the registered actor up, so designations and sides come
from the registry of actors, never from the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jcm.domain.cycle.actors import Designation, Role, Side, TpeFunction
from jcm.domain.cycle.documents import DocumentRef
from jcm.domain.cycle.project import Participant, ProjectProposal
from jcm.domain.cycle.rules import RuleBook
from jcm.domain.registry.allocation import AllocationShare


@dataclass(frozen=True)
class ActingAs:
    organisation_id: str
    role: Role | None = None  # needed only when the organisation holds several roles


@dataclass(frozen=True)
class RegisterActor:
    organisation_id: str
    role: Role
    name: str
    side: Side | None = None
    partner: str | None = None
    designations: frozenset[Designation] = frozenset()  # refused: the JC designates (DesignateTpe)
    decision: str | None = None  # the JC decision appointing a JC member (required for them)


@dataclass(frozen=True)
class DesignateTpe:
    """A JC decision designating a TPE (or withdrawing it) for scopes and functions."""

    tpe: str
    partner: str
    scopes: tuple[int, ...]
    functions: tuple[TpeFunction, ...]
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    withdraw: bool = False


@dataclass(frozen=True)
class DefineRuleBook:
    rules: RuleBook


@dataclass(frozen=True)
class ExAnteParameters:
    """What the PDD fixes for the methodology: facts (eligibility) and fixed parameters."""

    facts: tuple[tuple[str, str | int | bool], ...] = ()
    fixed: tuple[tuple[str, tuple[str, str]], ...] = ()  # name -> (decimal text, unit)


@dataclass(frozen=True)
class StartProject:
    proposal: ProjectProposal
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    documents: tuple[DocumentRef, ...] = ()
    with_pdd: bool = False  # start at the PDD where the rule book does not need a PIN
    rule_book: str = "default"
    parameters: ExAnteParameters | None = None


@dataclass(frozen=True)
class ProjectStep:
    project_id: str
    action: str
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    documents: tuple[DocumentRef, ...] = ()
    shares: tuple[AllocationShare, ...] = ()  # request_registration, allocation change
    participants: tuple[Participant, ...] = ()  # participant change
    renewal_end: date | None = None  # crediting-period renewal
    parameters: ExAnteParameters | None = None  # submit_pdd, resubmit_pdd


@dataclass(frozen=True)
class SubmitMonitoringReport:
    project_id: str
    period_start: date
    period_end: date
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    values: tuple[tuple[str, tuple[str, str]], ...]  # monitored parameter -> (value, unit)
    documents: tuple[DocumentRef, ...] = ()
    source: dict[str, str] = field(default_factory=dict)  # where values came from, for errors
    # The reductions the report states: required where the methodology is not executable
    # here; where it is, they must equal what it calculates.
    reported_reductions: int | None = None


@dataclass(frozen=True)
class MonitoringStep:
    request_id: str
    action: str
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    documents: tuple[DocumentRef, ...] = ()
    verified_amount: int | None = None  # verify: defaults to the calculated reductions
    amount: int | None = None  # decide: defaults to the verified amount
    vintage: int | None = None  # decide: defaults to the year the period ends
    remainder_to: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class ProposeMethodology:
    proposal_id: str
    title: str
    sectoral_scope: int
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    documents: tuple[DocumentRef, ...] = ()
    rule_book: str = "default"


@dataclass(frozen=True)
class ReviseMethodology:
    methodology_id: str
    version: str
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    documents: tuple[DocumentRef, ...] = ()
    title: str | None = None
    rule_book: str = "default"


@dataclass(frozen=True)
class MethodologyStep:
    methodology_id: str  # the PM id while proposed, the AM id after approval
    version: str
    action: str
    by: ActingAs
    on: date | None  # None: the day the step is taken (not part of the request digest)
    documents: tuple[DocumentRef, ...] = ()
    approved_id: str | None = None
