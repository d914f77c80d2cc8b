"""The five AEF tables of a Party and a reported year, computed from ledger facts only.

One pass over the committed transactions in order rebuilds every serial block's holder
and Article 6 state with the registry's own rules (:mod:`jcm.domain.registry.article6`,
in :mod:`.ledger_walk`), emits the action rows of the reported year (:mod:`.rows`), and
takes the holdings at 31 December of the year before (the opening, for the
reconciliation) and of the reported year (:mod:`.holdings`). Tables 1, 2 and 5 come from
the register (:mod:`.register_rows`); the corresponding adjustments recorded for the
reported year are the evidence of the adjustment check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from jcm.domain.aef.attributes import ReportContext
from jcm.domain.aef.bulk import cycle_collection_paused
from jcm.domain.aef.facts import LedgerFacts, TransactionFact
from jcm.domain.aef.holdings import holding_accounts, snapshot
from jcm.domain.aef.ledger_walk import LedgerWalk, Piece, Visitor
from jcm.domain.aef.register_rows import authorization_rows, entity_rows, submission_row
from jcm.domain.aef.rows import ActionRows
from jcm.domain.aef.tables import AdjustmentFact, HoldingRow, PartyReport


def build_report(
    facts: LedgerFacts,
    party: str,
    year: int,
    *,
    version: str = "1.0",
    submitted_on: date | None = None,
) -> PartyReport:
    """Party ``party`` (alpha-2)'s report for calendar year ``year``."""
    return build_reports(facts, (party,), year, version=version, submitted_on=submitted_on)[0]


def build_reports(
    facts: LedgerFacts,
    parties: Sequence[str],
    year: int,
    *,
    version: str = "1.0",
    submitted_on: date | None = None,
) -> list[PartyReport]:
    """The reports of several Parties for one year, from one walk over the ledger (each the
    same as :func:`build_report` gives alone)."""
    with cycle_collection_paused():
        return _build(facts, parties, year, version, submitted_on)


def _build(
    facts: LedgerFacts,
    parties: Sequence[str],
    year: int,
    version: str,
    submitted_on: date | None,
) -> list[PartyReport]:
    context = ReportContext(facts, year)
    walked = _walk(facts, context, parties, year)
    reports = []
    for party, (actions, opening, closing) in zip(parties, walked, strict=True):
        rows = actions.result()
        authorizations = authorization_rows(context, party, rows, closing)
        reports.append(
            PartyReport(
                party=party,
                year=year,
                submission=submission_row(context, party, version, submitted_on),
                authorizations=authorizations,
                actions=rows,
                holdings=closing,
                entities=entity_rows(context, party, authorizations, rows),
                opening=opening,
                adjustments=adjustments(facts.transactions, context, party, year),
            )
        )
    return reports


# Issuances, internal transfers and corresponding adjustments make no Table 3 row.
_ROW_KINDS = frozenset({"authorisation", "external_transfer", "cancellation", "retirement"})
Walked = tuple[ActionRows, tuple[HoldingRow, ...], tuple[HoldingRow, ...]]


def _walk(
    facts: LedgerFacts, context: ReportContext, parties: Sequence[str], year: int
) -> list[Walked]:
    """Fold the transactions up to the end of ``year``: each Party's rows of the year and
    its holdings at the end of the year before and of the year."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    walk = LedgerWalk(facts.accounts, facts.decisions)
    holding = holding_accounts(context)
    collectors = [ActionRows(context, party) for party in parties]
    visit = _visit_all(collectors)
    opening: list[tuple[HoldingRow, ...]] | None = None
    for tx in facts.transactions:
        if tx.at >= end:
            break
        if opening is None and tx.at >= start:
            opening = [snapshot(walk, context, p, holding) for p in parties]
        walk.apply(tx, visit if opening is not None and tx.kind in _ROW_KINDS else None)
    if opening is None:
        opening = [snapshot(walk, context, p, holding) for p in parties]
    for collector in collectors:
        collector.flush()
    closing = [snapshot(walk, context, p, holding) for p in parties]
    return list(zip(collectors, opening, closing, strict=True))


def _visit_all(collectors: list[ActionRows]) -> Visitor:
    if len(collectors) == 1:
        return collectors[0]

    def visit(tx: TransactionFact, piece: Piece) -> None:
        for collector in collectors:
            collector(tx, piece)

    return visit


def adjustments(
    transactions: Sequence[TransactionFact],
    context: ReportContext,
    party: str,
    year: int,
) -> tuple[AdjustmentFact, ...]:
    """The corresponding adjustments the ledger recorded for ``year`` on units whose host
    is ``party``: one per run of contiguous ranges of a transaction (a transaction records
    a range per block it adjusted), in transaction order."""
    found: list[AdjustmentFact] = []
    for tx in transactions:
        if tx.kind != "corresponding_adjustment" or tx.detail.get("reporting_year") != year:
            continue
        spans: list[list[Any]] = []  # [approach, first id, last id]
        for rng in tx.ranges:
            d = context.decisions[rng.decision_id]
            if d.host != party:
                continue
            first, last = d.offset + rng.start, d.offset + rng.end
            if spans and spans[-1][0] == d.approach_id and spans[-1][2] + 1 == first:
                spans[-1][2] = last
            else:
                spans.append([d.approach_id, first, last])
        found.extend(AdjustmentFact(a, f, la, year, tx.id) for a, f, la in spans)
    return tuple(found)
