"""The transparency log in the registry's own database.

Every event row is a leaf: its ``entry`` is the canonical JSON (RFC 8785) of
``{type, schema, timestamp, change}`` (plus ``actor``, who took the step, when the unit of
work acts for a principal: schema 2) and ``leaf_hash`` = SHA-256(0x00 || entry). An append
happens in the same database transaction as the change it records, after locking the single
``log_state`` row: that lock fixes the order of entries across concurrent writers (log
index = position in the tree, no gaps) and is held only from the flush to the commit.
Interior nodes of perfect subtrees go to ``log_nodes`` as they complete, so a proof is
O(log n) reads. Checkpoints (C2SP signed notes over origin, size and root) are signed when
``checkpoint_every`` entries have accumulated and on demand.

Entries are hashed and written when the unit of work commits (``before_commit``), so that
the last entry of a command can carry the record of its idempotency key (digests of the key
and of the stored response): verify then checks the stored response against the log. Each
checkpoint is numbered (its row id, consecutive from 1) and signs its number and time in an
extension line, so a missing, extra or re-dated checkpoint row is seen by verify.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from jcm.adapters import schema as t
from jcm.adapters.canonical import canonical_json
from jcm.adapters.driver_statement import DriverStatement
from jcm.adapters.log_keys import KeyFiles
from jcm.adapters.signing import NoteSigner
from jcm.domain.transparency.checkpoint import Checkpoint
from jcm.domain.transparency.key_chain import ROTATION_ENTRY, choose_signing_key
from jcm.domain.transparency.log_entries import (
    checkpoint_extension,
    log_entry_at,
    timestamp_text,
)
from jcm.domain.transparency.merkle import CompactRange, leaf_hash
from jcm.service_layer.ports import LogSigner

_STATE_ID = 1
_E = t.events.c
_N = t.log_nodes.c

_D_STATE_LOCKED = DriverStatement(
    select(t.log_state.c.size, t.log_state.c.frontier, t.log_state.c.checkpointed_size)
    .where(t.log_state.c.id == bindparam("id"))
    .with_for_update()
)
_D_UPDATE_STATE = DriverStatement(
    update(t.log_state)
    .where(t.log_state.c.id == bindparam("id"))
    .values(
        size=bindparam("new_size"),
        frontier=bindparam("new_frontier"),
        checkpointed_size=bindparam("new_checkpointed"),
    )
)
_D_INSERT_EVENTS = DriverStatement(
    insert(t.events),
    ["kind", "transaction_id", "created_at", "log_index", "entry", "leaf_hash"],
)
_D_INSERT_NODES = DriverStatement(insert(t.log_nodes), ["level", "idx", "hash"])
_D_NODE = DriverStatement(
    select(_N.hash).where(_N.level == bindparam("level"), _N.idx == bindparam("idx"))
)
_D_LEAF = DriverStatement(select(_E.leaf_hash).where(_E.log_index == bindparam("idx")))


@dataclass(frozen=True)
class LogSettings:
    """How the log behaves; ``enabled=False`` exists only to measure its cost."""

    enabled: bool = True
    keys: KeyFiles | None = None
    origin: str = "jcm-registry/log"
    checkpoint_every: int = 1000


@dataclass
class _Head:
    tree: CompactRange
    checkpointed_size: int
    dirty: bool = False


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root_hash: bytes
    key_id: str
    note: str
    created_at: datetime


class SqlLogStore:
    def __init__(self, connection: Connection, settings: LogSettings) -> None:
        self.c = connection
        self.settings = settings
        self._head: _Head | None = None
        self._pending: list[tuple[str, int | None, dict[str, Any], datetime]] = []
        self._idempotency: dict[str, Any] | None = None
        # Who the unit of work acts for (Principal.attribution()); None: unattributed.
        self.actor: dict[str, str] | None = None
        # Every event appended in this unit of work (the webhooks' outbox reads them).
        self.appended: list[tuple[str, int | None, dict[str, Any]]] = []

    # -- appending ------------------------------------------------------------------------
    def lock(self) -> None:
        """Take the log's lock and read its head now (before a pipeline of writes)."""
        self._lock_head()

    def _lock_head(self) -> _Head:
        if self._head is None:
            rows = _D_STATE_LOCKED.rows(self.c, {"id": _STATE_ID})
            if not rows:
                raise RuntimeError("log_state is missing: run the migrations (jcm init)")
            size, frontier, checkpointed = rows[0]
            if isinstance(frontier, str):  # SQLite returns the JSON text on the driver path
                frontier = _json_list(frontier)
            self._head = _Head(CompactRange.from_hex(int(size), frontier), int(checkpointed))
        return self._head

    def append(
        self, events: Sequence[tuple[str, int | None, dict[str, Any]]], now: datetime
    ) -> None:
        """Append (kind, transaction id, change) events as log entries, in this order.

        The head is locked now (the order of entries across writers is fixed here); the
        entries are hashed and written at commit, with the command's idempotency record.
        """
        self.appended.extend(events)
        if not self.settings.enabled:
            stamp = timestamp_text(now)
            rows = [
                {
                    "kind": str(kind),
                    "transaction_id": tx_id,
                    "log_index": None,
                    "entry": canonical_json(
                        log_entry_at(kind, change, stamp, None, self.actor)
                    ).decode("utf-8"),
                    "leaf_hash": None,
                }
                for kind, tx_id, change in events
            ]
            _D_INSERT_EVENTS.many(self.c, rows, shared={"created_at": now})
            return
        self._lock_head()
        self._pending.extend((kind, tx_id, change, now) for kind, tx_id, change in events)

    def bind_idempotency(self, record: dict[str, Any]) -> bool:
        """Put a command's idempotency record into its last entry; False if it has none."""
        if not self.settings.enabled or not self._pending:
            return False
        self._idempotency = record
        return True

    def flush(self) -> None:
        """Hash and write the entries appended since the last flush."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        head = self._lock_head()
        tree = head.tree
        nodes: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        last = len(pending) - 1
        actor = self.actor
        for position, (kind, tx_id, change, now) in enumerate(pending):
            bound = self._idempotency if position == last else None
            entry = canonical_json(log_entry_at(kind, change, timestamp_text(now), bound, actor))
            leaf = leaf_hash(entry)
            index = tree.size
            for level, idx, value in tree.append(leaf):
                if level:
                    nodes.append({"level": level, "idx": idx, "hash": value})
            rows.append(
                {
                    "kind": str(kind),
                    "transaction_id": tx_id,
                    "created_at": now,
                    "log_index": index,
                    "entry": entry.decode("utf-8"),
                    "leaf_hash": leaf,
                }
            )
        self._idempotency = None
        times = {row["created_at"] for row in rows}
        if len(times) == 1:  # one unit of work, one time: processed once for the batch
            for row in rows:
                del row["created_at"]
            _D_INSERT_EVENTS.many(self.c, rows, shared={"created_at": times.pop()})
        else:
            _D_INSERT_EVENTS.many(self.c, rows)
        _D_INSERT_NODES.many(self.c, nodes)
        self._save_head(head)

    def _save_head(self, head: _Head) -> None:
        _D_UPDATE_STATE.many(
            self.c,
            [
                {
                    "id": _STATE_ID,
                    "new_size": head.tree.size,
                    "new_frontier": head.tree.to_hex(),
                    "new_checkpointed": head.checkpointed_size,
                }
            ],
        )
        head.dirty = False

    def before_commit(self, now: datetime) -> None:
        """Sign a checkpoint when one is due, and save the head if it changed since."""
        self.flush()
        head = self._head
        if head is None:
            return
        if self.settings.keys is not None and (
            head.tree.size - head.checkpointed_size >= self.settings.checkpoint_every
        ):
            self._sign(head, self.signer(now), now)
            head.dirty = True
        if head.dirty:
            self._save_head(head)

    def checkpoint(self, now: datetime) -> StoredCheckpoint:
        """Sign a checkpoint of the log as it is now (on demand)."""
        self.flush()
        head = self._lock_head()
        stored = self._sign(head, self.signer(now), now)
        head.dirty = True
        return stored

    def _sign(self, head: _Head, signer: NoteSigner, now: datetime) -> StoredCheckpoint:
        root = head.tree.root()
        # Numbered 1, 2, 3… under the log's lock; the number and time are signed.
        last = self.c.execute(select(func.max(t.checkpoints.c.id))).scalar()
        new_id = int(last or 0) + 1
        extension = checkpoint_extension(new_id, timestamp_text(now))
        note = signer.sign_checkpoint(
            Checkpoint(self.settings.origin, head.tree.size, root, (extension,))
        )
        key_id = f"{signer.key_id:08x}"
        self.c.execute(
            insert(t.checkpoints).values(
                id=new_id,
                size=head.tree.size,
                root_hash=root,
                key_id=key_id,
                note=note,
                created_at=now,
            )
        )
        head.checkpointed_size = head.tree.size
        return StoredCheckpoint(int(new_id), head.tree.size, root, key_id, note, now)

    # -- signing keys ---------------------------------------------------------------------
    def signer(self, now: datetime) -> NoteSigner:
        """The key that may sign now: the key file must hold the database's active key.

        Refuses (``L4``-``L6``) a missing, different or unreadable key file; makes the first
        key only when the database records none; finishes a rotation whose new key was
        committed but not yet moved into place.
        """
        keys = self.settings.keys
        if keys is None:
            raise RuntimeError("no signing key is configured for the log")
        active = self.active_key_id()
        in_file, staged = keys.load(), keys.staged()
        choice = choose_signing_key(
            active,
            _key_hex(in_file),
            _key_hex(staged),
            keys.location,
        )
        if choice == "staged" and staged is not None:
            keys.install_staged()
            return staged
        if choice == "first":
            in_file = keys.create_first()
        if in_file is None:  # pragma: no cover - choose_signing_key refused already
            raise RuntimeError("no signing key")
        if active is None:
            self.add_key(in_file, now)
        return in_file

    def active_key_id(self) -> str | None:
        value = self.c.execute(
            select(t.log_keys.c.key_id).where(t.log_keys.c.retired_at.is_(None))
        ).scalar()
        return None if value is None else str(value)

    def add_key(self, signer: LogSigner, now: datetime) -> None:
        """Record a key of the chain (the first, or one a logged rotation introduces)."""
        verifier = signer.verifier_key()
        self.c.execute(
            insert(t.log_keys).values(
                key_id=f"{signer.key_id:08x}",
                name=verifier.partition("+")[0],
                verifier=verifier,
                created_at=now,
            )
        )

    def rotation_entries(self) -> list[tuple[int, str]]:
        """(log index, entry) of every key rotation, in log order."""
        rows = self.c.execute(
            select(_E.log_index, _E.entry)
            .where(_E.kind == ROTATION_ENTRY, _E.log_index.is_not(None))
            .order_by(_E.log_index)
        )
        return [(int(r.log_index), str(r.entry)) for r in rows]

    def retire_other_keys(self, keep_key_id: str, now: datetime) -> list[str]:
        retired = (
            self.c.execute(
                update(t.log_keys)
                .where(t.log_keys.c.key_id != keep_key_id, t.log_keys.c.retired_at.is_(None))
                .values(retired_at=now)
                .returning(t.log_keys.c.key_id)
            )
            .scalars()
            .all()
        )
        return [str(k) for k in retired]

    # -- reading --------------------------------------------------------------------------
    def size(self) -> int:
        return int(self.c.execute(select(t.log_state.c.size)).scalar_one())

    def frontier(self) -> CompactRange:
        row = self.c.execute(select(t.log_state.c.size, t.log_state.c.frontier)).one()
        return CompactRange.from_hex(int(row.size), row.frontier)

    def get_node(self, level: int, idx: int) -> bytes:
        """A perfect-subtree hash (level 0: a leaf hash); KeyError when it is not stored."""
        if level == 0:
            rows = _D_LEAF.rows(self.c, {"idx": idx})
        else:
            rows = _D_NODE.rows(self.c, {"level": level, "idx": idx})
        if not rows or rows[0][0] is None:
            raise KeyError((level, idx))
        return bytes(rows[0][0])

    def entry_at(self, index: int) -> tuple[int, str, int | None, str] | None:
        row = self.c.execute(
            select(_E.log_index, _E.kind, _E.transaction_id, _E.entry).where(_E.log_index == index)
        ).first()
        return (row.log_index, row.kind, row.transaction_id, row.entry) if row else None

    def index_of_transaction(self, transaction_id: int) -> int | None:
        value = self.c.execute(
            select(_E.log_index).where(_E.transaction_id == transaction_id)
        ).scalar()
        return None if value is None else int(value)

    def iter_entries(self) -> Generator[tuple[int | None, int, str, bytes | None]]:
        """(log index, seq, entry, stored leaf hash) in log order."""
        query = select(_E.log_index, _E.seq, _E.entry, _E.leaf_hash).order_by(_E.log_index, _E.seq)
        result = self.c.execute(query.execution_options(yield_per=5000))
        try:
            for row in result:
                yield (
                    row.log_index,
                    row.seq,
                    row.entry,
                    None if row.leaf_hash is None else bytes(row.leaf_hash),
                )
        finally:  # also when the caller stops early: release the server-side cursor
            result.close()

    def iter_level(self, level: int) -> Generator[tuple[int, bytes]]:
        """(index, hash) of the stored tree nodes of one level, in index order."""
        query = select(_N.idx, _N.hash).where(_N.level == level).order_by(_N.idx)
        result = self.c.execute(query.execution_options(yield_per=5000))
        try:
            for row in result:
                yield int(row.idx), bytes(row.hash)
        finally:
            result.close()

    def node_counts(self) -> dict[int, int]:
        """How many tree nodes are stored at each level."""
        query = select(_N.level, func.count()).group_by(_N.level)
        return {int(level): int(n) for level, n in self.c.execute(query)}

    def iter_nodes(self) -> Generator[tuple[int, int, bytes]]:
        query = select(_N.level, _N.idx, _N.hash).order_by(_N.level, _N.idx)
        result = self.c.execute(query.execution_options(yield_per=5000))
        try:
            for row in result:
                yield int(row.level), int(row.idx), bytes(row.hash)
        finally:
            result.close()

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self.c.execute(select(t.checkpoints).order_by(t.checkpoints.c.id))
        return [_checkpoint(r) for r in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        row = self.c.execute(
            select(t.checkpoints).order_by(t.checkpoints.c.size.desc(), t.checkpoints.c.id.desc())
        ).first()
        return _checkpoint(row) if row else None

    def checkpoint_covering(self, index: int) -> StoredCheckpoint | None:
        """The latest checkpoint whose tree includes entry ``index``."""
        row = self.c.execute(
            select(t.checkpoints)
            .where(t.checkpoints.c.size > index)
            .order_by(t.checkpoints.c.size.desc(), t.checkpoints.c.id.desc())
        ).first()
        return _checkpoint(row) if row else None

    def checkpoint_of_size(self, size: int) -> StoredCheckpoint | None:
        row = self.c.execute(
            select(t.checkpoints)
            .where(t.checkpoints.c.size == size)
            .order_by(t.checkpoints.c.id.desc())
        ).first()
        return _checkpoint(row) if row else None

    def keys(self) -> list[dict[str, Any]]:
        rows = self.c.execute(select(t.log_keys).order_by(t.log_keys.c.created_at))
        return [dict(r._mapping) for r in rows]


def _key_hex(signer: NoteSigner | None) -> str | None:
    return None if signer is None else f"{signer.key_id:08x}"


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(
        int(row.id), int(row.size), bytes(row.root_hash), row.key_id, row.note, row.created_at
    )


def _json_list(text: str) -> list[str]:
    import json

    value = json.loads(text)
    if not isinstance(value, list):
        raise RuntimeError("log_state.frontier is not a list")
    return [str(v) for v in value]
