"""AEF05–AEF10: the block rules of one report, judged on its typed rows.

* AEF05 an Authorization ID of Table 3 or 4 is in Table 2.
* AEF06 a using/cancelling entity of Table 3 is in Table 5.
* AEF07 a block's First ID is not after its Last ID, its quantity is the number of ids
  (one ITMO per tonne) and its underlying unit ids span as many units as its ITMO ids.
* AEF08 no two holdings rows of one registry share an ITMO id of one approach.
* AEF09 no ITMO id that Table 3 reports used or cancelled is held at 31 December.
* AEF10 the fixed attributes of a block (first transferring Party, metric, mitigation
  type, vintage; the approach is the key) agree between Table 3 and Table 4.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from jcm.domain.aef.failures import TABLE_ACTIONS, TABLE_HOLDINGS, CheckFailure
from jcm.domain.aef.intervals import RangeIndex, ids_text
from jcm.domain.aef.nomenclature import NA, ActionType
from jcm.domain.aef.tables import ActionRow, BlockAttributes, HoldingRow, PartyReport

USING_TYPES = frozenset(
    {ActionType.USE, ActionType.CANCELLATION, ActionType.VOLUNTARY_CANCELLATION}
)
FIXED_ATTRIBUTES = (
    ("First transferring participating Party ID", "first_transferring_party"),
    ("Metric", "metric"),
    ("Mitigation type", "mitigation_type"),
    ("Vintage", "vintage"),
)


def holdings_index(holdings: Sequence[HoldingRow]) -> dict[str, RangeIndex[int]]:
    """Per approach, the holdings rows (1-based numbers) by their ITMO ids."""
    ranges: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for number, row in enumerate(holdings, start=1):
        b = row.block
        ranges[b.approach_id].append((b.first_id, b.last_id, number))
    return {approach: RangeIndex(items) for approach, items in ranges.items()}


def check_blocks(report: PartyReport) -> list[CheckFailure]:
    index = holdings_index(report.holdings)
    return [
        *_authorisations_listed(report),
        *_entities_listed(report),
        *_extents(report),
        *_holdings_disjoint(report),
        *_used_not_held(report, index),
        *_fixed_attributes(report, index),
    ]


def _block_tables(report: PartyReport) -> tuple[tuple[int, Sequence[ActionRow | HoldingRow]], ...]:
    return ((TABLE_ACTIONS, report.actions), (TABLE_HOLDINGS, report.holdings))


def _authorisations_listed(report: PartyReport) -> Iterable[CheckFailure]:
    listed = {a.authorization_id for a in report.authorizations}
    for table, rows in _block_tables(report):
        for number, row in enumerate(rows, start=1):
            wanted = row.block.authorization_id
            if wanted not in listed and wanted not in ("", NA):
                yield CheckFailure(
                    "AEF05",
                    report.party,
                    table,
                    number,
                    "Authorization ID",
                    f'authorization "{wanted}" is not in Table 2',
                )


def _entities_listed(report: PartyReport) -> Iterable[CheckFailure]:
    listed = {e.identification_number for e in report.entities}
    for number, row in enumerate(report.actions, start=1):
        entity = row.using_entity
        if entity not in listed and entity not in ("", NA):
            yield CheckFailure(
                "AEF06",
                report.party,
                TABLE_ACTIONS,
                number,
                "Using/cancelling authorized entity ID",
                f'authorized entity "{entity}" is not in Table 5',
            )


def _extents(report: PartyReport) -> Iterable[CheckFailure]:
    for table, rows in _block_tables(report):
        for number, row in enumerate(rows, start=1):
            found = extent_fault(row.block)
            if found is not None:
                column, message = found
                yield CheckFailure("AEF07", report.party, table, number, column, message)


def extent_fault(b: BlockAttributes) -> tuple[str, str] | None:
    """The column and message of a block whose ids, quantity or units disagree."""
    if b.first_id > b.last_id:
        return "ITMO block Last ID", f"Last ID {b.last_id} is before First ID {b.first_id}"
    count = b.last_id - b.first_id + 1
    if b.quantity != count:
        return "Quantity (t CO2 eq)", (
            f"quantity {b.quantity} is not the {count} ITMO ids {b.first_id}–{b.last_id}"
        )
    if b.first_unit is None or b.last_unit is None:
        return None
    units = b.last_unit - b.first_unit + 1
    if units != count:
        return "Last unit ID", (
            f"unit ids {b.first_unit}–{b.last_unit} ({units}) do not match "
            f"the {count} ITMO ids {b.first_id}–{b.last_id}"
        )
    return None


def _holdings_disjoint(report: PartyReport) -> Iterable[CheckFailure]:
    ranges: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for number, row in enumerate(report.holdings, start=1):
        b = row.block
        ranges[(b.registry_id, b.approach_id)].append((b.first_id, b.last_id, number))
    for (registry, approach), items in ranges.items():
        index = RangeIndex(items)
        for first, last, number in items:
            for other in index.overlapping(first, last):
                if other >= number:
                    continue
                theirs = report.holdings[other - 1].block
                shared = (max(first, theirs.first_id), min(last, theirs.last_id))
                yield CheckFailure(
                    "AEF08",
                    report.party,
                    TABLE_HOLDINGS,
                    number,
                    "ITMO block First ID",
                    f"ITMO ids {ids_text([shared])} of {approach} in {registry} are also "
                    f"held by Table 4 row {other}",
                )


def _used_not_held(
    report: PartyReport, index: dict[str, RangeIndex[int]]
) -> Iterable[CheckFailure]:
    for number, row in enumerate(report.actions, start=1):
        b = row.block
        if row.action_type not in USING_TYPES or b.approach_id not in index:
            continue
        for held in index[b.approach_id].overlapping(b.first_id, b.last_id):
            h = report.holdings[held - 1].block
            shared = (max(b.first_id, h.first_id), min(b.last_id, h.last_id))
            yield CheckFailure(
                "AEF09",
                report.party,
                TABLE_HOLDINGS,
                held,
                "ITMO block First ID",
                f"ITMO ids {ids_text([shared])} of {b.approach_id} are held at 31 December "
                f"{report.year} but Table 3 row {number} reports them {row.action_type}",
            )


def _fixed_attributes(
    report: PartyReport, index: dict[str, RangeIndex[int]]
) -> Iterable[CheckFailure]:
    for number, row in enumerate(report.actions, start=1):
        b = row.block
        if b.approach_id not in index:
            continue
        for held in index[b.approach_id].overlapping(b.first_id, b.last_id):
            h = report.holdings[held - 1].block
            for column, name in FIXED_ATTRIBUTES:
                mine, theirs = getattr(b, name), getattr(h, name)
                if mine != theirs:
                    yield CheckFailure(
                        "AEF10",
                        report.party,
                        TABLE_ACTIONS,
                        number,
                        column,
                        f'"{mine}" differs from "{theirs}" in Table 4 row {held} '
                        f"(ITMO ids {b.first_id}–{b.last_id} of {b.approach_id})",
                    )
