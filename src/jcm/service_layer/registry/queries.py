"""Read-only use cases: holdings, serial look-up with history, lists, and the audit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.blocks import check_partition
from jcm.domain.registry.serials import SerialRange
from jcm.domain.registry.transactions import TransactionKind
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry.issuance_handlers import decision_info
from jcm.service_layer.registry.lookups import decision_of_serial
from jcm.service_layer.registry.results import (
    AuditReport,
    DecisionInfo,
    HistoryEntry,
    Holding,
    SerialLookup,
    TransactionRow,
    UnitLocation,
)
from jcm.service_layer.registry.working_set import WorkingSet
from jcm.service_layer.results import JsonObject


def holdings(uow: UnitOfWork, account: str | None, registry: str | None) -> list[Holding]:
    rows = uow.ledger.holdings(
        account.upper() if account else None, registry.upper() if registry else None
    )
    return [
        Holding(
            str(row["account"]),
            str(row["registry"]),
            AccountType(row["type"]),
            str(row["project"]),
            int(row["vintage"]),
            int(row["period_seq"]),
            str(row["origin"]),
            str(row["authorised_uses"]),
            bool(row["first_transferred"]),
            str(row["ca_status"]),
            int(row["quantity"]),
            int(row["blocks"]),
        )
        for row in rows
    ]


def lookup_serial(uow: UnitOfWork, text: str) -> SerialLookup:
    """Where every unit of a serial range is now, and everything that happened to it."""
    serial, decision = decision_of_serial(uow.ledger, text)
    ws = WorkingSet(uow.ledger)
    blocks = [
        b
        for b in uow.ledger.blocks_overlapping(decision.id, serial.start, serial.end)
        if b.origin_registry == serial.origin
    ]
    located = []
    found = 0
    for block in blocks:
        start, end = max(block.start, serial.start), min(block.end, serial.end)
        found += end - start + 1
        a6 = block.article6
        located.append(
            UnitLocation(
                ws.serial(block, start, end),
                end - start + 1,
                block.registry,
                block.account_id,
                tuple(sorted(u.value for u in a6.authorised_uses)),
                a6.authorisation_ref,
                a6.first_transfer_trigger.value if a6.first_transfer_trigger else None,
                a6.first_transferred,
                a6.ca_status.value,
            )
        )
    history = []
    for row in uow.ledger.history(decision.id, serial.start, serial.end):
        start, end = max(row["serial_start"], serial.start), min(row["serial_end"], serial.end)
        history.append(
            HistoryEntry(
                int(row["transaction_id"]),
                TransactionKind(row["kind"]),
                row["created_at"],
                row["registry"],
                row["source"],
                row["destination"],
                SerialRange(
                    serial.origin,
                    serial.partner,
                    serial.project,
                    serial.vintage,
                    serial.period_seq,
                    start,
                    end,
                ).format(),
                _detail(row["detail"]),
            )
        )
    return SerialLookup(
        serial.format(),
        decision.id,
        decision.project_id,
        decision.vintage,
        serial.quantity,
        found,
        tuple(located),
        tuple(history),
    )


def _detail(value: object) -> JsonObject:
    # The stored detail is the JSON object the transaction was written with.
    if not isinstance(value, dict):
        raise TypeError(f"transaction detail is not a JSON object: {value!r}")
    return value


def list_transactions(
    uow: UnitOfWork, filters: Mapping[str, object], limit: int
) -> list[TransactionRow]:
    return [
        TransactionRow(
            int(row["id"]),
            TransactionKind(row["kind"]),
            row["registry"],
            row["source"],
            row["destination"],
            int(row["quantity"]),
            _detail(row["detail"]),
            row["created_at"],
        )
        for row in uow.ledger.list_transactions(dict(filters), limit)
    ]


def list_decisions(uow: UnitOfWork, project: str | None) -> list[DecisionInfo]:
    return [
        decision_info(d, uow.ledger.decision_lines(d.id))
        for d in uow.ledger.list_decisions(project.upper() if project else None)
    ]


def audit(uow: UnitOfWork) -> AuditReport:
    """Check the invariants over the whole database; returns the problems found.

    * conservation per decision: the blocks tile exactly the issued serial ranges
      (issued = held + cancelled + retired), with no overlap and no serial in two places;
    * each block sits in an account of the registry it says, of a known type;
    * issued quantity per decision never exceeds the decided amount;
    * every registry transaction has exactly one log entry (a database transaction may
      append several: one per change it makes).
    """
    ledger = uow.ledger
    problems: list[str] = []
    accounts = {a.id: a for a in ledger.list_accounts(None, None)}
    totals: dict[str, int] = defaultdict(int)
    decisions = ledger.list_decisions(None)
    for decision in decisions:
        lines = ledger.decision_lines(decision.id)
        decided = sum(dl.line.quantity for dl in lines)
        if decided != decision.amount:
            problems.append(
                f"decision {decision.id}: lines add up to {decided}, not {decision.amount}"
            )
        issued = [
            (dl.line.serial_start, dl.line.serial_end)
            for dl in lines
            if dl.issued_tx is not None
            and dl.line.serial_start is not None
            and dl.line.serial_end is not None
        ]
        blocks = ledger.blocks_of_decision(decision.id)
        try:
            check_partition(blocks, issued)
        except ValueError as error:
            problems.append(f"decision {decision.id}: {error}")
        for block in blocks:
            account = accounts.get(block.account_id)
            if account is None or account.registry != block.registry:
                problems.append(
                    f"decision {decision.id} serials {block.start}-{block.end}: account "
                    f"{block.account_id} is not in registry {block.registry}"
                )
                continue
            totals[account.type.value] += block.quantity
        totals["issued"] += sum(e - s + 1 for s, e in issued)
    for tx_id in ledger.transactions_without_one_event():
        problems.append(f"registry transaction {tx_id} does not have exactly one log entry")
    return AuditReport(
        ok=not problems,
        problems=tuple(problems),
        decisions=len(decisions),
        issued=totals["issued"],
        held=totals[AccountType.GOVERNMENT_HOLDING.value]
        + totals[AccountType.ENTITY_HOLDING.value],
        cancelled=totals[AccountType.CANCELLATION.value],
        retired=totals[AccountType.RETIREMENT.value],
    )
