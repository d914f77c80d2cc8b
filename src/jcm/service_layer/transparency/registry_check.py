"""Comparing the replayed registry with the stored registry tables, row by row.

Live state (registries, organisations, accounts, projects, decisions and their lines, unit
blocks) is compared after the replay; the stored rows are streamed. Transactions and their
serial ranges grow with the log, so :class:`TransactionCheck` compares each one while the
log is replayed, against the stored rows read page by page in id order: it holds only the
transactions that arrive out of id order (a short window when writers interleave).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jcm.domain.registry.article6 import Article6
from jcm.domain.registry.serials import SerialRange
from jcm.service_layer.transparency.divergence import (
    Divergence,
    RowSource,
    TableSpec,
    compare_table,
    existence,
)
from jcm.service_layer.transparency.replay import ExpectedTransaction, ReplayState

# Reported field names kept from earlier reports where they differ from the column.
_ACCOUNT_FIELDS = {"organisation_id": "organisation"}
_DECISION_FIELDS = {"project_id": "project"}

REGISTRIES = TableSpec("registries", ("code",), lambda k: f"registry {k}")
ORGANISATIONS = TableSpec("organisations", ("id",), lambda k: f"organisation {k}")
ACCOUNTS = TableSpec("accounts", ("id",), lambda k: f"account {k}", _ACCOUNT_FIELDS)
PROJECTS = TableSpec("projects", ("id",), lambda k: f"project {k}")
DECISIONS = TableSpec("decisions", ("id",), lambda k: f"decision {k}", _DECISION_FIELDS)
LINES = TableSpec(
    "decision_lines", ("decision_id", "line_no"), lambda k: f"decision {k[0]} line {k[1]}"
)
TRANSACTIONS = TableSpec("transactions", ("id",), lambda k: f"transaction {k}")


def compare_registry(state: ReplayState, ledger: RowSource) -> Divergence | None:
    """The first stored registry row that differs from the replayed one, or None."""
    t = state.touched

    def touched(prefix: str) -> Callable[[Any], int | None]:
        return lambda key: t.get(f"{prefix} {key}")

    for spec, expected, prefix in (
        (REGISTRIES, state.registries, "registry"),
        (ORGANISATIONS, state.organisations, "organisation"),
        (ACCOUNTS, state.accounts, "account"),
        (PROJECTS, state.projects, "project"),
        (DECISIONS, state.decisions, "decision"),
    ):
        problem = compare_table(spec, expected, ledger.rows(spec.table), touched(prefix))
        if problem is not None:
            return problem
    problem = compare_table(
        LINES, state.lines, ledger.rows(LINES.table), lambda k: t.get(f"decision {k[0]}")
    )
    if problem is not None:
        return problem
    return compare_blocks(state, ledger)


# -- unit blocks -------------------------------------------------------------------------------

_RunTuple = tuple[int, int, tuple[Any, ...], int]
# The stored columns behind each attribute of a run, in _a6_tuple's order after the first three.
_BLOCK_COLUMNS = (
    "account_id",
    "registry",
    "origin_registry",
    "authorised_uses",
    "authorisation_ref",
    "first_transfer_trigger",
    "first_transferred",
    "ca_status",
)
_BLOCK_FIELDS = {
    "account_id": "account",
    "registry": "registry",
    "origin_registry": "origin",
}


@functools.cache
def _a6_tuple(a6: Article6) -> tuple[Any, ...]:
    return (
        ",".join(sorted(u.value for u in a6.authorised_uses)),
        a6.authorisation_ref,
        a6.first_transfer_trigger.value if a6.first_transfer_trigger else None,
        a6.first_transferred,
        a6.ca_status.value,
    )


def _merged(runs: list[_RunTuple]) -> list[_RunTuple]:
    """Merge adjacent runs with equal attributes (block boundaries are not state)."""
    out: list[_RunTuple] = []
    for start, end, attrs, touched in sorted(runs):
        if out and out[-1][1] + 1 == start and out[-1][2] == attrs:
            prev = out[-1]
            out[-1] = (prev[0], end, attrs, max(prev[3], touched))
        else:
            out.append((start, end, attrs, touched))
    return out


def _stored_attrs(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column] for column in _BLOCK_COLUMNS)


def _blocks_by_decision(ledger: RowSource) -> Iterator[tuple[int, list[Mapping[str, Any]]]]:
    """Stored blocks grouped by decision, one decision's blocks in memory at a time."""
    group: list[Mapping[str, Any]] = []
    current: int | None = None
    for row in ledger.rows("unit_blocks", order_by=("decision_id", "serial_start", "id")):
        if current is not None and row["decision_id"] != current:
            yield current, group
            group = []
        current = row["decision_id"]
        group.append(row)
    if current is not None:
        yield current, group


def compare_blocks(state: ReplayState, ledger: RowSource) -> Divergence | None:
    stored = _blocks_by_decision(ledger)
    remaining = set(state.runs)
    for decision_id, rows in stored:
        if decision_id not in state.runs:
            first = rows[0]
            return existence(
                None,
                f"units of decision {decision_id} serials "
                f"{first['serial_start']}-{first['serial_end']}",
                False,
                "unit_blocks",
                decision_id,
            )
        remaining.discard(decision_id)
        problem = _compare_decision_blocks(state, decision_id, rows)
        if problem is not None:
            return problem
    for decision_id in sorted(remaining):
        problem = _compare_decision_blocks(state, decision_id, [])
        if problem is not None:
            return problem
    return None


def _compare_decision_blocks(
    state: ReplayState, decision_id: int, rows: list[Mapping[str, Any]]
) -> Divergence | None:
    decision = state.decisions[decision_id]
    for before, after in itertools.pairwise(rows):
        if after["serial_start"] <= before["serial_end"]:  # two blocks hold one unit
            return Divergence(
                None,
                f"units of decision {decision_id} serials {after['serial_start']}-"
                f"{before['serial_end']}",
                "overlap",
                "one block per unit",
                "two blocks",
                "unit_blocks",
                str(decision_id),
                "serial_start",
            )
    expected = _merged(
        [
            (r.start, r.end, (r.account, r.registry, r.origin, *_a6_tuple(r.article6)), r.touched)
            for r in state.runs[decision_id]
        ]
    )
    found = _merged(
        [(row["serial_start"], row["serial_end"], _stored_attrs(row), 0) for row in rows]
    )
    return _first_block_difference(decision_id, decision, expected, found)


def _first_block_difference(
    decision_id: int, decision: dict[str, Any], expected: list[_RunTuple], found: list[_RunTuple]
) -> Divergence | None:
    """Sweep both tilings serial by serial; report the first sub-range that differs."""

    def entity(origin: str, start: int, end: int) -> str:
        project = decision["project_id"]
        serial = SerialRange(
            origin, project[:2], project, decision["vintage"], decision["period_seq"], start, end
        )
        return "units " + serial.format()

    def at(runs: list[_RunTuple], i: int, serial: int) -> _RunTuple | None:
        return runs[i] if i < len(runs) and runs[i][0] <= serial <= runs[i][1] else None

    i = j = 0
    serial = min((r[0] for r in expected[:1] + found[:1]), default=None)
    while serial is not None:
        while i < len(expected) and expected[i][1] < serial:
            i += 1
        while j < len(found) and found[j][1] < serial:
            j += 1
        exp, got = at(expected, i, serial), at(found, j, serial)
        if exp is None and got is None:
            nexts = [r[0] for r in (expected[i : i + 1] + found[j : j + 1])]
            serial = min(nexts) if nexts else None
            continue
        if exp is None or got is None:
            return _block_existence(decision_id, exp, got, serial, expected, found, i, j, entity)
        stop = min(exp[1], got[1])
        for column, e_value, g_value in zip(_BLOCK_COLUMNS, exp[2], got[2], strict=True):
            if e_value != g_value:
                return Divergence(
                    exp[3],
                    entity(exp[2][2], serial, stop),
                    _BLOCK_FIELDS.get(column, column),
                    e_value,
                    g_value,
                    "unit_blocks",
                    str(decision_id),
                    column,
                )
        serial = stop + 1
    return None


def _block_existence(
    decision_id: int,
    exp: _RunTuple | None,
    got: _RunTuple | None,
    serial: int,
    expected: list[_RunTuple],
    found: list[_RunTuple],
    i: int,
    j: int,
    entity: Callable[[str, int, int], str],
) -> Divergence:
    present = exp or got
    assert present is not None
    stop = present[1]
    other = found[j : j + 1] if exp else expected[i : i + 1]
    if other:
        stop = min(stop, other[0][0] - 1)
    return Divergence(
        exp[3] if exp else None,
        entity(present[2][2], serial, stop),
        "existence",
        "present" if exp else "absent",
        "present" if got else "absent",
        "unit_blocks",
        str(decision_id),
        None,
    )


# -- transactions and their serial ranges, while the log is replayed ---------------------------


class TransactionCheck:
    """Compares each replayed transaction (with its ranges) with the stored rows.

    Stored transactions and ranges are read in transaction-id order, page by page; the
    replay gives them in log order, which is id order except where writers interleaved.
    Both sides wait in a dict until their other half arrives.
    """

    def __init__(self, ledger: RowSource) -> None:
        self._found = _stored_transactions(ledger)
        self._waiting_log: dict[int, ExpectedTransaction] = {}
        self._waiting_db: dict[int, tuple[dict[str, Any], list[tuple[int, int, int]]]] = {}
        self._read_up_to = 0
        self.problem: Divergence | None = None

    def feed(self, expected: ExpectedTransaction) -> None:
        if self.problem is not None:
            return
        stored = self._waiting_db.pop(expected.id, None)
        while stored is None and self._read_up_to < expected.id:
            stored = self._read_until(expected.id)
        if stored is None:
            self._waiting_log[expected.id] = expected
            return
        self.problem = _compare_transaction(expected, *stored)

    def _read_until(self, wanted: int) -> tuple[dict[str, Any], list[tuple[int, int, int]]] | None:
        found = next(self._found, None)
        if found is None:
            self._read_up_to = wanted
            return None
        tx_id = int(found[0]["id"])
        self._read_up_to = max(self._read_up_to, tx_id)
        if tx_id == wanted:
            return found
        waiting = self._waiting_log.pop(tx_id, None)
        if waiting is not None:
            self.problem = self.problem or _compare_transaction(waiting, *found)
        else:
            self._waiting_db[tx_id] = found
        return None

    def finish(self) -> Divergence | None:
        """After the last entry: every stored transaction must have been in the log."""
        for found in self._found:
            tx_id = int(found[0]["id"])
            waiting = self._waiting_log.pop(tx_id, None)
            if waiting is None:
                self._waiting_db[tx_id] = found
            elif self.problem is None:
                self.problem = _compare_transaction(waiting, *found)
        if self.problem is not None:
            return self.problem
        for tx_id, (row, _) in sorted(self._waiting_db.items()):
            table = "transaction_ranges" if row.get("_orphan") else "transactions"
            return existence(None, f"transaction {tx_id}", False, table, tx_id)
        for tx_id, expected in sorted(self._waiting_log.items()):
            return existence(expected.index, f"transaction {tx_id}", True, "transactions", tx_id)
        return None


_RANGE_COLUMNS = ("transaction_id", "decision_id", "serial_start", "serial_end")


def _stored_transactions(
    ledger: RowSource,
) -> Iterator[tuple[dict[str, Any], list[tuple[int, int, int]]]]:
    """(transaction row, its ranges) in id order; ranges of no transaction come alone."""
    ranges = ledger.row_tuples("transaction_ranges", _RANGE_COLUMNS, ("transaction_id", "id"))
    pending = next(ranges, None)
    for row in ledger.rows("transactions"):
        tx_id = row["id"]
        mine: list[tuple[int, int, int]] = []
        while pending is not None and pending[0] <= tx_id:
            if pending[0] < tx_id:
                yield {"id": pending[0], "_orphan": True}, [pending[1:]]
            else:
                mine.append(pending[1:])
            pending = next(ranges, None)
        yield row, mine
    while pending is not None:
        yield {"id": pending[0], "_orphan": True}, [pending[1:]]
        pending = next(ranges, None)


def _compare_transaction(
    expected: ExpectedTransaction, row: dict[str, Any], stored: list[tuple[int, int, int]]
) -> Divergence | None:
    if row.get("_orphan"):
        return existence(
            expected.index, f"transaction {expected.id}", True, "transactions", expected.id
        )
    for column, value in expected.row.items():
        if value != row.get(column):
            return Divergence(
                expected.index,
                f"transaction {expected.id}",
                column,
                value,
                row.get(column),
                "transactions",
                str(expected.id),
                column,
            )
    if stored == expected.ranges:
        return None
    for position in range(max(len(stored), len(expected.ranges))):
        want = expected.ranges[position] if position < len(expected.ranges) else None
        got = stored[position] if position < len(stored) else None
        if want != got:
            return _range_difference(expected, position, want, got)
    return None


def _range_difference(
    expected: ExpectedTransaction,
    position: int,
    want: tuple[int, int, int] | None,
    got: tuple[int, int, int] | None,
) -> Divergence:
    entity = f"transaction {expected.id} range {position + 1}"
    if want is None or got is None:
        return existence(
            expected.index, entity, want is not None, "transaction_ranges", expected.id
        )
    column = next(
        name
        for name, a, b in zip(("decision_id", "serial_start", "serial_end"), want, got, strict=True)
        if a != b
    )
    index = ("decision_id", "serial_start", "serial_end").index(column)
    return Divergence(
        expected.index,
        entity,
        column,
        want[index],
        got[index],
        "transaction_ranges",
        str(expected.id),
        column,
    )
