"""Read-only use cases: holdings, serial look-up with history, lists, and the audit."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.blocks import check_partition
from jcm.domain.registry.serials import SerialRange
from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry.handlers import decision_dict, decision_of_serial
from jcm.service_layer.registry.working_set import WorkingSet


def holdings(uow: UnitOfWork, account: str | None, registry: str | None) -> list[dict[str, Any]]:
    return uow.ledger.holdings(
        account.upper() if account else None, registry.upper() if registry else None
    )


def lookup_serial(uow: UnitOfWork, text: str) -> dict[str, Any]:
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
            {
                "serials": ws.serial(block, start, end),
                "quantity": end - start + 1,
                "registry": block.registry,
                "account": block.account_id,
                "authorised_uses": sorted(u.value for u in a6.authorised_uses),
                "authorisation_ref": a6.authorisation_ref,
                "first_transfer_at": a6.first_transfer_trigger.value
                if a6.first_transfer_trigger
                else None,
                "first_transferred": a6.first_transferred,
                "corresponding_adjustment": a6.ca_status.value,
            }
        )
    history = []
    for row in uow.ledger.history(decision.id, serial.start, serial.end):
        start, end = max(row["serial_start"], serial.start), min(row["serial_end"], serial.end)
        history.append(
            {
                "transaction": row["transaction_id"],
                "kind": row["kind"],
                "at": row["created_at"].isoformat() if row["created_at"] else None,
                "registry": row["registry"],
                "source": row["source"],
                "destination": row["destination"],
                "serials": SerialRange(
                    serial.origin,
                    serial.partner,
                    serial.project,
                    serial.vintage,
                    serial.period_seq,
                    start,
                    end,
                ).format(),
                "detail": row["detail"],
            }
        )
    return {
        "serials": serial.format(),
        "decision": decision.id,
        "project": decision.project_id,
        "vintage": decision.vintage,
        "requested": serial.quantity,
        "issued": found,
        "locations": located,
        "history": history,
    }


def list_transactions(uow: UnitOfWork, filters: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    rows = uow.ledger.list_transactions(filters, limit)
    for row in rows:
        row["created_at"] = row["created_at"].isoformat()
    return rows


def list_decisions(uow: UnitOfWork, project: str | None) -> list[dict[str, Any]]:
    return [
        decision_dict(d, uow.ledger.decision_lines(d.id))
        for d in uow.ledger.list_decisions(project.upper() if project else None)
    ]


def audit(uow: UnitOfWork) -> dict[str, Any]:
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
    return {
        "ok": not problems,
        "problems": problems,
        "decisions": len(decisions),
        "issued": totals["issued"],
        "held": totals[AccountType.GOVERNMENT_HOLDING.value]
        + totals[AccountType.ENTITY_HOLDING.value],
        "cancelled": totals[AccountType.CANCELLATION.value],
        "retired": totals[AccountType.RETIREMENT.value],
    }
