"""Joint Committee decisions and issuance: recording a decision (checks I1-I9) and issuing one
registry's share of it into its holders' accounts."""

from __future__ import annotations

from jcm.domain.errors import (
    AccountRuleViolation,
    InvalidInput,
    NotFound,
)
from jcm.domain.registry import accounts as acc
from jcm.domain.registry import policy
from jcm.domain.registry.allocation import allocate
from jcm.domain.registry.blocks import UnitBlock
from jcm.domain.registry.commands import (
    Issue,
    RecordDecision,
)
from jcm.domain.registry.issuance import (
    DecisionLine,
    DecisionStatus,
    IssuanceDecision,
    MonitoringPeriod,
    check_issuable,
    check_no_overlap,
    check_vintage,
    parse_project_id,
)
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import (
    MovedRange,
    SetupEvent,
    TransactionKind,
    TransactionRecord,
)
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry.lookups import (
    account_or_404,
    active_registry,
    find_registry,
)
from jcm.service_layer.registry.results import (
    DecisionInfo,
    DecisionLineInfo,
    DecisionRecorded,
    IssuanceResult,
    TransactionResult,
)
from jcm.service_layer.registry.working_set import WorkingSet
from jcm.service_layer.results import JsonValue, extend, to_json_object

# -- decisions and issuance -----------------------------------------------------------------


def record_decision(uow: UnitOfWork, cmd: RecordDecision) -> DecisionRecorded:
    ledger = uow.ledger
    project = parse_project_id(cmd.project_id)
    partner = project[:2]
    active_registry(ledger, acc.JAPAN)
    active_registry(ledger, partner)
    period = MonitoringPeriod(cmd.period_start, cmd.period_end)
    check_vintage(cmd.vintage, period)
    if period.end > uow.now.date():
        raise InvalidInput(
            "I8_FUTURE_PERIOD",
            f"Monitoring period {period} ends in the future (today is "
            f"{uow.now.date().isoformat()}); reductions are decided after they happen.",
            period=str(period),
        )
    lines = allocate(cmd.amount, cmd.shares, cmd.remainder_to)
    stored_lines = []
    for line in lines:
        account = account_or_404(ledger, line.account_id)
        if account.registry not in (acc.JAPAN, partner):
            raise AccountRuleViolation(
                "A2_NOT_ELIGIBLE_FOR_ISSUANCE",
                f"Account {account.id} is in registry {account.registry}; credits of project "
                f"{project} are issued only into registries {acc.JAPAN} and {partner}.",
                account=account.id,
                project=project,
            )
        acc.check_can_receive_holding(account)
        stored_lines.append(DecisionLine(0, line, account.registry))
    count = ledger.lock_project(project)
    check_no_overlap(project, period, ledger.decisions_of_project(project))
    decision = IssuanceDecision(
        0,
        project,
        period,
        cmd.vintage,
        count + 1,
        cmd.amount,
        DecisionStatus.PENDING,
        cmd.reference,
    )
    decision_id = ledger.add_decision(decision, uow.now)
    ledger.add_decision_lines(
        [DecisionLine(decision_id, dl.line, dl.registry) for dl in stored_lines]
    )
    ledger.set_project_decisions(project, count + 1)
    info = decision_info(
        IssuanceDecision(
            decision_id,
            project,
            period,
            cmd.vintage,
            count + 1,
            cmd.amount,
            DecisionStatus.PENDING,
            cmd.reference,
        ),
        [DecisionLine(decision_id, dl.line, dl.registry) for dl in stored_lines],
    )
    result = extend(DecisionRecorded, info)
    ledger.add_event(SetupEvent.DECISION_RECORDED, None, to_json_object(result), uow.now)
    return result


def decision_info(decision: IssuanceDecision, lines: list[DecisionLine]) -> DecisionInfo:
    def serial(dl: DecisionLine) -> str | None:
        if dl.line.serial_start is None or dl.line.serial_end is None:
            return None
        return SerialRange(
            dl.registry,
            decision.partner,
            decision.project_id,
            decision.vintage,
            decision.period_seq,
            dl.line.serial_start,
            dl.line.serial_end,
        ).format()

    return DecisionInfo(
        decision.id,
        decision.project_id,
        decision.period.start,
        decision.period.end,
        decision.vintage,
        decision.period_seq,
        decision.amount,
        decision.status,
        decision.reference,
        tuple(
            DecisionLineInfo(
                dl.line.line_no,
                dl.line.account_id,
                dl.registry,
                dl.line.share_pct,
                dl.line.quantity,
                dl.line.receives_remainder,
                serial(dl),
                dl.issued_tx,
            )
            for dl in lines
        ),
    )


def issue(uow: UnitOfWork, cmd: Issue) -> IssuanceResult:
    ledger = uow.ledger
    registry = find_registry(ledger, cmd.registry)
    decision = ledger.get_decision(cmd.decision_id, lock=True)
    if decision is None:
        raise NotFound(
            "I1_UNKNOWN_DECISION",
            f"There is no Joint Committee decision {cmd.decision_id}; record it first.",
            decision=cmd.decision_id,
        )
    lines = ledger.decision_lines(decision.id)
    mine = check_issuable(decision, registry.code, lines)
    ws = WorkingSet(ledger, uow.decision_cache)
    ranges = []
    issued_lines: list[JsonValue] = []
    for dl in mine:
        account = account_or_404(ledger, dl.line.account_id)
        policy.admit(policy.Proposal(TransactionKind.ISSUANCE, [registry], destination=account))
        assert dl.line.serial_start is not None
        assert dl.line.serial_end is not None
        block = UnitBlock(
            decision.id,
            dl.line.serial_start,
            dl.line.serial_end,
            registry.code,
            registry.code,
            account.id,
        )
        block.article6 = block.article6.on_issuance()
        ws.add_new(block)
        serial = ws.serial(block)
        ranges.append(MovedRange(decision.id, block.start, block.end, serial))
        issued_lines.append({"account": account.id, "quantity": block.quantity, "serials": serial})
    record = TransactionRecord(
        TransactionKind.ISSUANCE,
        registry.code,
        None,
        None,
        sum(r.quantity for r in ranges),
        {
            "decision": decision.id,
            "project": decision.project_id,
            "period": str(decision.period),
            "vintage": decision.vintage,
            "lines": issued_lines,
        },
        ranges,
    )
    ws.add_record(record)
    ws.flush(uow.now)
    assert record.id is not None
    ledger.mark_lines_issued(decision.id, [dl.line.line_no for dl in mine], record.id)
    remaining = [
        dl for dl in lines if dl.line.quantity > 0 and dl.issued_tx is None and dl not in mine
    ]
    status = DecisionStatus.PARTIALLY_ISSUED if remaining else DecisionStatus.ISSUED
    ledger.set_decision_status(decision.id, status)
    return extend(IssuanceResult, TransactionResult.of(record), decision_status=status)
