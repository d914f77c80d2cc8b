"""The project aggregate and its state machine: idea (PIN) to registration, and afterwards.

The steps follow research ``jcm_rules.md`` §1.4-1.5: PIN and the JC's no-objection decision
`[C:S6]`; PDD, public input, validation, registration request and JC registration
`[C:S9,S14]`; post-registration changes, crediting-period renewal and withdrawal on forms
3.10-3.14 `[C:S4]`. Which actor takes which step and the sequencing are `[I]` unless a row
says otherwise (``basis``). :data:`PROJECT_TRANSITIONS` is the one place listing them all.

Every step is a pure function: it returns a new :class:`Project` and an event for the
transparency log, or raises a :class:`~jcm.domain.errors.JcmError` and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from jcm.domain.cycle.actors import Actor, Role, Side, TpeFunction, check_scope
from jcm.domain.cycle.documents import DocumentAccess, DocumentKind, DocumentRef
from jcm.domain.cycle.jsonvalues import Event, JsonValue
from jcm.domain.cycle.machine import (
    Guard,
    HistoryEntry,
    Subject,
    Transition,
    check_step,
    history_entry,
    make_event,
    merge_documents,
)
from jcm.domain.cycle.rules import DEFAULT_RULE_BOOK, RuleBook, check_rule_book
from jcm.domain.errors import InvalidInput, RuleViolation
from jcm.domain.registry.accounts import JAPAN, AccountType
from jcm.domain.registry.allocation import AllocationShare, allocate
from jcm.domain.registry.issuance import parse_project_id

_APPROVED_METHODOLOGY = re.compile(r"^([A-Z]{2})_AM[0-9]{3}$")
_VERSION = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}$")
_HOLDING_TAGS = "|".join(
    t.id_tag for t in (AccountType.GOVERNMENT_HOLDING, AccountType.ENTITY_HOLDING)
)
_SHARE_ACCOUNT = re.compile(rf"^([A-Z]{{2}})-(?:{_HOLDING_TAGS})-[0-9]{{4}}$")


class ProjectState(StrEnum):
    PIN_SUBMITTED = "pin_submitted"
    NO_OBJECTION = "no_objection"
    PIN_OBJECTED = "pin_objected"
    PDD_SUBMITTED = "pdd_submitted"
    PUBLIC_INPUT = "public_input"
    UNDER_VALIDATION = "under_validation"
    VALIDATED = "validated"
    NOT_VALIDATED = "not_validated"
    REGISTRATION_REQUESTED = "registration_requested"
    UNDER_JC_CONSIDERATION = "under_jc_consideration"
    REGISTERED = "registered"
    REJECTED = "rejected"
    REGISTRATION_WITHDRAWN = "registration_withdrawn"
    CHANGE_REQUESTED = "change_requested"
    RENEWAL_REQUESTED = "renewal_requested"
    WITHDRAWN = "withdrawn"


# A registered project stays registered while a change or a renewal is pending.
REGISTERED_STATES = frozenset(
    {ProjectState.REGISTERED, ProjectState.CHANGE_REQUESTED, ProjectState.RENEWAL_REQUESTED}
)


class ProjectAction(StrEnum):
    SUBMIT_PIN = "submit_pin"
    SUBMIT_PDD = "submit_pdd"
    DECIDE_NO_OBJECTION = "decide_no_objection"
    OBJECT = "object"
    OPEN_PUBLIC_INPUT = "open_public_input"
    START_VALIDATION = "start_validation"
    VALIDATE = "validate"
    GIVE_NEGATIVE_OPINION = "give_negative_opinion"
    RESUBMIT_PDD = "resubmit_pdd"
    REQUEST_REGISTRATION = "request_registration"
    ACCEPT_REGISTRATION_REQUEST = "accept_registration_request"
    REGISTER = "register"
    REJECT_REGISTRATION = "reject_registration"
    WITHDRAW_REGISTRATION_REQUEST = "withdraw_registration_request"
    REQUEST_ALLOCATION_CHANGE = "request_allocation_change"
    REQUEST_PARTICIPANT_CHANGE = "request_participant_change"
    APPROVE_CHANGE = "approve_change"
    REJECT_CHANGE = "reject_change"
    REQUEST_RENEWAL = "request_renewal"
    APPROVE_RENEWAL = "approve_renewal"
    REJECT_RENEWAL = "reject_renewal"
    WITHDRAW_PROJECT = "withdraw_project"


@dataclass(frozen=True, slots=True)
class Participant:
    """A project participant; the MoC statement names one focal point [C:S1] (at most one [I])."""

    organisation_id: str
    side: Side
    focal_point: bool = False

    def to_json(self) -> JsonValue:
        return {
            "organisation": self.organisation_id,
            "side": self.side.value,
            "focal_point": self.focal_point,
        }


@dataclass(frozen=True, slots=True)
class CreditingPeriod:
    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise InvalidInput(
                "P8_BAD_CREDITING_PERIOD", "A crediting period needs a start and an end date."
            )
        if self.end < self.start:
            raise InvalidInput(
                "P8_BAD_CREDITING_PERIOD",
                f"Crediting period ends ({self.end}) before it starts ({self.start}).",
                start=self.start.isoformat(),
                end=self.end.isoformat(),
            )

    def contains(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def to_json(self) -> JsonValue:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


# -- payloads: the details some steps carry -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Allocation:
    """The credit allocation form: holding accounts and percentages summing to 100 [C:S4]."""

    shares: tuple[AllocationShare, ...]


@dataclass(frozen=True, slots=True)
class Participants:
    """A post-registration change of the project participants [C:S4 form 3.12]."""

    participants: tuple[Participant, ...]


@dataclass(frozen=True, slots=True)
class Renewal:
    """A renewal of the crediting period to a new end date [C:S4 form 3.10]."""

    end: date


@dataclass(frozen=True, slots=True)
class ProjectProposal:
    """What the PIN (or, without a PIN, the PDD) states about a planned project."""

    project_id: str
    title: str
    methodology_id: str
    methodology_version: str
    sectoral_scope: int
    participants: tuple[Participant, ...]
    crediting_period: CreditingPeriod


# -- the aggregate ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    title: str
    methodology_id: str
    methodology_version: str
    sectoral_scope: int
    participants: tuple[Participant, ...]
    crediting_period: CreditingPeriod
    rule_book: str
    state: ProjectState
    shares: tuple[AllocationShare, ...] = ()
    validator: str | None = None  # the TPE engaged for validation
    public_input_opened: date | None = None
    registered_on: date | None = None
    pending: Allocation | Participants | Renewal | None = None
    documents: tuple[DocumentRef, ...] = field(default_factory=tuple)
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)

    @property
    def partner(self) -> str:
        return self.id[:2]

    @property
    def is_registered(self) -> bool:
        return self.state in REGISTERED_STATES

    @property
    def last_on(self) -> date | None:
        return self.history[-1].on if self.history else None

    def participant_ids(self) -> frozenset[str]:
        return frozenset(p.organisation_id for p in self.participants)

    def public_input_closes_on(self, rules: RuleBook) -> date | None:
        """The first day the PDD window is closed: opened + N days (open N whole days) [I]."""
        if self.public_input_opened is None:
            return None
        return self.public_input_opened + timedelta(days=rules.pdd_public_input_days)

    def access(self, tpes: Sequence[str] = ()) -> DocumentAccess:
        """Who may read the confidential versions of this project's documents [I]."""
        engaged = {t for t in (self.validator, *tpes) if t is not None}
        return DocumentAccess(self.partner, self.participant_ids(), frozenset(engaged))


def _subject(project: Project) -> Subject:
    return Subject(
        label=f"project {project.id}",
        state=project.state.value,
        partner=project.partner,
        scope=project.sectoral_scope,
        participants=project.participant_ids(),
        engaged_tpe=project.validator,
        documents=project.documents,
        last_on=project.last_on,
    )


# -- the transition table -------------------------------------------------------------------

_PP = frozenset({Role.PROJECT_PARTICIPANT})
_TPE = frozenset({Role.TPE})
_JC = frozenset({Role.JC_MEMBER})
_SEC = frozenset({Role.SECRETARIAT})
_K = DocumentKind
_S = ProjectState
_A = ProjectAction
_VAL = TpeFunction.VALIDATION
_REGISTRATION_FILE = frozenset(
    {_K.PDD, _K.MODALITIES_OF_COMMUNICATION, _K.MONITORING_PLAN, _K.VALIDATION_REPORT}
)

PT = Transition[ProjectState, ProjectAction]
PROJECT_TRANSITIONS: tuple[PT, ...] = (
    Transition(None, _A.SUBMIT_PIN, _S.PIN_SUBMITTED, _PP, frozenset({_K.PIN}), basis="[C:S4,S6]"),
    Transition(
        None,
        _A.SUBMIT_PDD,
        _S.PDD_SUBMITTED,
        _PP,
        frozenset({_K.PDD, _K.MODALITIES_OF_COMMUNICATION, _K.MONITORING_PLAN}),
        guards=(Guard.PIN_NOT_REQUIRED,),
        basis="[C:S9] rule sets without PIN; monitoring plan as its own document [I]",
    ),
    Transition(_S.PIN_SUBMITTED, _A.DECIDE_NO_OBJECTION, _S.NO_OBJECTION, _JC, basis="[C:S6]"),
    Transition(_S.PIN_SUBMITTED, _A.OBJECT, _S.PIN_OBJECTED, _JC, basis="[I]"),
    Transition(
        _S.NO_OBJECTION,
        _A.SUBMIT_PDD,
        _S.PDD_SUBMITTED,
        _PP,
        frozenset({_K.PDD, _K.MODALITIES_OF_COMMUNICATION, _K.MONITORING_PLAN}),
        basis="[C:S4] forms; monitoring plan as its own document [I]",
    ),
    Transition(
        _S.PDD_SUBMITTED,
        _A.OPEN_PUBLIC_INPUT,
        _S.PUBLIC_INPUT,
        _TPE | _SEC,
        on_file=frozenset({_K.PDD}),
        tpe_function=_VAL,
        basis="[C:S14] publication of the PDD; by secretariat or TPE, N days [I]",
    ),
    Transition(
        _S.PUBLIC_INPUT,
        _A.START_VALIDATION,
        _S.UNDER_VALIDATION,
        _TPE,
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        tpe_function=_VAL,
        engaged_tpe=True,
        basis="[C:S7,S14] TPE validates; after the window [I]",
    ),
    Transition(
        _S.UNDER_VALIDATION,
        _A.VALIDATE,
        _S.VALIDATED,
        _TPE,
        frozenset({_K.VALIDATION_REPORT}),
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        tpe_function=_VAL,
        engaged_tpe=True,
        basis="[C:S4] validation report form 3.4",
    ),
    Transition(
        _S.UNDER_VALIDATION,
        _A.GIVE_NEGATIVE_OPINION,
        _S.NOT_VALIDATED,
        _TPE,
        frozenset({_K.VALIDATION_REPORT}),
        tpe_function=_VAL,
        engaged_tpe=True,
        basis="[I] negative validation opinion",
    ),
    Transition(
        _S.NOT_VALIDATED,
        _A.RESUBMIT_PDD,
        _S.PDD_SUBMITTED,
        _PP,
        frozenset({_K.PDD}),
        basis="[I] a revised PDD starts a new public-input window",
    ),
    Transition(
        _S.VALIDATED,
        _A.REQUEST_REGISTRATION,
        _S.REGISTRATION_REQUESTED,
        _PP,
        frozenset({_K.REGISTRATION_REQUEST, _K.CREDIT_ALLOCATION_FORM}),
        on_file=_REGISTRATION_FILE,
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        payload=Allocation,
        basis="[C:S4] forms 3.5, 3.6 with PDD, MoC, validation report",
    ),
    Transition(
        _S.REGISTRATION_REQUESTED,
        _A.ACCEPT_REGISTRATION_REQUEST,
        _S.UNDER_JC_CONSIDERATION,
        _SEC,
        on_file=_REGISTRATION_FILE | {_K.REGISTRATION_REQUEST, _K.CREDIT_ALLOCATION_FORM},
        basis="[C:S9] secretariat completeness check; state name [I]",
    ),
    Transition(
        _S.UNDER_JC_CONSIDERATION,
        _A.REGISTER,
        _S.REGISTERED,
        _JC,
        on_file=_REGISTRATION_FILE | {_K.REGISTRATION_REQUEST, _K.CREDIT_ALLOCATION_FORM},
        guards=(Guard.PDD_PUBLIC_INPUT_CLOSED,),
        basis="[C:S7,S8] JC registration decision",
    ),
    Transition(_S.UNDER_JC_CONSIDERATION, _A.REJECT_REGISTRATION, _S.REJECTED, _JC, basis="[I]"),
    Transition(
        _S.REGISTRATION_REQUESTED,
        _A.WITHDRAW_REGISTRATION_REQUEST,
        _S.REGISTRATION_WITHDRAWN,
        _PP,
        frozenset({_K.REGISTRATION_REQUEST_WITHDRAWAL}),
        basis="[C:S4] form 3.14",
    ),
    Transition(
        _S.UNDER_JC_CONSIDERATION,
        _A.WITHDRAW_REGISTRATION_REQUEST,
        _S.REGISTRATION_WITHDRAWN,
        _PP,
        frozenset({_K.REGISTRATION_REQUEST_WITHDRAWAL}),
        basis="[C:S4] form 3.14",
    ),
    Transition(
        _S.REGISTERED,
        _A.REQUEST_ALLOCATION_CHANGE,
        _S.CHANGE_REQUESTED,
        _PP,
        frozenset({_K.POST_REGISTRATION_CHANGES_REQUEST, _K.CREDIT_ALLOCATION_FORM}),
        payload=Allocation,
        basis="[C:S4] forms 3.12 and 3.5; decided by the JC [I]",
    ),
    Transition(
        _S.REGISTERED,
        _A.REQUEST_PARTICIPANT_CHANGE,
        _S.CHANGE_REQUESTED,
        _PP,
        frozenset({_K.POST_REGISTRATION_CHANGES_REQUEST, _K.MODALITIES_OF_COMMUNICATION}),
        payload=Participants,
        basis="[C:S4] forms 3.12 and 3.2; decided by the JC [I]",
    ),
    Transition(_S.CHANGE_REQUESTED, _A.APPROVE_CHANGE, _S.REGISTERED, _JC, basis="[I]"),
    Transition(_S.CHANGE_REQUESTED, _A.REJECT_CHANGE, _S.REGISTERED, _JC, basis="[I]"),
    Transition(
        _S.REGISTERED,
        _A.REQUEST_RENEWAL,
        _S.RENEWAL_REQUESTED,
        _PP,
        frozenset({_K.CREDITING_PERIOD_RENEWAL_REQUEST}),
        payload=Renewal,
        basis="[C:S4] form 3.10; decided by the JC [I]",
    ),
    Transition(_S.RENEWAL_REQUESTED, _A.APPROVE_RENEWAL, _S.REGISTERED, _JC, basis="[I]"),
    Transition(_S.RENEWAL_REQUESTED, _A.REJECT_RENEWAL, _S.REGISTERED, _JC, basis="[I]"),
    Transition(
        _S.REGISTERED,
        _A.WITHDRAW_PROJECT,
        _S.WITHDRAWN,
        _PP,
        frozenset({_K.PROJECT_WITHDRAWAL_REQUEST}),
        basis="[C:S4] form 3.13",
    ),
)


# -- input checks ----------------------------------------------------------------------------


def check_participants(participants: Sequence[Participant]) -> tuple[Participant, ...]:
    items = tuple(participants)
    if not items or not all(isinstance(p, Participant) for p in items):
        raise InvalidInput("P8_BAD_PARTICIPANTS", "A project needs at least one participant.")
    ids = [p.organisation_id for p in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            f"Participants {', '.join(duplicates)} are listed more than once.",
            duplicates=duplicates,
        )
    for p in items:
        Side(p.side)
        Actor(p.organisation_id, Role.PROJECT_PARTICIPANT, p.side)  # same id rules
    if sum(p.focal_point for p in items) > 1:
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            "The Modalities of Communication name one focal point; "
            f"{', '.join(p.organisation_id for p in items if p.focal_point)} are all marked.",
        )
    return items


def check_shares(partner: str, shares: Sequence[AllocationShare]) -> tuple[AllocationShare, ...]:
    """Shares sum to exactly 100 (the registry's I7 rules) over JP or partner holding accounts."""
    items = tuple(shares)
    if not all(isinstance(s, AllocationShare) for s in items):
        raise InvalidInput("P8_BAD_SHARES", "Allocation shares must be AllocationShare values.")
    allocate(1, items)  # raises I7_BAD_ALLOCATION: empty, duplicates, not > 0, sum != 100
    for share in items:
        match = _SHARE_ACCOUNT.match(share.account_id)
        if match is None or match.group(1) not in (JAPAN, partner):
            raise InvalidInput(
                "P8_BAD_SHARES",
                f"Allocation account {share.account_id} is not a government or entity holding "
                f"account of registry {JAPAN} or {partner} (e.g. {partner}-ENT-0004).",
                account=share.account_id,
            )
    return items


def check_proposal(proposal: ProjectProposal) -> str:
    project_id = parse_project_id(proposal.project_id)
    partner = project_id[:2]
    title = proposal.title.strip() if isinstance(proposal.title, str) else ""
    if not title or len(title) > 300:
        raise InvalidInput(
            "P8_BAD_TITLE",
            f"Project {project_id} needs a title of 1-300 characters.",
            project=project_id,
        )
    match = _APPROVED_METHODOLOGY.match(proposal.methodology_id)
    if match is None or match.group(1) != partner:
        raise InvalidInput(
            "P8_BAD_METHODOLOGY",
            f"Methodology {proposal.methodology_id!r} of project {project_id} must be an "
            f"approved methodology of the {partner} Joint Committee, e.g. {partner}_AM001 "
            "[C: ids <CC>_AM###].",
            methodology=proposal.methodology_id,
        )
    if not _VERSION.match(proposal.methodology_version):
        raise InvalidInput(
            "P8_BAD_METHODOLOGY",
            f"Methodology version {proposal.methodology_version!r} must look like 1.0.",
            version=proposal.methodology_version,
        )
    check_scope(proposal.sectoral_scope)
    check_participants(proposal.participants)
    if not isinstance(proposal.crediting_period, CreditingPeriod):
        raise InvalidInput("P8_BAD_CREDITING_PERIOD", "A crediting period is required.")
    return project_id


# -- guards ----------------------------------------------------------------------------------


def _guard(
    project: Project, actor: Actor, on: date, rules: RuleBook
) -> Callable[[Guard, PT], None]:
    def guard(g: Guard, row: PT) -> None:
        if g is Guard.PIN_NOT_REQUIRED:
            if rules.pin_required:
                raise RuleViolation(
                    "P4_PIN_REQUIRED",
                    f"{actor.describe()} cannot start project {project.id} with its PDD: rule "
                    f"book {rules.version} requires a Project Idea Note and the JC's "
                    "no-objection decision first [C:S6].",
                    project=project.id,
                    rule_book=rules.version,
                )
        elif g is Guard.PDD_PUBLIC_INPUT_CLOSED:
            closes = project.public_input_closes_on(rules)
            if closes is None or on < closes:
                opened = project.public_input_opened
                window = (
                    f"opened on {opened.isoformat()} for {rules.pdd_public_input_days} days; "
                    f"{row.action.value} is possible from {closes.isoformat()}"
                    if opened is not None and closes is not None
                    else "has not been opened"
                )
                raise RuleViolation(
                    "P3_TOO_EARLY",
                    f"{actor.describe()} cannot {row.action.value} project {project.id} "
                    f"(state {project.state.value}) on {on.isoformat()}: the PDD public-input "
                    f"window {window}.",
                    project=project.id,
                    state=project.state.value,
                    action=row.action.value,
                    on=on.isoformat(),
                    opened=opened.isoformat() if opened else None,
                    closes_on=closes.isoformat() if closes else None,
                    days=rules.pdd_public_input_days,
                )
        else:  # pragma: no cover - a table row names a guard this machine does not know
            raise AssertionError(f"guard {g} does not apply to projects")

    return guard


# -- steps -----------------------------------------------------------------------------------


def _project_json(project: Project) -> dict[str, JsonValue]:
    return {
        "title": project.title,
        "partner": project.partner,
        "methodology": {"id": project.methodology_id, "version": project.methodology_version},
        "sectoral_scope": project.sectoral_scope,
        "participants": [p.to_json() for p in project.participants],
        "crediting_period": project.crediting_period.to_json(),
    }


def shares_json(shares: Sequence[AllocationShare]) -> JsonValue:
    return [{"account": s.account_id, "share_pct": str(s.share_pct)} for s in shares]


def start_project(
    proposal: ProjectProposal,
    actor: Actor,
    on: date,
    *,
    documents: Sequence[DocumentRef] = (),
    action: ProjectAction = ProjectAction.SUBMIT_PIN,
    rules: RuleBook = DEFAULT_RULE_BOOK,
) -> tuple[Project, Event]:
    """Create a project with its PIN (or, where the rule book allows, its PDD)."""
    project_id = check_proposal(proposal)
    draft = Project(
        id=project_id,
        title=proposal.title.strip(),
        methodology_id=proposal.methodology_id,
        methodology_version=proposal.methodology_version,
        sectoral_scope=proposal.sectoral_scope,
        participants=tuple(proposal.participants),
        crediting_period=proposal.crediting_period,
        rule_book=rules.version,
        state=ProjectState.PIN_SUBMITTED,  # placeholder until the row gives the target
    )
    subject = replace(_subject(draft), state=None)
    row = check_step(
        PROJECT_TRANSITIONS,
        subject,
        None,
        action,
        actor,
        on,
        documents,
        None,
        _guard(draft, actor, on, rules),
    )
    entry = history_entry(row, row.target, actor, on, documents)
    project = replace(
        draft,
        state=row.target,
        documents=merge_documents((), documents),
        history=(entry,),
    )
    return project, make_event(
        "project", project.id, entry, actor, rules.version, _project_json(project)
    )


def advance_project(
    project: Project,
    action: ProjectAction,
    actor: Actor,
    on: date,
    *,
    documents: Sequence[DocumentRef] = (),
    payload: Allocation | Participants | Renewal | None = None,
    rules: RuleBook = DEFAULT_RULE_BOOK,
) -> tuple[Project, Event]:
    """Take one step on ``project``; return the new project and its log event."""
    check_rule_book(f"Project {project.id}", project.rule_book, rules)
    row = check_step(
        PROJECT_TRANSITIONS,
        _subject(project),
        project.state,
        action,
        actor,
        on,
        documents,
        payload,
        _guard(project, actor, on, rules),
    )
    if action in _VALIDATION_STEPS:
        changes, extra = _validation_effects(action, actor, on, rules)
    elif action in _REQUESTS:
        changes, extra = _request_effects(project, action, payload)
    else:
        changes, extra = _decision_effects(project, action, on)
    entry = history_entry(row, row.target, actor, on, documents)
    new = replace(
        project,
        state=row.target,
        documents=merge_documents(project.documents, documents),
        history=(*project.history, entry),
        **changes,  # type: ignore[arg-type]
    )
    return new, make_event("project", project.id, entry, actor, rules.version, extra)


# What a step changes in the project, and what its log event adds.
_Effects = tuple[dict[str, object], dict[str, JsonValue]]
_VALIDATION_STEPS = (_A.OPEN_PUBLIC_INPUT, _A.START_VALIDATION, _A.RESUBMIT_PDD)
_REQUESTS = (
    _A.REQUEST_REGISTRATION,
    _A.REQUEST_ALLOCATION_CHANGE,
    _A.REQUEST_PARTICIPANT_CHANGE,
    _A.REQUEST_RENEWAL,
)


def _validation_effects(action: ProjectAction, actor: Actor, on: date, rules: RuleBook) -> _Effects:
    changes: dict[str, object] = {}
    extra: dict[str, JsonValue] = {}
    if action is _A.OPEN_PUBLIC_INPUT:
        changes["public_input_opened"] = on
        closes = on + timedelta(days=rules.pdd_public_input_days)
        extra["public_input"] = {
            "opened": on.isoformat(),
            "days": rules.pdd_public_input_days,
            "closes_on": closes.isoformat(),
        }
        if actor.role is Role.TPE:
            changes["validator"] = actor.organisation_id
    elif action is _A.START_VALIDATION:
        changes["validator"] = actor.organisation_id
        extra["validator"] = actor.organisation_id
    else:  # RESUBMIT_PDD
        changes.update(public_input_opened=None, validator=None)
    return changes, extra


def _request_effects(
    project: Project,
    action: ProjectAction,
    payload: Allocation | Participants | Renewal | None,
) -> _Effects:
    if action is _A.REQUEST_PARTICIPANT_CHANGE:
        assert isinstance(payload, Participants)
        participants = check_participants(payload.participants)
        return {"pending": Participants(participants)}, {
            "participants": [p.to_json() for p in participants]
        }
    if action is _A.REQUEST_RENEWAL:
        assert isinstance(payload, Renewal)
        return _renewal_effects(project, payload)
    assert isinstance(payload, Allocation)
    shares = check_shares(project.partner, payload.shares)
    changes: dict[str, object] = (
        {"shares": shares} if action is _A.REQUEST_REGISTRATION else {"pending": Allocation(shares)}
    )
    return changes, {"shares": shares_json(shares)}


def _renewal_effects(project: Project, payload: Renewal) -> _Effects:
    current = project.crediting_period
    if not isinstance(payload.end, date) or payload.end <= current.end:
        raise InvalidInput(
            "P8_BAD_CREDITING_PERIOD",
            f"The renewed crediting period of project {project.id} must end after the "
            f"current end {current.end.isoformat()}, got {payload.end!r}.",
            project=project.id,
            current_end=current.end.isoformat(),
        )
    return {"pending": payload}, {
        "crediting_period": CreditingPeriod(current.start, payload.end).to_json()
    }


def _decision_effects(project: Project, action: ProjectAction, on: date) -> _Effects:
    changes: dict[str, object] = {}
    extra: dict[str, JsonValue] = {}
    if action is _A.REGISTER:
        changes["registered_on"] = on
        extra["shares"] = shares_json(project.shares)
        extra.update(_project_json(project))
    elif action is _A.APPROVE_CHANGE:
        pending = project.pending
        if isinstance(pending, Allocation):
            changes["shares"] = pending.shares
            extra["shares"] = shares_json(pending.shares)
        elif isinstance(pending, Participants):
            changes["participants"] = pending.participants
            extra["participants"] = [p.to_json() for p in pending.participants]
        changes["pending"] = None
    elif action is _A.APPROVE_RENEWAL:
        assert isinstance(project.pending, Renewal)
        period = CreditingPeriod(project.crediting_period.start, project.pending.end)
        changes.update(crediting_period=period, pending=None)
        extra["crediting_period"] = period.to_json()
    elif action in (_A.REJECT_CHANGE, _A.REJECT_RENEWAL):
        changes["pending"] = None
    return changes, extra
