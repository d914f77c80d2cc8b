"""Monitoring-period use cases: a report with its calculation record, and each later step
(verification, JC decision, issuance by each side)."""

from __future__ import annotations

import hashlib

from jcm.domain import methodologies
from jcm.domain.cycle import (
    JcDecision,
    MonitoringAction,
    MonitoringRequest,
    Project,
    Verification,
    advance_monitoring,
    record_decision_command,
    registry_of,
    submit_monitoring_report,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.jsonvalues import Event
from jcm.domain.errors import (
    InvalidInput,
    IssuanceRuleViolation,
    JcmError,
    RuleViolation,
)
from jcm.domain.methodologies.record import canonical_bytes
from jcm.domain.registry.commands import Issue
from jcm.domain.registry.issuance import MonitoringPeriod
from jcm.service_layer.cycle.lookups import (
    check_date,
    log_step,
    monitoring_or_404,
    parse_action,
    project_or_404,
    refuse_unused,
    resolve_actor,
    rule_book,
    stored_facts,
)
from jcm.service_layer.cycle.results import (
    CalculationSummary,
    MonitoringStepped,
    MonitoringSummary,
    ReportSubmitted,
)
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry import issuance_handlers
from jcm.service_layer.results import extend, to_json

# -- monitoring periods ------------------------------------------------------------------------


def _calculate(
    uow: UnitOfWork, project: Project, period: MonitoringPeriod, cmd: cc.SubmitMonitoringReport
) -> methodologies.CalculationRecord:
    methodology = methodologies.get(project.methodology_id, project.methodology_version)
    stored = uow.cycle.project_parameters(project.id)
    facts = stored_facts(stored)
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
    on = check_date(uow, cmd.on)
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
    log_step(uow, event, calculation=to_json(calculation))
    return extend(ReportSubmitted, MonitoringSummary.of(request, None), calculation=calculation)


def monitoring_step(uow: UnitOfWork, cmd: cc.MonitoringStep) -> MonitoringStepped:
    actor = resolve_actor(uow, cmd.by)
    on = check_date(uow, cmd.on)
    action = parse_action(MonitoringAction, cmd.action, "monitoring")
    decide = action is MonitoringAction.DECIDE
    refuse_unused(
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
        recorded = issuance_handlers.record_decision(uow, record_decision_command(new))
        decision_id = recorded.decision
        uow.cycle.put_monitoring(new, uow.now, new=False, decision_id=decision_id)
        log_step(uow, event, registry_decision=decision_id)
        summary = MonitoringSummary.of(new, decision_id)
        return extend(MonitoringStepped, summary, lines=recorded.lines)
    uow.cycle.put_monitoring(new, uow.now, new=False)
    log_step(uow, event)
    summary = MonitoringSummary.of(new, decision_id)
    if action is MonitoringAction.RECORD_ISSUANCE:
        if decision_id is None:  # pragma: no cover - DECIDE always stores the decision id
            raise RuleViolation(
                "P4_NOT_DECIDED",
                f"Monitoring period {new.id} has no recorded JC decision.",
                request=new.id,
            )
        registry = registry_of(actor, project)
        issued = issuance_handlers.issue(uow, Issue(decision_id, registry))
        return extend(MonitoringStepped, summary, registry=registry, issuance=issued)
    return extend(MonitoringStepped, summary)
