"""AEF11–AEF14: the registry's own checks, reconciling a report with the ledger evidence
it carries (opening holdings, corresponding adjustments) and with the other Parties'
reports.

* AEF11 each First transfer or Transfer row naming an acquiring Party has an Acquisition
  row in that Party's report for the same year with the same approach, First/Last ID,
  quantity, vintage, authorisation, first transferring Party and action time, whose
  transferring Party is the sender — and each Acquisition row has its sender's row.
  Only reports given are compared: a Party whose report is not among them is not judged.
* AEF12 per approach and vintage, closing minus opening holdings equals the net effect of
  the year's actions (the shared contract's effect of each action type).
* AEF13 no ITMO id of an approach is reported used or cancelled twice, in one report or
  across the reports given.
* AEF14 the ids of every First transfer row of the year are covered by corresponding
  adjustments for that year, and every adjustment for the year covers only ids the
  report first-transferred in that year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from jcm.domain.aef.checks_blocks import USING_TYPES
from jcm.domain.aef.failures import TABLE_ACTIONS, TABLE_HOLDINGS, CheckFailure
from jcm.domain.aef.intervals import ids_text, uncovered, union
from jcm.domain.aef.nomenclature import NA, ActionType
from jcm.domain.aef.tables import ActionRow, HoldingRow, PartyReport, action_time

A = ActionType
SENDING_TYPES = frozenset({A.FIRST_TRANSFER, A.TRANSFER})


# --- AEF12 ------------------------------------------------------------------------------
def effect(row: ActionRow, own_party_id: str) -> int | None:
    """What the action does to the reporting Party's holdings (None: not an action type)."""
    b = row.block
    own = b.registry_id[:-2] == own_party_id
    q = b.quantity
    if row.action_type == A.AUTHORIZATION:
        return q if own else 0
    if row.action_type == A.FIRST_TRANSFER:
        return -q if own and row.acquiring_party not in (NA, "") else 0
    if row.action_type == A.ACQUISITION:
        return q
    if row.action_type == A.TRANSFER or row.action_type in USING_TYPES:
        return -q
    return None


def _totals(rows: Iterable[HoldingRow]) -> dict[tuple[str, int], int]:
    totals: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        totals[(row.block.approach_id, row.block.vintage)] += row.block.quantity
    return totals


def check_reconciliation(report: PartyReport) -> list[CheckFailure]:
    """AEF12: closing − opening = Σ effect(actions), per approach and vintage. A group with
    a row whose action type is not in the list is not judged (AEF04 reports the row)."""
    net: dict[tuple[str, int], int] = defaultdict(int)
    unknown: set[tuple[str, int]] = set()
    for row in report.actions:
        key = (row.block.approach_id, row.block.vintage)
        change = effect(row, report.submission.party_id)
        if change is None:
            unknown.add(key)
        else:
            net[key] += change
    opening, closing = _totals(report.opening), _totals(report.holdings)
    failures: list[CheckFailure] = []
    for key in sorted(set(net) | set(opening) | set(closing)):
        before, after = opening.get(key, 0), closing.get(key, 0)
        if key in unknown or after - before == net.get(key, 0):
            continue
        failures.append(
            CheckFailure(
                "AEF12",
                report.party,
                TABLE_HOLDINGS,
                None,
                "Quantity (t CO2 eq)",
                f"{key[0]} vintage {key[1]}: holdings went from {before} at the end of "
                f"{report.year - 1} to {after} at the end of {report.year} "
                f"({after - before:+}) but the actions of {report.year} add up to "
                f"{net.get(key, 0):+}",
            )
        )
    return failures


# --- AEF14 ------------------------------------------------------------------------------
def check_adjustments(report: PartyReport) -> list[CheckFailure]:
    """AEF14: first transfers of the year and adjustments for the year cover each other."""
    year = report.year
    adjusted: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for fact in report.adjustments:
        if fact.reporting_year == year:
            adjusted[fact.approach_id].append((fact.first_id, fact.last_id))
    cover = {approach: union(ranges) for approach, ranges in adjusted.items()}
    transferred: dict[str, list[tuple[int, int]]] = defaultdict(list)
    failures: list[CheckFailure] = []
    for number, row in enumerate(report.actions, start=1):
        if row.action_type != A.FIRST_TRANSFER:
            continue
        b = row.block
        transferred[b.approach_id].append((b.first_id, b.last_id))
        gaps = uncovered(b.first_id, b.last_id, cover.get(b.approach_id, []))
        if gaps:
            failures.append(
                CheckFailure(
                    "AEF14",
                    report.party,
                    TABLE_ACTIONS,
                    number,
                    "ITMO block First ID",
                    f"ITMO ids {ids_text(gaps)} of {b.approach_id} first-transferred in "
                    f"{year} have no corresponding adjustment for {year}",
                )
            )
    return failures + _adjustments_beyond(report, transferred)


def _adjustments_beyond(
    report: PartyReport, transferred: dict[str, list[tuple[int, int]]]
) -> list[CheckFailure]:
    year = report.year
    done = {approach: union(ranges) for approach, ranges in transferred.items()}
    failures: list[CheckFailure] = []
    for fact in report.adjustments:
        if fact.reporting_year != year:
            continue
        gaps = uncovered(fact.first_id, fact.last_id, done.get(fact.approach_id, []))
        if gaps:
            failures.append(
                CheckFailure(
                    "AEF14",
                    report.party,
                    TABLE_ACTIONS,
                    None,
                    "",
                    f"the corresponding adjustment of transaction {fact.transaction_id} for "
                    f"{year} covers ITMO ids {ids_text(gaps)} of {fact.approach_id} that no "
                    f"First transfer row of {year} reports",
                )
            )
    return failures


# --- AEF11 ------------------------------------------------------------------------------
BlockKey = tuple[str, int, int, int, int, str, str, datetime]
Placed = tuple[PartyReport, int]  # a report and a 1-based Table 3 row


def _key(row: ActionRow) -> BlockKey:
    b = row.block
    return (
        b.approach_id,
        b.first_id,
        b.last_id,
        b.quantity,
        b.vintage,
        b.authorization_id,
        b.first_transferring_party,
        row.at,
    )


def check_transfers(reports: Sequence[PartyReport]) -> list[CheckFailure]:
    """AEF11 across reports of one year: every sending row meets its Acquisition."""
    given = {r.submission.party_id for r in reports}
    sent: dict[tuple[str, str, BlockKey], list[Placed]] = defaultdict(list)
    received: dict[tuple[str, str, BlockKey], list[Placed]] = defaultdict(list)
    for report in reports:
        me = report.submission.party_id
        for number, row in enumerate(report.actions, start=1):
            if row.action_type in SENDING_TYPES and row.acquiring_party not in (NA, ""):
                sent[(me, row.acquiring_party, _key(row))].append((report, number))
            elif row.action_type == A.ACQUISITION:
                received[(row.transferring_party, me, _key(row))].append((report, number))
    failures: list[CheckFailure] = []
    for (sender, receiver, key), mine in sent.items():
        if receiver in given:
            theirs = received.get((sender, receiver, key), [])
            failures.extend(_unmatched_sent(p, receiver, key) for p in mine[len(theirs) :])
    for (sender, receiver, key), theirs in received.items():
        if sender in given:
            mine = sent.get((sender, receiver, key), [])
            failures.extend(_unmatched_received(p, sender, key) for p in theirs[len(mine) :])
    return failures


def _block_text(key: BlockKey) -> str:
    approach, first, last, quantity, vintage, authorisation, _, at = key
    return (
        f"ITMO ids {first}–{last} ({quantity}) of {approach}, vintage {vintage}, "
        f'authorization "{authorisation}", at {action_time(at)}'
    )


def _unmatched_sent(placed: Placed, receiver: str, key: BlockKey) -> CheckFailure:
    report, number = placed
    return CheckFailure(
        "AEF11",
        report.party,
        TABLE_ACTIONS,
        number,
        "Acquiring participating Party ID",
        f'"{receiver}" reports no Acquisition of {_block_text(key)} from '
        f'"{report.submission.party_id}" for {report.year}',
    )


def _unmatched_received(placed: Placed, sender: str, key: BlockKey) -> CheckFailure:
    report, number = placed
    return CheckFailure(
        "AEF11",
        report.party,
        TABLE_ACTIONS,
        number,
        "Transferring participating Party ID",
        f'"{sender}" reports no First transfer or Transfer of {_block_text(key)} to '
        f'"{report.submission.party_id}" for {report.year}',
    )


# --- AEF13 ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, order=True)
class _Use:
    approach: str
    first: int
    last: int
    when: tuple[datetime, int, int]  # action time, report index, row: the later is blamed

    @property
    def report(self) -> int:
        return self.when[1]

    @property
    def row(self) -> int:
        return self.when[2]


def check_single_use(reports: Sequence[PartyReport]) -> list[CheckFailure]:
    """AEF13: no ITMO id of an approach used or cancelled twice across ``reports``. Of
    two rows sharing ids, the later one (by action time) is reported, naming the other."""
    uses: list[_Use] = []
    for which, report in enumerate(reports):
        for number, row in enumerate(report.actions, start=1):
            b = row.block
            if row.action_type in USING_TYPES and b.first_id <= b.last_id:
                uses.append(_Use(b.approach_id, b.first_id, b.last_id, (row.at, which, number)))
    uses.sort()
    failures: list[CheckFailure] = []
    reach: _Use | None = None  # of the rows so far, the one reaching the highest id
    for use in uses:
        if reach is not None and reach.approach == use.approach and use.first <= reach.last:
            shared = (use.first, min(use.last, reach.last))
            later, other = (use, reach) if use.when >= reach.when else (reach, use)
            failures.append(_used_twice(reports, later, other, shared))
        if reach is None or reach.approach != use.approach or use.last > reach.last:
            reach = use
    return failures


def _used_twice(
    reports: Sequence[PartyReport], later: _Use, other: _Use, shared: tuple[int, int]
) -> CheckFailure:
    earlier = reports[other.report]
    return CheckFailure(
        "AEF13",
        reports[later.report].party,
        TABLE_ACTIONS,
        later.row,
        "ITMO block First ID",
        f"ITMO ids {ids_text([shared])} of {later.approach} are also used or cancelled in "
        f"Table 3 row {other.row} of the report of {earlier.party} for {earlier.year}",
    )
