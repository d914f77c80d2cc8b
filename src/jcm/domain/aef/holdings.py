"""Table 4: a Party's authorised units in its registry's holding accounts at a moment of the
ledger walk, merged into maximal blocks of equal attributes with contiguous ITMO ids (one
decision at a time, so that the JCM unit ids stay those of one decision), ordered by
(approach, first ITMO id)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from jcm.domain.aef.attributes import ReportContext
from jcm.domain.aef.ledger_walk import LedgerWalk
from jcm.domain.aef.tables import HoldingRow


def holding_accounts(context: ReportContext) -> frozenset[str]:
    """The accounts that hold (not the cancellation and retirement accounts)."""
    return frozenset(
        a.id for a in context.accounts.values() if a.type not in ("cancellation", "retirement")
    )


def snapshot(
    walk: LedgerWalk, context: ReportContext, party: str, holding: AbstractSet[str]
) -> tuple[HoldingRow, ...]:
    """Party ``party``'s holdings as the walk stands now."""
    rows: list[HoldingRow] = []
    for decision_id, runs in walk.runs.items():
        current: tuple[str, int, int] | None = None  # reference, start, end
        for run in runs:
            reference = run.article6.authorisation_ref
            if (
                run.registry != party
                or not run.article6.authorised_uses
                or reference is None
                or run.account not in holding
            ):
                continue
            if current is not None and current[0] == reference and current[2] + 1 == run.start:
                current = (reference, current[1], run.end)
                continue
            if current is not None:
                rows.append(_row(context, decision_id, current, party))
            current = (reference, run.start, run.end)
        if current is not None:
            rows.append(_row(context, decision_id, current, party))
    rows.sort(key=lambda r: (r.block.approach_id, r.block.first_id))
    return tuple(rows)


def _row(
    context: ReportContext, decision_id: int, held: tuple[str, int, int], party: str
) -> HoldingRow:
    reference, start, end = held
    return HoldingRow(context.block(decision_id, start, end, reference, party))
