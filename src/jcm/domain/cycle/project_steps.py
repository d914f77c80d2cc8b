"""The project's steps: :func:`start_project` and :func:`advance_project`, with their guards.

Every step is a pure function: it checks the row of
:data:`~jcm.domain.cycle.project_transitions.PROJECT_TRANSITIONS` for the action (roles,
documents, dates, guards), then returns a new :class:`~jcm.domain.cycle.project.Project` and
an event for the transparency log, or raises a :class:`~jcm.domain.errors.JcmError` and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.cycle.documents import DocumentRef
from jcm.domain.cycle.jsonvalues import Event, JsonValue
from jcm.domain.cycle.machine import (
    Guard,
    Subject,
    check_step,
    history_entry,
    make_event,
    merge_documents,
)
from jcm.domain.cycle.project import (
    Allocation,
    CreditingPeriod,
    Participants,
    Project,
    ProjectAction,
    ProjectProposal,
    ProjectState,
    Renewal,
)
from jcm.domain.cycle.project_rules import check_participants, check_proposal, check_shares
from jcm.domain.cycle.project_transitions import PROJECT_TRANSITIONS, PT
from jcm.domain.cycle.rules import DEFAULT_RULE_BOOK, RuleBook, check_rule_book
from jcm.domain.errors import InvalidInput, RuleViolation
from jcm.domain.registry.allocation import AllocationShare

_A = ProjectAction


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
