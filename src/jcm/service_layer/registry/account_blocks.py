"""An account's units block by block, with their serials: what its holder's page lists."""

from __future__ import annotations

from dataclasses import dataclass

from jcm.service_layer.ports import UnitOfWork
from jcm.service_layer.registry.working_set import WorkingSet


@dataclass(frozen=True)
class BlockLine:
    """One contiguous serial range held in the account, with its Article 6 attributes."""

    serials: str
    project: str
    vintage: int
    period_seq: int
    quantity: int
    origin: str
    authorised_uses: tuple[str, ...]
    first_transferred: bool
    ca_status: str


@dataclass(frozen=True)
class AccountBlocks:
    account: str
    blocks: tuple[BlockLine, ...]
    more: bool  # the account holds further blocks beyond ``limit``


def account_blocks(uow: UnitOfWork, account_id: str, limit: int) -> AccountBlocks:
    """The first ``limit`` blocks in "lowest serials first" order (the order a move by
    quantity takes them in, so the page shows what would go first)."""
    ws = WorkingSet(uow.ledger, uow.decision_cache)
    rows = uow.ledger.blocks_page(account_id, None, limit + 1)
    lines = []
    for block in rows[:limit]:
        decision = ws.decision(block.decision_id)
        a6 = block.article6
        lines.append(
            BlockLine(
                ws.serial(block),
                decision.project_id,
                decision.vintage,
                decision.period_seq,
                block.quantity,
                block.origin_registry,
                tuple(sorted(u.value for u in a6.authorised_uses)),
                a6.first_transferred,
                a6.ca_status.value,
            )
        )
    return AccountBlocks(account_id, tuple(lines), len(rows) > limit)
