"""The monitoring period's steps: :func:`submit_monitoring_report`, :func:`advance_monitoring`
and the registry command that records a JC decision (:func:`record_decision_command`).

Monitoring periods of one project never overlap: a new report is checked against the live
requests of the project (``P5_OVERLAPPING_PERIOD``) and against the registry's recorded
decisions with :func:`jcm.domain.registry.issuance.check_no_overlap` (``I3_OVERLAPPING_PERIOD``).
Rejected, withdrawn and not-verified requests no longer block their period, so the period
can be reported again `[I]`.

Every step is a pure function: it returns a new
:class:`~jcm.domain.cycle.monitoring.MonitoringRequest` and its log event, or raises and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

from jcm.domain.cycle.actors import Actor, Side
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
from jcm.domain.cycle.monitoring import (
    JcDecision,
    MonitoringAction,
    MonitoringRequest,
    MonitoringState,
    Verification,
    monitoring_id,
)
from jcm.domain.cycle.monitoring_guards import GUARDS, GuardContext, registry_of
from jcm.domain.cycle.monitoring_transitions import MONITORING_TRANSITIONS, MT
from jcm.domain.cycle.project import Project
from jcm.domain.cycle.project_steps import shares_json
from jcm.domain.cycle.rules import DEFAULT_RULE_BOOK, RuleBook, check_rule_book
from jcm.domain.errors import InvalidInput, IssuanceRuleViolation, RuleViolation
from jcm.domain.registry.accounts import JAPAN
from jcm.domain.registry.allocation import AllocatedLine, allocate
from jcm.domain.registry.commands import RecordDecision
from jcm.domain.registry.issuance import (
    IssuanceDecision,
    MonitoringPeriod,
    check_vintage,
)

_A = MonitoringAction


# -- guards ----------------------------------------------------------------------------------


def _guard(
    request: MonitoringRequest,
    project: Project,
    actor: Actor,
    on: date,
    rules: RuleBook,
    others: Sequence[MonitoringRequest],
    decisions: Sequence[IssuanceDecision],
    state: str | None,
) -> Callable[[Guard, MT], None]:
    label = f"monitoring period {request.period} of project {project.id} (state {state or '(new)'})"

    def guard(g: Guard, row: MT) -> None:
        check = GUARDS.get(g)
        if check is None:  # pragma: no cover - a table row names a guard this machine lacks
            raise AssertionError(f"guard {g} does not apply to monitoring periods")
        check(
            GuardContext(
                request, project, actor, on, rules, others, decisions, label, row.action.value
            )
        )

    return guard


def _subject(request: MonitoringRequest, project: Project, state: str | None) -> Subject:
    return Subject(
        label=f"monitoring period {request.period} ({request.id}) of project {project.id}",
        state=state,
        partner=project.partner,
        scope=project.sectoral_scope,
        participants=project.participant_ids(),
        engaged_tpe=request.verifier,
        documents=(*project.documents, *request.documents),
        last_on=request.last_on,
    )


def _period_json(period: MonitoringPeriod) -> JsonValue:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _check_same_project(project: Project, others: Iterable[MonitoringRequest]) -> None:
    for other in others:
        if other.project_id != project.id:
            raise InvalidInput(
                "P8_OTHER_PROJECT",
                f"Monitoring period {other.id} belongs to project {other.project_id}, not "
                f"{project.id}.",
                project=project.id,
                request=other.id,
            )


# -- steps -----------------------------------------------------------------------------------


def submit_monitoring_report(
    project: Project,
    period: MonitoringPeriod,
    actor: Actor,
    on: date,
    *,
    documents: Sequence[DocumentRef] = (),
    others: Sequence[MonitoringRequest] = (),
    decisions: Sequence[IssuanceDecision] = (),
    rules: RuleBook = DEFAULT_RULE_BOOK,
    illustrative: Sequence[str] = (),
) -> tuple[MonitoringRequest, Event]:
    """Open a monitoring period with its report.

    ``others`` are every earlier monitoring request of the project, ``decisions`` the
    registry's recorded JC decisions of the project (for the I3 overlap check),
    ``illustrative`` what of the report's calculation is illustrative (its record's marks).
    """
    check_rule_book(f"Project {project.id}", project.rule_book, rules)
    if not isinstance(period, MonitoringPeriod):
        raise InvalidInput("P8_BAD_PERIOD", f"{period!r} is not a monitoring period.")
    _check_same_project(project, others)
    seq = max((o.seq for o in others), default=0) + 1
    draft = MonitoringRequest(
        id=monitoring_id(project.id, seq),
        project_id=project.id,
        seq=seq,
        period=period,
        rule_book=rules.version,
        state=MonitoringState.REPORT_SUBMITTED,
        illustrative=tuple(illustrative),
    )
    row = check_step(
        MONITORING_TRANSITIONS,
        _subject(draft, project, None),
        None,
        MonitoringAction.SUBMIT_REPORT,
        actor,
        on,
        documents,
        None,
        _guard(draft, project, actor, on, rules, others, decisions, None),
    )
    entry = history_entry(row, row.target, actor, on, documents)
    request = replace(
        draft,
        state=row.target,
        documents=merge_documents((), documents),
        history=(entry,),
    )
    extra: dict[str, JsonValue] = {
        "project": project.id,
        "seq": seq,
        "period": _period_json(period),
    }
    if request.illustrative:  # entries logged before issue 8 carry no such key
        extra["illustrative"] = list(request.illustrative)
    return request, make_event("monitoring_period", request.id, entry, actor, rules.version, extra)


def advance_monitoring(
    request: MonitoringRequest,
    project: Project,
    action: MonitoringAction,
    actor: Actor,
    on: date,
    *,
    documents: Sequence[DocumentRef] = (),
    payload: Verification | JcDecision | None = None,
    rules: RuleBook = DEFAULT_RULE_BOOK,
) -> tuple[MonitoringRequest, Event]:
    """Take one step on a monitoring period of ``project``."""
    if request.project_id != project.id:
        raise InvalidInput(
            "P8_OTHER_PROJECT",
            f"Monitoring period {request.id} belongs to project {request.project_id}, not "
            f"{project.id}.",
            project=project.id,
            request=request.id,
        )
    check_rule_book(f"Project {project.id}", project.rule_book, rules)
    row = check_step(
        MONITORING_TRANSITIONS,
        _subject(request, project, request.state.value),
        request.state,
        action,
        actor,
        on,
        documents,
        payload,
        _guard(request, project, actor, on, rules, (), (), request.state.value),
    )
    changes: dict[str, object] = {}
    extra: dict[str, JsonValue] = {"project": project.id, "period": _period_json(request.period)}
    target = row.target
    if action is _A.START_VERIFICATION:
        changes["verifier"] = actor.organisation_id
        extra["verifier"] = actor.organisation_id
    elif action is _A.VERIFY:
        assert isinstance(payload, Verification)
        amount = payload.verified_amount
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise InvalidInput(
                "P8_BAD_AMOUNT",
                f"Verified reductions of {request.id} must be a whole number of tCO2 ≥ 0, "
                f"got {amount!r}.",
                request=request.id,
            )
        changes["verified_amount"] = amount
        extra["verified_amount"] = amount
    elif action is _A.DECIDE:
        assert isinstance(payload, JcDecision)
        lines = _decide(request, project, payload)
        changes.update(decision=payload, shares=project.shares, lines=lines)
        extra.update(
            amount=payload.amount,
            vintage=payload.vintage,
            remainder_to=payload.remainder_to,
            reference=payload.reference,
            shares=shares_json(project.shares),
            lines=[
                {
                    "line": line.line_no,
                    "account": line.account_id,
                    "share_pct": str(line.share_pct),
                    "quantity": line.quantity,
                    "receives_remainder": line.receives_remainder,
                }
                for line in lines
            ],
        )
    elif action is _A.RECORD_ISSUANCE:
        assert actor.side is not None
        issued = request.issued_sides | {actor.side}
        changes["issued_sides"] = issued
        if row.completes_to is not None and issued >= request.sides_with_share():
            target = row.completes_to
        extra["registry"] = registry_of(actor, project)
        registries: list[JsonValue] = [
            *sorted(JAPAN if s is Side.JAPAN else project.partner for s in issued)
        ]
        extra["issued_registries"] = registries
    entry = history_entry(row, target, actor, on, documents)
    new = replace(
        request,
        state=target,
        documents=merge_documents(request.documents, documents),
        history=(*request.history, entry),
        **changes,  # type: ignore[arg-type]
    )
    return new, make_event("monitoring_period", request.id, entry, actor, rules.version, extra)


def _decide(
    request: MonitoringRequest, project: Project, decision: JcDecision
) -> tuple[AllocatedLine, ...]:
    amount = decision.amount
    verified = request.verified_amount
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(
            "P8_BAD_AMOUNT", f"The decided amount must be a whole number, got {amount!r}."
        )
    if verified is not None and amount > verified:
        raise IssuanceRuleViolation(
            "P7_ABOVE_VERIFIED",
            f"The JC cannot decide {amount} tCO2 for {request.id} ({request.period}): the TPE "
            f"verified {verified} tCO2.",
            request=request.id,
            amount=amount,
            verified=verified,
        )
    check_vintage(decision.vintage, request.period)
    return tuple(allocate(amount, project.shares, decision.remainder_to))


def record_decision_command(request: MonitoringRequest) -> RecordDecision:
    """The registry command that records a DECIDED request's JC decision (I1-I3 rechecked)."""
    decision = request.decision
    if decision is None:
        raise RuleViolation(
            "P4_NOT_DECIDED",
            f"Monitoring period {request.id} is {request.state.value}; the JC has not decided "
            "its issuance.",
            request=request.id,
            state=request.state.value,
        )
    return RecordDecision(
        project_id=request.project_id,
        period_start=request.period.start,
        period_end=request.period.end,
        vintage=decision.vintage,
        amount=decision.amount,
        shares=request.shares,
        remainder_to=decision.remainder_to,
        reference=decision.reference or request.id,
    )
