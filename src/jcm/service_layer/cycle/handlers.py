"""Use cases of the project cycle. Each runs inside one unit of work.

A step locks its aggregate, asks the pure state machine in :mod:`jcm.domain.cycle` for the
new value and its event, stores both (the event goes to the transparency log in the same
database transaction) and, for the two steps that reach the registry, calls the registry's
own handlers: the JC decision records the issuance decision (checks I1-I8), and each
registry manager's ``record_issuance`` issues its side's lines. A refusal anywhere rolls the
whole unit of work back, so nothing is half done.
"""

from __future__ import annotations

from jcm.domain.cycle import (
    Allocation,
    Approval,
    Methodology,
    MethodologyAction,
    Participants,
    ProjectAction,
    Renewal,
    Role,
    advance_methodology,
    advance_project,
    codec,
    propose_methodology,
    propose_revision,
    start_project,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.designation import designate_tpe
from jcm.domain.cycle.jsonvalues import Event
from jcm.domain.errors import (
    InvalidInput,
    NotFound,
    RuleViolation,
)
from jcm.domain.identity.access import REGISTER_RULES
from jcm.service_layer.authority import check_may
from jcm.service_layer.cycle.lookups import (
    check_date,
    check_eligible,
    check_methodology_known,
    check_participants,
    check_share_accounts,
    log_step,
    methodology_or_404,
    parameters_json,
    parse_action,
    project_or_404,
    refuse_unused,
    resolve_actor,
    rule_book,
)
from jcm.service_layer.cycle.results import (
    MethodologyChanged,
    MethodologySummary,
    ProjectChanged,
    ProjectSummary,
    RuleBookDefined,
    TpeDesignated,
)
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.results import JsonObject, extend, to_json_object

# -- actors and rule books ---------------------------------------------------------------------


def designate(uow: UnitOfWork, cmd: cc.DesignateTpe) -> TpeDesignated:
    by = resolve_actor(uow, cmd.by)
    on = check_date(uow, cmd.on)
    found = uow.cycle.get_actor(cmd.tpe, Role.TPE)
    if found is None:
        raise NotFound(
            "P1_UNKNOWN_ACTOR",
            f"{cmd.tpe!r} is not registered as a TPE.",
            organisation=cmd.tpe,
        )
    tpe, name = found
    updated, event = designate_tpe(
        tpe, by, cmd.partner, cmd.scopes, cmd.functions, on, withdraw=cmd.withdraw
    )
    uow.cycle.put_actor(updated, name, uow.now)
    log_step(uow, event)
    return TpeDesignated(_object(codec.actor_to_json(updated)), name, event["change"])


def define_rule_book(uow: UnitOfWork, cmd: cc.DefineRuleBook) -> RuleBookDefined:
    check_may(uow, "define_rule_book", rules=REGISTER_RULES)
    rules = cmd.rules
    if uow.cycle.get_rule_book(rules.version) is not None:
        raise RuleViolation(
            "P8_RULE_BOOK_EXISTS",
            f"Rule book {rules.version!r} is already defined and cannot change, because "
            "projects may run under it; define a new version instead.",
            rule_book=rules.version,
        )
    uow.cycle.add_rule_book(rules, uow.now)
    result = RuleBookDefined(_object(codec.rule_book_to_json(rules)))
    uow.ledger.add_event("rule_book.defined", None, to_json_object(result), uow.now)
    return result


# -- projects ----------------------------------------------------------------------------------


def _object(value: object) -> JsonObject:
    """A codec document, which is always a JSON object."""
    assert isinstance(value, dict)
    return value


def start(uow: UnitOfWork, cmd: cc.StartProject) -> ProjectChanged:
    actor = resolve_actor(uow, cmd.by)
    on = check_date(uow, cmd.on)
    rules = rule_book(uow, cmd.rule_book)
    action = ProjectAction.SUBMIT_PDD if cmd.with_pdd else ProjectAction.SUBMIT_PIN
    project, event = start_project(
        cmd.proposal, actor, on, documents=cmd.documents, action=action, rules=rules
    )
    if uow.cycle.get_project(project.id, lock=True) is not None:
        raise RuleViolation(
            "P4_PROJECT_EXISTS",
            f"Project {project.id} already exists; one project id is started once.",
            project=project.id,
        )
    check_methodology_known(uow, project)
    check_participants(uow, project.participants)
    parameters = parameters_json(cmd.parameters)
    check_eligible(project, parameters)
    uow.cycle.put_project(project, uow.now, new=True, parameters=parameters)
    log_step(uow, event, **({"parameters": parameters} if parameters else {}))
    return extend(ProjectChanged, ProjectSummary.of(project))


def project_step(uow: UnitOfWork, cmd: cc.ProjectStep) -> ProjectChanged:
    actor = resolve_actor(uow, cmd.by)
    on = check_date(uow, cmd.on)
    action = parse_action(ProjectAction, cmd.action, "project")
    refuse_unused(
        action.value,
        {
            "allocation shares": bool(cmd.shares)
            and action
            not in (ProjectAction.REQUEST_REGISTRATION, ProjectAction.REQUEST_ALLOCATION_CHANGE),
            "participants": bool(cmd.participants)
            and action is not ProjectAction.REQUEST_PARTICIPANT_CHANGE,
            "renewal end": cmd.renewal_end is not None
            and action is not ProjectAction.REQUEST_RENEWAL,
            "PDD parameters": cmd.parameters is not None
            and action not in (ProjectAction.SUBMIT_PDD, ProjectAction.RESUBMIT_PDD),
        },
    )
    project = project_or_404(uow, cmd.project_id, lock=True)
    rules = rule_book(uow, project.rule_book)
    payload: Allocation | Participants | Renewal | None = None
    if action in (ProjectAction.REQUEST_REGISTRATION, ProjectAction.REQUEST_ALLOCATION_CHANGE):
        payload = Allocation(cmd.shares)
    elif action is ProjectAction.REQUEST_PARTICIPANT_CHANGE:
        payload = Participants(cmd.participants)
    elif action is ProjectAction.REQUEST_RENEWAL:
        if cmd.renewal_end is None:
            raise InvalidInput(
                "P8_MISSING_PAYLOAD",
                f"Renewing the crediting period of project {project.id} needs the new end date.",
                project=project.id,
            )
        payload = Renewal(cmd.renewal_end)
    new, event = advance_project(
        project, action, actor, on, documents=cmd.documents, payload=payload, rules=rules
    )
    if isinstance(payload, Allocation):
        check_share_accounts(uow, payload.shares)
    elif isinstance(payload, Participants):
        check_participants(uow, payload.participants)
    parameters = None
    if action in (ProjectAction.SUBMIT_PDD, ProjectAction.RESUBMIT_PDD):
        parameters = parameters_json(cmd.parameters)
        check_eligible(new, parameters)
    uow.cycle.put_project(new, uow.now, new=False, parameters=parameters)
    log_step(uow, event, **({"parameters": parameters} if parameters else {}))
    return extend(ProjectChanged, ProjectSummary.of(new))


# -- methodologies -----------------------------------------------------------------------------


def _store_new_methodology(uow: UnitOfWork, m: Methodology, event: Event) -> MethodologyChanged:
    if uow.cycle.get_methodology(codec.methodology_key(m), lock=True) is not None:
        raise RuleViolation(
            "P4_METHODOLOGY_EXISTS",
            f"Methodology {m.id} v{m.version} was already proposed.",
            methodology=m.id,
        )
    uow.cycle.put_methodology(m, uow.now, new=True)
    log_step(uow, event)
    return extend(MethodologyChanged, MethodologySummary.of(m))


def propose(uow: UnitOfWork, cmd: cc.ProposeMethodology) -> MethodologyChanged:
    actor = resolve_actor(uow, cmd.by)
    on = check_date(uow, cmd.on)
    rules = rule_book(uow, cmd.rule_book)
    m, event = propose_methodology(
        cmd.proposal_id,
        cmd.title,
        cmd.sectoral_scope,
        actor,
        on,
        documents=cmd.documents,
        rules=rules,
    )
    return _store_new_methodology(uow, m, event)


def revise(uow: UnitOfWork, cmd: cc.ReviseMethodology) -> MethodologyChanged:
    actor = resolve_actor(uow, cmd.by)
    on = check_date(uow, cmd.on)
    current = methodology_or_404(uow, cmd.methodology_id, cmd.version)
    rules = rule_book(uow, cmd.rule_book)
    m, event = propose_revision(
        current, actor, on, documents=cmd.documents, title=cmd.title, rules=rules
    )
    return _store_new_methodology(uow, m, event)


def methodology_step(uow: UnitOfWork, cmd: cc.MethodologyStep) -> MethodologyChanged:
    actor = resolve_actor(uow, cmd.by)
    on = check_date(uow, cmd.on)
    action = parse_action(MethodologyAction, cmd.action, "methodology")
    if action in (MethodologyAction.PROPOSE, MethodologyAction.PROPOSE_REVISION):
        raise InvalidInput(
            "P8_BAD_ACTION",
            "A methodology version is created by a proposal or a revision, not by a step.",
            action=cmd.action,
        )
    found = methodology_or_404(uow, cmd.methodology_id, cmd.version)
    m = uow.cycle.get_methodology(codec.methodology_key(found), lock=True) or found
    rules = rule_book(uow, m.rule_book)
    payload = Approval(cmd.approved_id) if action is MethodologyAction.APPROVE else None
    new, event = advance_methodology(
        m, action, actor, on, documents=cmd.documents, payload=payload, rules=rules
    )
    uow.cycle.put_methodology(new, uow.now, new=False)
    log_step(uow, event)
    return extend(MethodologyChanged, MethodologySummary.of(new))
