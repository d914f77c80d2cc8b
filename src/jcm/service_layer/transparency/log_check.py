"""Checking the log's own tables while its entries stream past: events, tree nodes, head,
checkpoints, signing keys and the idempotency records bound into entries.

Memory stays constant in the log's length: the tree is a compact range (at most 63 hashes),
stored nodes are read level by level in the order the tree completes them (one cursor per
level), and only the checkpoint rows (one per ``checkpoint_every`` entries) and the
idempotency records (one per stored idempotency row) are held.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Generator, Iterator, Mapping
from datetime import datetime
from typing import Any

from jcm.domain.registry.transactions import TransactionKind
from jcm.domain.transparency import merkle
from jcm.domain.transparency.checkpoint import Checkpoint
from jcm.domain.transparency.log_entries import parse_checkpoint_extension, response_digest
from jcm.domain.transparency.note_keys import (
    parse_verifier_key,
)
from jcm.domain.transparency.signed_note import (
    MalformedKey,
    MalformedNote,
    Verifier,
    check_note,
)
from jcm.service_layer.ports import RowSource, TransparencyLog
from jcm.service_layer.transparency.divergence import (
    Divergence,
    TableSpec,
    compare_table,
    existence,
    key_text,
)

_TRANSACTION_KINDS = frozenset(k.value for k in TransactionKind)
HEAD = TableSpec("log_state", ("id",), lambda k: "log head")
_HEAD_ID = 1


def _problem(
    index: int | None,
    entity: str,
    field: str,
    expected: Any,
    found: Any,
    table: str,
    key: Any,
    column: str | None,
) -> Divergence:
    return Divergence(index, entity, field, expected, found, table, key_text(key), column)


class TreeCheck:
    """Rebuilds the Merkle tree leaf by leaf and compares every stored node as it completes."""

    def __init__(
        self, log: TransparencyLog, checkpoint_sizes: set[int], head_size: int | None
    ) -> None:
        self.log = log
        self.tree = merkle.CompactRange()
        self.sizes = checkpoint_sizes
        # Nodes over entries beyond the head's size are not stored: such entries are extra,
        # which check_head reports (as events).
        self.head_size = head_size
        self.roots_at: dict[int, bytes] = {}
        self._levels: dict[int, Generator[tuple[int, bytes]]] = {}

    def add(self, leaf: bytes) -> Divergence | None:
        for level, idx, value in self.tree.append(leaf):
            if level:
                problem = self._node(level, idx, value)
                if problem is not None:
                    return problem
        if self.tree.size in self.sizes:
            self.roots_at[self.tree.size] = self.tree.root()
        return None

    def _level(self, level: int) -> Iterator[tuple[int, bytes]]:
        cursor = self._levels.get(level)
        if cursor is None:
            cursor = self._levels[level] = self.log.iter_level(level)
        return cursor

    def _node(self, level: int, idx: int, value: bytes) -> Divergence | None:
        stored = next(self._level(level), None)
        if stored == (idx, value):
            return None
        if stored is None and self.head_size is not None and (idx + 1) << level > self.head_size:
            return None  # over entries past the head: check_head reports those entries
        at = idx if stored is None or stored[0] > idx else stored[0]
        found = None if stored is None or stored[0] > idx else stored[1].hex()
        expected = value.hex() if at == idx else None
        return _problem(
            at << level,
            f"tree node (level {level}, index {at})",
            "hash",
            expected,
            found,
            "log_nodes",
            (level, at),
            "hash" if expected and found else None,
        )

    def finish(self) -> Divergence | None:
        """No stored node beyond those the tree has: count them per level."""
        self.close()
        size = self.tree.size
        counts = self.log.node_counts()
        for level in sorted(set(counts) | {lv for lv in range(1, 64) if size >> lv}):
            want, got = size >> level, counts.get(level, 0)
            head = size if self.head_size is None else self.head_size
            if want != got and min(size, head) >> level <= got <= max(size, head) >> level:
                continue  # nodes over entries past the head, or the head past the entries
            if want != got:
                at = min(want, got)
                if got > want:  # name the first stored node the tree does not have
                    extra = self.log.iter_level(level)
                    at = next(itertools.islice(extra, want, None))[0]
                    extra.close()
                return _problem(
                    at << level,
                    f"tree node (level {level}, index {at})",
                    "hash",
                    "present" if want > got else "absent",
                    "absent" if want > got else "present",
                    "log_nodes",
                    (level, at),
                    None,
                )
        return None

    def close(self) -> None:
        for cursor in self._levels.values():
            cursor.close()
        self._levels.clear()


def check_event(
    index: int, row: Mapping[str, Any], entry: Mapping[str, Any], when: datetime
) -> Divergence | None:
    """The stored columns of an event row beside its entry text: kind, transaction, time."""
    kind = entry.get("type")
    change = entry.get("change") or {}
    transaction = change.get("transaction") if kind in _TRANSACTION_KINDS else None
    for column, expected in (
        ("kind", kind),
        ("transaction_id", transaction),
        ("created_at", when),
    ):
        if row[column] != expected:
            return _problem(
                index, f"log entry {index}", column, expected, row[column], "events", index, column
            )
    return None


# -- checkpoints, head, keys -------------------------------------------------------------------


def check_checkpoints(
    rows: list[dict[str, Any]],
    roots_at: Mapping[int, bytes],
    verifier_for: Callable[[str], Verifier | None],
) -> Divergence | None:
    """Each checkpoint signed by a known key over the recomputed root, numbered 1, 2, 3… in
    its signed extension line with its time (unnumbered ones come only before numbered)."""
    previous: dict[str, Any] | None = None
    numbered = False
    for row in rows:
        problem, is_numbered = _check_checkpoint(row, previous, numbered, roots_at, verifier_for)
        if problem is not None:
            return problem
        numbered = numbered or is_numbered
        previous = row
    return None


def _checkpoint_problem(row: Mapping[str, Any], column: str | None, exp: Any, got: Any) -> Any:
    field = {"key_id": "signing key", "note": "signature", "root_hash": "root hash"}
    return _problem(
        row["size"] - 1 if row["size"] else None,
        f"checkpoint of size {row['size']}",
        field.get(column or "", column or "existence"),
        exp,
        got,
        "checkpoints",
        row["id"],
        column,
    )


def _check_checkpoint(
    row: dict[str, Any],
    previous: dict[str, Any] | None,
    numbered: bool,
    roots_at: Mapping[int, bytes],
    verifier_for: Callable[[str], Verifier | None],
) -> tuple[Divergence | None, bool]:
    verifier = verifier_for(row["key_id"])
    if verifier is None:
        return _checkpoint_problem(row, "key_id", "a known key", row["key_id"]), False
    result = check_note(row["note"], [verifier])
    if not result.ok:
        return _checkpoint_problem(row, "note", "valid", result.reason), False
    try:
        body = Checkpoint.parse(result.note.text if result.note else row["note"])
    except MalformedNote as error:
        return _checkpoint_problem(row, "note", "a checkpoint", str(error)), False
    expected_root = roots_at.get(row["size"])
    if body.size != row["size"] or expected_root is None:
        return _checkpoint_problem(row, "size", body.size, row["size"]), False
    if body.root_hash != expected_root:
        return _checkpoint_problem(row, "note", expected_root.hex(), body.root_hash.hex()), False
    if row["root_hash"] != expected_root:
        return _checkpoint_problem(row, "root_hash", expected_root.hex(), row["root_hash"]), False
    if previous is not None and row["size"] < previous["size"]:
        return _checkpoint_problem(row, "size", f">= {previous['size']}", row["size"]), False
    return _check_number(row, previous, numbered, body)


def _check_number(
    row: dict[str, Any], previous: dict[str, Any] | None, numbered: bool, body: Checkpoint
) -> tuple[Divergence | None, bool]:
    signed = parse_checkpoint_extension(body.extensions)
    if signed is None:  # a checkpoint signed before checkpoints were numbered
        if numbered:
            return _checkpoint_problem(row, "note", "a numbered checkpoint", "unnumbered"), False
        return None, False
    number, stamp = signed
    if number != row["id"]:
        return _checkpoint_problem(row, "id", number, row["id"]), True
    if datetime.fromisoformat(stamp) != row["created_at"]:
        return _checkpoint_problem(row, "created_at", stamp, row["created_at"]), True
    wanted = previous["id"] + 1 if previous is not None else 1
    if row["id"] != wanted:  # the checkpoint numbered `wanted` is gone
        return missing_checkpoint(wanted, row["size"]), True
    return None, True


def missing_checkpoint(number: int, size: int | None) -> Divergence:
    return existence(
        size - 1 if size else None,
        f"checkpoint {number}",
        True,
        "checkpoints",
        number,
    )


def head_size(ledger: RowSource) -> int | None:
    """The size the head row claims (None unless there is exactly one head row)."""
    rows = list(ledger.rows(HEAD.table))
    return int(rows[0]["size"]) if len(rows) == 1 else None


def check_head_size(ledger: RowSource, tree: merkle.CompactRange) -> Divergence | None:
    """A head whose size and frontier both differ from the entries' tree describes other
    entries: entries were deleted from, or added to, the end of the log."""
    rows = list(ledger.rows(HEAD.table))
    if len(rows) == 1 and rows[0]["size"] != tree.size and rows[0]["frontier"] != tree.to_hex():
        claimed = int(rows[0]["size"])
        at = min(claimed, tree.size)
        return existence(
            at - 1 if at else None,
            f"log entry {at} (the head counts {claimed} entries)",
            claimed > tree.size,
            "events",
            at,
        )
    return None


def check_head(
    ledger: RowSource, tree: merkle.CompactRange, checkpoints: list[dict[str, Any]]
) -> Divergence | None:
    """The head row says the tree's size and frontier, and the newest checkpoint's size.

    A head that
    names a newer checkpoint than the newest row says the newest checkpoint was deleted
    (or the head edited: the two cannot be told apart, the message says both)."""
    rows = list(ledger.rows(HEAD.table))
    newest = checkpoints[-1]["size"] if checkpoints else 0
    expected = {
        _HEAD_ID: {"size": tree.size, "frontier": tree.to_hex(), "checkpointed_size": newest}
    }
    problem = compare_table(HEAD, expected, iter(rows), lambda _: tree.size - 1)
    if (
        problem is not None
        and problem.column == "checkpointed_size"
        and isinstance(problem.found, int)
        and problem.found > newest
    ):
        last = checkpoints[-1]["id"] if checkpoints else 0
        return existence(
            problem.found - 1,
            f"checkpoint {last + 1} (the log head names a checkpoint of size "
            f"{problem.found}; the newest stored is of size {newest})",
            True,
            "checkpoints",
            last + 1,
        )
    return problem


def check_keys(ledger: RowSource) -> Divergence | None:
    """Each stored signing key's id and name are those of its verifier key.

    When a key was made and retired is the key chain's business (not in the log yet)."""
    for row in ledger.rows("log_keys"):
        try:
            parsed = parse_verifier_key(row["verifier"])
        except MalformedKey as error:
            return _problem(
                None, f"log key {row['key_id']}", "verifier", "a verifier key", str(error),
                "log_keys", row["key_id"], "verifier",
            )  # fmt: skip
        for column, expected in (("key_id", f"{parsed.key_id:08x}"), ("name", parsed.name)):
            if row[column] != expected:
                return _problem(
                    None, f"log key {row['key_id']}", column, expected, row[column],
                    "log_keys", row["key_id"], column,
                )  # fmt: skip
    return None


# -- idempotency records -----------------------------------------------------------------------


class IdempotencyCheck:
    """Collects the idempotency records of the entries, then compares the stored rows."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.first_bound: datetime | None = None
        self.last_entry: datetime | None = None

    def add(self, index: int, entry: Mapping[str, Any], when: datetime) -> None:
        self.last_entry = when
        record = entry.get("idempotency")
        if not isinstance(record, dict):
            return
        self.records[str(record.get("key_sha256"))] = {**record, "index": index, "at": when}
        if self.first_bound is None:
            self.first_bound = when

    def _before_binding(self, at: datetime) -> bool:
        return _legacy(self.first_bound, self.last_entry, at)

    def compare(self, ledger: RowSource) -> Divergence | None:
        for row in ledger.rows("idempotency_keys"):
            digest = hashlib.sha256(str(row["key"]).encode("utf-8")).hexdigest()
            record = self.records.pop(digest, None)
            if record is None:
                if self._before_binding(row["created_at"]):
                    continue  # stored before entries carried idempotency records
                return existence(
                    None, f"idempotency key {row['key']}", False, "idempotency_keys", row["key"]
                )
            problem = _idempotency_row(row, record)
            if problem is not None:
                return problem
        for digest, record in self.records.items():
            return existence(
                record["index"],
                f"idempotency key sha256:{digest}",
                True,
                "idempotency_keys",
                f"sha256:{digest}",
            )
        return None


def _legacy(first_bound: datetime | None, last_entry: datetime | None, at: datetime) -> bool:
    """A row stored before entries carried idempotency records: older than the first entry
    that carries one, or (a log with none yet) not newer than its last entry."""
    if first_bound is not None:
        return at < first_bound
    return last_entry is not None and at <= last_entry


def _idempotency_row(row: Mapping[str, Any], record: Mapping[str, Any]) -> Divergence | None:
    for column, expected, found in (
        ("command", record.get("command"), row["command"]),
        ("request_digest", record.get("request_digest"), row["request_digest"]),
        ("response", record.get("response_sha256"), response_digest(row["response"])),
        ("created_at", record["at"], row["created_at"]),
    ):
        if expected != found:
            return _problem(
                record["index"],
                f"idempotency key {row['key']}",
                column,
                expected,
                found,
                "idempotency_keys",
                row["key"],
                column,
            )
    return None
