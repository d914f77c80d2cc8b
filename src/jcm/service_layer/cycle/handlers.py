"""Use cases of the project cycle. Each runs inside one unit of work.

A step locks its aggregate, asks the pure state machine in :mod:`jcm.domain.cycle` for the
new value and its event, stores both (the event goes to the transparency log in the same
database transaction) and, for the two steps that reach the registry, calls the registry's
own handlers: the JC decision records the issuance decision (checks I1-I8), and each
registry manager's ``record_issuance`` issues its side's lines. A refusal anywhere rolls the
whole unit of work back, so nothing is half done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from jcm.domain import methodologies
from jcm.domain.cycle import (
    DEFAULT_RULE_BOOK,
    Actor,
    Allocation,
    Approval,
    JcDecision,
    Methodology,
    MethodologyAction,
    MethodologyState,
    MonitoringAction,
    MonitoringRequest,
    Participant,
    Participants,
    Project,
    ProjectAction,
    Renewal,
    Role,
    RuleBook,
    Verification,
    advance_methodology,
    advance_monitoring,
    advance_project,
    codec,
    propose_methodology,
    propose_revision,
    record_decision_command,
    registry_of,
    start_project,
    submit_monitoring_report,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.designation import designate_tpe
from jcm.domain.cycle.jsonvalues import Event, JsonValue
from jcm.domain.errors import (
    InvalidInput,
    IssuanceRuleViolation,
    JcmError,
    NotFound,
    RuleViolation,
)
from jcm.domain.methodologies.record import canonical_bytes
from jcm.domain.registry.accounts import check_can_receive_holding
from jcm.domain.registry.commands import Issue
from jcm.domain.registry.issuance import MonitoringPeriod
from jcm.service_layer.cycle.results import (
    ActorRegistered,
    CalculationSummary,
    MethodologyChanged,
    MethodologySummary,
    MonitoringStepped,
    MonitoringSummary,
    ProjectChanged,
    ProjectSummary,
    ReportSubmitted,
    RuleBookDefined,
    TpeDesignated,
)
from jcm.service_layer.methodologies.service import parse_fact
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry import handlers
from jcm.service_layer.results import JsonObject, extend, to_json, to_json_object

# -- look-ups ----------------------------------------------------------------------------------


def resolve_actor(uow: UnitOfWork, by: cc.ActingAs) -> Actor:
    found = uow.cycle.actors_of(by.organisation_id)
    if not found:
        raise NotFound(
            "P1_UNKNOWN_ACTOR",
            f"Organisation {by.organisation_id!r} is not registered in any cycle role.",
            organisation=by.organisation_id,
        )
    if by.role is not None:
        for actor, _ in found:
            if actor.role is by.role:
                return actor
        roles = ", ".join(a.role.value for a, _ in found)
        raise NotFound(
            "P1_UNKNOWN_ACTOR",
            f"Organisation {by.organisation_id} is registered as {roles}, not as {by.role.value}.",
            organisation=by.organisation_id,
            role=by.role.value,
        )
    if len(found) > 1:
        roles = ", ".join(a.role.value for a, _ in found)
        raise InvalidInput(
            "P1_AMBIGUOUS_ACTOR",
            f"Organisation {by.organisation_id} acts as {roles}; say which role it acts in.",
            organisation=by.organisation_id,
            roles=[a.role.value for a, _ in found],
        )
    return found[0][0]


def rule_book(uow: UnitOfWork, version: str) -> RuleBook:
    if version == DEFAULT_RULE_BOOK.version:
        return uow.cycle.get_rule_book(version) or DEFAULT_RULE_BOOK
    found = uow.cycle.get_rule_book(version)
    if found is None:
        known = ", ".join(r.version for r in uow.cycle.list_rule_books()) or "none besides default"
        raise NotFound(
            "P8_UNKNOWN_RULE_BOOK",
            f"There is no rule book {version!r} (defined: {known}).",
            rule_book=version,
        )
    return found


def project_or_404(uow: UnitOfWork, project_id: str, *, lock: bool = False) -> Project:
    found = uow.cycle.get_project(project_id.strip().upper(), lock=lock)
    if found is None:
        raise NotFound(
            "P4_UNKNOWN_PROJECT",
            f"There is no project {project_id!r} in the cycle.",
            project=project_id,
        )
    return found


def monitoring_or_404(
    uow: UnitOfWork, request_id: str, *, lock: bool = False
) -> tuple[MonitoringRequest, int | None]:
    found = uow.cycle.get_monitoring(request_id.strip().upper(), lock=lock)
    if found is None:
        raise NotFound(
            "P4_UNKNOWN_MONITORING",
            f"There is no monitoring period {request_id!r} (ids look like KE001-M001).",
            request=request_id,
        )
    return found


def _find_methodology(uow: UnitOfWork, methodology_id: str, version: str) -> Methodology | None:
    wanted = methodology_id.strip().upper()
    for m in uow.cycle.list_methodologies():
        if m.version == version and wanted in (m.id, m.proposal_id):
            return m
    return None


def methodology_or_404(uow: UnitOfWork, methodology_id: str, version: str) -> Methodology:
    found = _find_methodology(uow, methodology_id, version)
    if found is None:
        raise NotFound(
            "P4_UNKNOWN_METHODOLOGY",
            f"There is no proposed methodology {methodology_id} v{version} in the cycle.",
            methodology=methodology_id,
            version=version,
        )
    return found


def _action(enum: Any, text: str, what: str) -> Any:
    try:
        return enum(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_ACTION",
            f"{text!r} is not a {what} step; the steps are: "
            f"{', '.join(a.value.replace('_', '-') for a in enum)}.",
            action=text,
        ) from None


def _check_date(uow: UnitOfWork, given: date | None) -> date:
    """The step's date: as given, or today when the caller gave none (so a retry on
    another day is the same request)."""
    today = uow.now.date()
    on = today if given is None else given
    if on > today:
        raise InvalidInput(
            "P3_FUTURE_STEP",
            f"A step cannot be dated {on.isoformat()}, after today ({today.isoformat()}).",
            on=on.isoformat(),
            today=today.isoformat(),
        )
    return on


def _log(uow: UnitOfWork, event: Event, **extra: JsonValue) -> None:
    change = event["change"]
    kind = event["type"]
    assert isinstance(change, dict)
    assert isinstance(kind, str)
    uow.ledger.add_event(kind, None, {**change, **extra}, uow.now)


def _parameters_json(parameters: cc.ExAnteParameters | None) -> dict[str, Any] | None:
    if parameters is None:
        return None
    return {
        "facts": {name: value for name, value in parameters.facts},
        "fixed": {name: [value, unit] for name, (value, unit) in parameters.fixed},
    }


def _check_methodology_known(uow: UnitOfWork, project: Project) -> None:
    """The project applies an executable methodology version, or a valid one of the cycle."""
    try:
        methodologies.get(project.methodology_id, project.methodology_version)
        return
    except JcmError:
        found = _find_methodology(uow, project.methodology_id, project.methodology_version)
        if found is not None and found.state is MethodologyState.VALID:
            return
    raise NotFound(
        "P8_UNKNOWN_METHODOLOGY",
        f"Project {project.id} applies {project.methodology_id} v"
        f"{project.methodology_version}, which is neither an executable methodology "
        "on this platform nor a valid methodology of the cycle.",
        project=project.id,
        methodology=project.methodology_id,
        version=project.methodology_version,
    )


def _check_participants(uow: UnitOfWork, participants: Sequence[Participant]) -> None:
    """Every participant is a registered project participant of the side it is listed on."""
    for p in participants:
        found = uow.cycle.get_actor(p.organisation_id, Role.PROJECT_PARTICIPANT)
        if found is None:
            raise NotFound(
                "P1_UNKNOWN_ACTOR",
                f"Participant {p.organisation_id} is not registered as a project participant "
                f"on the {p.side.value} side.",
                organisation=p.organisation_id,
            )
        if found[0].side is not p.side:
            registered = found[0].side.value if found[0].side else "no side"
            raise InvalidInput(
                "P8_BAD_PARTICIPANTS",
                f"Participant {p.organisation_id} is listed on the {p.side.value} side but is "
                f"registered on the {registered} side.",
                organisation=p.organisation_id,
            )


def _check_share_accounts(uow: UnitOfWork, shares: tuple[Any, ...]) -> None:
    for share in shares:
        account = handlers.account_or_404(uow.ledger, share.account_id)
        check_can_receive_holding(account)


# -- actors and rule books ---------------------------------------------------------------------


def register_actor(uow: UnitOfWork, cmd: cc.RegisterActor) -> ActorRegistered:
    actor = Actor(cmd.organisation_id, cmd.role, cmd.side, cmd.partner, cmd.designations)
    name = cmd.name.strip()
    if not name or len(name) > 200:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"Actor {cmd.organisation_id} needs a name of 1-200 characters.",
            organisation=cmd.organisation_id,
        )
    uow.cycle.put_actor(actor, name, uow.now)
    result = ActorRegistered(_object(codec.actor_to_json(actor)), name)
    uow.ledger.add_event("actor.registered", None, to_json_object(result), uow.now)
    return result


def designate(uow: UnitOfWork, cmd: cc.DesignateTpe) -> TpeDesignated:
    by = resolve_actor(uow, cmd.by)
    on = _check_date(uow, cmd.on)
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
    _log(uow, event)
    return TpeDesignated(_object(codec.actor_to_json(updated)), name, event["change"])


def define_rule_book(uow: UnitOfWork, cmd: cc.DefineRuleBook) -> RuleBookDefined:
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
    on = _check_date(uow, cmd.on)
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
    _check_methodology_known(uow, project)
    _check_participants(uow, project.participants)
    parameters = _parameters_json(cmd.parameters)
    _check_eligible(project, parameters)
    uow.cycle.put_project(project, uow.now, new=True, parameters=parameters)
    _log(uow, event, **({"parameters": parameters} if parameters else {}))
    return extend(ProjectChanged, ProjectSummary.of(project))


def _refuse_unused(action: str, given: dict[str, bool]) -> None:
    """Details a step does not take are refused, never silently dropped."""
    unused = sorted(name for name, present in given.items() if present)
    if unused:
        raise InvalidInput(
            "P8_UNEXPECTED_PAYLOAD",
            f"The step {action} takes no {', '.join(unused)}; leave them out or name the step "
            "they belong to.",
            action=action,
            unused=unused,
        )


def project_step(uow: UnitOfWork, cmd: cc.ProjectStep) -> ProjectChanged:
    actor = resolve_actor(uow, cmd.by)
    on = _check_date(uow, cmd.on)
    action = _action(ProjectAction, cmd.action, "project")
    _refuse_unused(
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
        _check_share_accounts(uow, payload.shares)
    elif isinstance(payload, Participants):
        _check_participants(uow, payload.participants)
    parameters = None
    if action in (ProjectAction.SUBMIT_PDD, ProjectAction.RESUBMIT_PDD):
        parameters = _parameters_json(cmd.parameters)
        _check_eligible(new, parameters)
    uow.cycle.put_project(new, uow.now, new=False, parameters=parameters)
    _log(uow, event, **({"parameters": parameters} if parameters else {}))
    return extend(ProjectChanged, ProjectSummary.of(new))


# -- monitoring periods ------------------------------------------------------------------------


def _facts(stored: dict[str, Any]) -> dict[str, Any]:
    """Facts as the engine reads them: numeric text becomes Decimal (as on the CLI)."""
    return dict(
        parse_fact(f"{name}={value}") if isinstance(value, str) else (name, value)
        for name, value in (stored.get("facts") or {}).items()
    )


def _check_eligible(project: Project, parameters: dict[str, Any] | None) -> None:
    """A PDD's facts must pass the methodology's eligibility checklist [C:S9 criteria]."""
    if not parameters or not parameters.get("facts"):
        return
    try:
        methodology = methodologies.get(project.methodology_id, project.methodology_version)
    except JcmError:
        return  # a cycle-approved methodology without executable code: the TPE checks it
    result = methodology.check_eligibility(_facts(parameters))
    if not result.eligible:
        failed = [f"{r.criterion} ({r.reason})" for r in result.failures]
        raise RuleViolation(
            "P8_NOT_ELIGIBLE",
            f"Project {project.id} fails the eligibility criteria of {project.methodology_id} "
            f"v{project.methodology_version}: {'; '.join(failed)}. Correct the facts of the "
            "PDD or choose another methodology.",
            project=project.id,
            failed=[r.criterion for r in result.failures],
        )


def _calculate(
    uow: UnitOfWork, project: Project, period: MonitoringPeriod, cmd: cc.SubmitMonitoringReport
) -> methodologies.CalculationRecord:
    methodology = methodologies.get(project.methodology_id, project.methodology_version)
    stored = uow.cycle.project_parameters(project.id)
    facts = _facts(stored)
    fixed = {name: (str(v), str(u)) for name, (v, u) in (stored.get("fixed") or {}).items()}
    try:
        prepared = methodology.prepare(facts, fixed)
        return prepared.calculate(dict(cmd.values), period)
    except JcmError as error:
        where = cmd.source.get("sheet")
        parameter = error.details.get("parameter")
        if where and isinstance(parameter, str) and parameter in cmd.source:
            error.message = f"{where} column {cmd.source[parameter]} ({parameter}): {error.message}"
            error.args = (error.message,)
        elif parameter is not None and parameter not in dict(cmd.values):
            error.message += (
                f" Ex-ante parameters and facts of project {project.id} come from its PDD "
                "(its fixed parameters and facts)."
            )
            error.args = (error.message,)
        raise


def _reductions(
    uow: UnitOfWork, project: Project, period: MonitoringPeriod, cmd: cc.SubmitMonitoringReport
) -> tuple[str, str, int, str, str, bool, tuple[str, ...]]:
    """The period's reductions and their record: computed by the methodology where this
    platform has it executable, else as the participants report them (methodologies approved
    in the cycle before their code exists). Returns id, version, tCO2, digest, record text,
    whether the platform computed them and what of the calculation is illustrative."""
    reported = cmd.reported_reductions
    if reported is not None and (
        isinstance(reported, bool) or not isinstance(reported, int) or reported < 0
    ):
        raise InvalidInput(
            "P8_BAD_AMOUNT",
            f"Reported reductions must be a whole number of tCO2 ≥ 0, got {reported!r}.",
            project=project.id,
        )
    try:
        methodologies.get(project.methodology_id, project.methodology_version)
    except JcmError:
        if reported is None:
            raise InvalidInput(
                "P8_MISSING_PAYLOAD",
                f"Methodology {project.methodology_id} v{project.methodology_version} of "
                f"project {project.id} has no executable version on this platform; state the "
                "reductions the monitoring report calculates.",
                project=project.id,
                methodology=project.methodology_id,
            ) from None
        body = {
            "methodology": project.methodology_id,
            "version": project.methodology_version,
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "monitored": {name: [value, unit] for name, (value, unit) in cmd.values},
            "emission_reductions": reported,
            "computed": False,
            "note": "as reported by the project participants; not computed by this platform",
        }
        raw = canonical_bytes(body)
        digest = hashlib.sha256(raw).hexdigest()
        return (
            project.methodology_id,
            project.methodology_version,
            reported,
            digest,
            raw.decode("utf-8"),
            False,
            (),
        )
    record = _calculate(uow, project, period, cmd)
    if reported is not None and reported != record.er:
        raise IssuanceRuleViolation(
            "P7_REPORTED_DIFFERS",
            f"The monitoring report of project {project.id} for {period} states {reported} "
            f"tCO2, but {record.methodology} v{record.version} calculates {record.er} tCO2 from "
            "its values; correct the report or the values.",
            project=project.id,
            reported=reported,
            calculated=record.er,
        )
    return (
        record.methodology,
        record.version,
        record.er,
        record.digest,
        record.canonical().decode("utf-8"),
        True,
        record.illustrative,
    )


def submit_report(uow: UnitOfWork, cmd: cc.SubmitMonitoringReport) -> ReportSubmitted:
    actor = resolve_actor(uow, cmd.by)
    on = _check_date(uow, cmd.on)
    project = project_or_404(uow, cmd.project_id, lock=True)  # serialises period numbers
    rules = rule_book(uow, project.rule_book)
    period = MonitoringPeriod(cmd.period_start, cmd.period_end)
    others = [r for r, _ in uow.cycle.monitoring_of_project(project.id)]
    decisions = uow.ledger.decisions_of_project(project.id)

    def opened(illustrative: tuple[str, ...] = ()) -> tuple[MonitoringRequest, Event]:
        return submit_monitoring_report(
            project,
            period,
            actor,
            on,
            documents=cmd.documents,
            others=others,
            decisions=decisions,
            rules=rules,
            illustrative=illustrative,
        )

    opened()  # the cycle's rules first, as before the calculation existed
    methodology_id, version, reductions, digest, text, computed, illustrative = _reductions(
        uow, project, period, cmd
    )
    request, event = opened(illustrative)  # the same step, with the record's marks
    uow.cycle.add_calculation(
        request.id, methodology_id, version, reductions, digest, text, uow.now
    )
    uow.cycle.put_monitoring(request, uow.now, new=True)
    calculation = CalculationSummary(methodology_id, version, reductions, digest, computed)
    _log(uow, event, calculation=to_json(calculation))
    return extend(ReportSubmitted, MonitoringSummary.of(request, None), calculation=calculation)


def monitoring_step(uow: UnitOfWork, cmd: cc.MonitoringStep) -> MonitoringStepped:
    actor = resolve_actor(uow, cmd.by)
    on = _check_date(uow, cmd.on)
    action = _action(MonitoringAction, cmd.action, "monitoring")
    decide = action is MonitoringAction.DECIDE
    _refuse_unused(
        action.value,
        {
            "verified amount": cmd.verified_amount is not None
            and action is not MonitoringAction.VERIFY,
            "decided amount": cmd.amount is not None and not decide,
            "vintage": cmd.vintage is not None and not decide,
            "remainder holder": cmd.remainder_to is not None and not decide,
            "decision reference": cmd.reference is not None and not decide,
        },
    )
    if action is MonitoringAction.SUBMIT_REPORT:
        raise InvalidInput(
            "P8_BAD_ACTION",
            "A monitoring report opens a new period; submit it as a report, not as a step.",
            action=cmd.action,
        )
    request, decision_id = monitoring_or_404(uow, cmd.request_id)
    project = project_or_404(uow, request.project_id, lock=True)
    request, decision_id = monitoring_or_404(uow, cmd.request_id, lock=True)
    rules = rule_book(uow, project.rule_book)
    payload: Verification | JcDecision | None = None
    if action is MonitoringAction.VERIFY:
        calculated = uow.cycle.get_calculation(request.id)
        computed = calculated["emission_reductions"] if calculated else None
        amount = cmd.verified_amount if cmd.verified_amount is not None else computed
        if amount is None:
            raise InvalidInput(
                "P8_MISSING_PAYLOAD",
                f"Verifying {request.id} needs the verified amount.",
                request=request.id,
            )
        if computed is not None and amount > computed:
            raise IssuanceRuleViolation(
                "P7_ABOVE_CALCULATED",
                f"The TPE cannot verify {amount} tCO2 for {request.id}: the monitoring report "
                f"calculates {computed} tCO2. Correct the report and submit the period again.",
                request=request.id,
                amount=amount,
                calculated=computed,
            )
        payload = Verification(amount)
    elif action is MonitoringAction.DECIDE:
        amount = cmd.amount if cmd.amount is not None else request.verified_amount
        payload = JcDecision(
            amount if amount is not None else 0,
            cmd.vintage if cmd.vintage is not None else request.period.end.year,
            cmd.remainder_to,
            cmd.reference,
        )
    new, event = advance_monitoring(
        request,
        project,
        action,
        actor,
        on,
        documents=cmd.documents,
        payload=payload,
        rules=rules,
    )
    if action is MonitoringAction.DECIDE:
        # The registry records its decision (and its own log entry) first, so the cycle's
        # entry can name the registry decision it led to.
        recorded = handlers.record_decision(uow, record_decision_command(new))
        decision_id = recorded.decision
        uow.cycle.put_monitoring(new, uow.now, new=False, decision_id=decision_id)
        _log(uow, event, registry_decision=decision_id)
        summary = MonitoringSummary.of(new, decision_id)
        return extend(MonitoringStepped, summary, lines=recorded.lines)
    uow.cycle.put_monitoring(new, uow.now, new=False)
    _log(uow, event)
    summary = MonitoringSummary.of(new, decision_id)
    if action is MonitoringAction.RECORD_ISSUANCE:
        if decision_id is None:  # pragma: no cover - DECIDE always stores the decision id
            raise RuleViolation(
                "P4_NOT_DECIDED",
                f"Monitoring period {new.id} has no recorded JC decision.",
                request=new.id,
            )
        registry = registry_of(actor, project)
        issued = handlers.issue(uow, Issue(decision_id, registry))
        return extend(MonitoringStepped, summary, registry=registry, issuance=issued)
    return extend(MonitoringStepped, summary)


# -- methodologies -----------------------------------------------------------------------------


def _store_new_methodology(uow: UnitOfWork, m: Methodology, event: Event) -> MethodologyChanged:
    if uow.cycle.get_methodology(codec.methodology_key(m), lock=True) is not None:
        raise RuleViolation(
            "P4_METHODOLOGY_EXISTS",
            f"Methodology {m.id} v{m.version} was already proposed.",
            methodology=m.id,
        )
    uow.cycle.put_methodology(m, uow.now, new=True)
    _log(uow, event)
    return extend(MethodologyChanged, MethodologySummary.of(m))


def propose(uow: UnitOfWork, cmd: cc.ProposeMethodology) -> MethodologyChanged:
    actor = resolve_actor(uow, cmd.by)
    on = _check_date(uow, cmd.on)
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
    on = _check_date(uow, cmd.on)
    current = methodology_or_404(uow, cmd.methodology_id, cmd.version)
    rules = rule_book(uow, cmd.rule_book)
    m, event = propose_revision(
        current, actor, on, documents=cmd.documents, title=cmd.title, rules=rules
    )
    return _store_new_methodology(uow, m, event)


def methodology_step(uow: UnitOfWork, cmd: cc.MethodologyStep) -> MethodologyChanged:
    actor = resolve_actor(uow, cmd.by)
    on = _check_date(uow, cmd.on)
    action = _action(MethodologyAction, cmd.action, "methodology")
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
    _log(uow, event)
    return extend(MethodologyChanged, MethodologySummary.of(new))
