"""Transparency-log use cases: checkpoints, proof bundles, offline bundle checks, full verify.

These are the one implementation behind the CLI and, next, the HTTP API and public pages.
Proof bundles are plain JSON anyone can check with nothing but the log's public key
(:func:`check_bundle`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.transparency import merkle
from jcm.domain.transparency.checkpoint import Checkpoint
from jcm.domain.transparency.signed_note import NoteCheck, Verifier, check_note
from jcm.service_layer.cycle.replay_check import compare_cycle
from jcm.service_layer.ports import Ledger, StoredCheckpoint, TransparencyLog, UnitOfWork
from jcm.service_layer.registry.lookups import decision_of_serial
from jcm.service_layer.results import extend
from jcm.service_layer.transparency.divergence import ClosingRows, Divergence
from jcm.service_layer.transparency.log_check import (
    IdempotencyCheck,
    TreeCheck,
    check_checkpoints,
    check_event,
    check_head,
    check_head_size,
    check_keys,
    head_size,
)
from jcm.service_layer.transparency.mrv_replay import compare_devices
from jcm.service_layer.transparency.portfolio_replay import compare_portfolio
from jcm.service_layer.transparency.registry_check import TransactionCheck, compare_registry
from jcm.service_layer.transparency.replay import MisattributedEntry, Replayer, ReplayError
from jcm.service_layer.transparency.results import (
    CheckpointInfo,
    CheckpointSigned,
    ConsistencyBundle,
    InclusionBundle,
)

INCLUSION_FORMAT = "jcm-inclusion-proof/1"
CONSISTENCY_FORMAT = "jcm-consistency-proof/1"


def sign_checkpoint(uow: UnitOfWork) -> CheckpointSigned:
    """Sign a checkpoint of the log as it is now (on demand)."""
    return extend(CheckpointSigned, CheckpointInfo.of(uow.ledger.log.checkpoint(uow.now)))


def latest_checkpoint(uow: UnitOfWork) -> CheckpointInfo:
    found = uow.ledger.log.latest_checkpoint()
    if found is None:
        raise NotFound(
            "L1_NO_CHECKPOINT",
            "The log has no signed checkpoint yet; sign one first.",
        )
    return CheckpointInfo.of(found)


def _covering_checkpoint(log: TransparencyLog, index: int) -> StoredCheckpoint:
    found = log.checkpoint_covering(index)
    if found is None:
        raise NotFound(
            "L1_NO_CHECKPOINT",
            f"No signed checkpoint covers log entry {index} yet; sign one and ask again.",
            index=index,
        )
    return found


def inclusion_bundle(uow: UnitOfWork, index: int) -> InclusionBundle:
    """Entry ``index`` with its inclusion proof to the newest checkpoint that covers it."""
    log = uow.ledger.log
    entry = log.entry_at(index)
    if entry is None:
        raise NotFound("L2_UNKNOWN_ENTRY", f"The log has no entry {index}.", index=index)
    checkpoint = _covering_checkpoint(log, index)
    proof = merkle.inclusion_proof(index, checkpoint.size, log.get_node)
    return InclusionBundle(
        INCLUSION_FORMAT,
        index,
        checkpoint.size,
        entry[3],
        tuple(node.hex() for node in proof),
        checkpoint.note,
    )


def index_for_transaction(uow: UnitOfWork, transaction_id: int) -> int:
    index = uow.ledger.log.index_of_transaction(transaction_id)
    if index is None:
        raise NotFound(
            "L2_UNKNOWN_ENTRY",
            f"No log entry records transaction {transaction_id}.",
            transaction=transaction_id,
        )
    return index


def indexes_for_serial(uow: UnitOfWork, text: str) -> list[int]:
    """Log entries of every transaction that touched any unit of the serial range."""
    serial, decision = decision_of_serial(uow.ledger, text)
    tx_ids = sorted(
        {row["transaction_id"] for row in uow.ledger.history(decision.id, serial.start, serial.end)}
    )
    return [index_for_transaction(uow, tx_id) for tx_id in tx_ids]


def consistency_bundle(uow: UnitOfWork, old_size: int, new_size: int | None) -> ConsistencyBundle:
    log = uow.ledger.log
    new = log.latest_checkpoint() if new_size is None else log.checkpoint_of_size(new_size)
    old = log.checkpoint_of_size(old_size)
    if old is None or new is None:
        missing = old_size if old is None else new_size
        raise NotFound(
            "L1_NO_CHECKPOINT",
            f"There is no signed checkpoint of size {missing}.",
            size=missing,
        )
    if old.size > new.size:
        raise InvalidInput(
            "L3_BAD_SIZES",
            f"The old checkpoint ({old.size}) is larger than the new one ({new.size}).",
        )
    proof = merkle.consistency_proof(old.size, new.size, log.get_node)
    return ConsistencyBundle(
        CONSISTENCY_FORMAT, old.note, new.note, tuple(node.hex() for node in proof)
    )


# -- checking a bundle offline -------------------------------------------------------------


def _verdict(ok: bool, steps: list[str], failure: str | None = None) -> dict[str, Any]:
    return {"ok": ok, "checks": steps, "failure": failure}


def _open(note: Any, verifiers: Sequence[Verifier], what: str) -> tuple[Checkpoint | None, str]:
    if not isinstance(note, str):
        return None, f"{what} is missing or not text"
    result: NoteCheck = check_note(note, verifiers)
    if not result.ok:
        return None, f"{what} signature: {result.reason}"
    try:
        return Checkpoint.parse(result.note.text if result.note else note), ""
    except ValueError as error:
        return None, f"{what} is not a checkpoint: {error}"


def _hashes(values: Any, what: str) -> tuple[list[bytes] | None, str]:
    if not isinstance(values, list):
        return None, f"{what} is not a list of hex hashes"
    out = []
    for position, value in enumerate(values):
        try:
            decoded = bytes.fromhex(value) if isinstance(value, str) else b""
        except ValueError:
            decoded = b""
        if len(decoded) != merkle.HASH_SIZE:
            return None, f"{what}[{position}] is not a 32-byte hex hash"
        out.append(decoded)
    return out, ""


def check_bundle(text: str, verifiers: Sequence[Verifier]) -> dict[str, Any]:
    """Verify a proof bundle (or a list of them) with only the log's public key(s).

    Never raises: a malformed, truncated, wrongly signed or mismatched bundle gives a
    verdict with ``ok: false`` and a ``failure`` naming what failed.
    """
    steps: list[str] = []
    try:
        bundle = json.loads(text)
    except (ValueError, TypeError) as error:
        return _verdict(False, steps, f"the bundle is not JSON: {error}")
    if isinstance(bundle, list):
        if not bundle:
            return _verdict(False, steps, "the bundle list is empty")
        for position, item in enumerate(bundle):
            verdict = check_bundle(json.dumps(item), verifiers)
            steps.extend(f"bundle {position}: {step}" for step in verdict["checks"])
            if not verdict["ok"]:
                return _verdict(False, steps, f"bundle {position}: {verdict['failure']}")
        return _verdict(True, steps)
    if not isinstance(bundle, dict):
        return _verdict(False, steps, "the bundle is not a JSON object")
    kind = bundle.get("format")
    if kind == INCLUSION_FORMAT:
        return _check_inclusion(bundle, verifiers, steps)
    if kind == CONSISTENCY_FORMAT:
        return _check_consistency(bundle, verifiers, steps)
    return _verdict(False, steps, f"unknown bundle format {kind!r}")


def _check_inclusion(
    bundle: dict[str, Any], verifiers: Sequence[Verifier], steps: list[str]
) -> dict[str, Any]:
    checkpoint, problem = _open(bundle.get("checkpoint"), verifiers, "checkpoint")
    if checkpoint is None:
        return _verdict(False, steps, problem)
    steps.append(f"checkpoint signed by a trusted key: {checkpoint.origin}, size {checkpoint.size}")
    index, size, entry = bundle.get("index"), bundle.get("tree_size"), bundle.get("entry")
    if not isinstance(index, int) or not isinstance(size, int) or not isinstance(entry, str):
        return _verdict(False, steps, "index, tree_size or entry is missing or of the wrong type")
    if size != checkpoint.size:
        return _verdict(
            False,
            steps,
            f"the proof is for a tree of {size} entries but the checkpoint is of {checkpoint.size}",
        )
    proof, problem = _hashes(bundle.get("proof"), "proof")
    if proof is None:
        return _verdict(False, steps, problem)
    leaf = merkle.leaf_hash(entry.encode("utf-8"))
    if not merkle.verify_inclusion(leaf, index, size, proof, checkpoint.root_hash):
        return _verdict(
            False,
            steps,
            f"entry {index} is not included in the tree of size {size} with root "
            f"{checkpoint.root_hash.hex()} (the entry, index or proof was altered)",
        )
    steps.append(f"entry {index} (leaf {leaf.hex()}) is included under the signed root")
    return _verdict(True, steps)


def _check_consistency(
    bundle: dict[str, Any], verifiers: Sequence[Verifier], steps: list[str]
) -> dict[str, Any]:
    old, problem = _open(bundle.get("old_checkpoint"), verifiers, "old checkpoint")
    if old is None:
        return _verdict(False, steps, problem)
    new, problem = _open(bundle.get("new_checkpoint"), verifiers, "new checkpoint")
    if new is None:
        return _verdict(False, steps, problem)
    steps.append(f"both checkpoints signed by a trusted key (sizes {old.size} and {new.size})")
    if old.origin != new.origin:
        return _verdict(
            False, steps, f"the checkpoints are of two logs: {old.origin!r}, {new.origin!r}"
        )
    proof, problem = _hashes(bundle.get("proof"), "proof")
    if proof is None:
        return _verdict(False, steps, problem)
    if not merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof):
        return _verdict(
            False,
            steps,
            f"the tree of size {new.size} does not extend the tree "
            f"of size {old.size}: the log was rewritten or the proof altered",
        )
    steps.append(f"the tree of size {new.size} is an append-only extension of size {old.size}")
    return _verdict(True, steps)


# -- full verification ---------------------------------------------------------------------


def verify_log(
    uow: UnitOfWork,
    verifier_for: Callable[[str], Verifier | None],
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Recompute the tree, check every checkpoint, replay every entry, compare with the DB.

    Every stored table and column that a log entry determines is compared (see
    :mod:`.log_check`, :mod:`.registry_check`, :mod:`jcm.service_layer.cycle.replay_check`);
    the entries and the rows that grow with the log are streamed. ``verifier_for(key_id)``
    gives the public key a checkpoint names (None: unknown key). Returns ``{"ok", "entries",
    "checkpoints", "root_hash", "problem"}`` with the first problem found (its ``table``,
    ``key`` and ``column`` name the stored row and column).
    """
    run = _Verification(uow.ledger, verifier_for, progress)
    try:
        problem = run.entries() or run.after_entries()
    finally:
        run.close()
    return {
        "ok": problem is None,
        "entries": run.tree.tree.size,
        "checkpoints": len(run.checkpoints),
        "root_hash": run.tree.tree.root().hex(),
        "problem": None if problem is None else problem.to_dict(),
    }


class _Verification:
    def __init__(
        self,
        ledger: Ledger,
        verifier_for: Callable[[str], Verifier | None],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.ledger = ClosingRows(ledger)
        self.verifier_for = verifier_for
        self.progress = progress
        self.checkpoints = list(self.ledger.rows("checkpoints"))
        self.tree = TreeCheck(
            ledger.log, {c["size"] for c in self.checkpoints}, head_size(self.ledger)
        )
        self.transactions = TransactionCheck(self.ledger)
        self.replayer = Replayer(self.transactions.feed)
        self.idempotency = IdempotencyCheck()

    def close(self) -> None:
        self.tree.close()
        self.ledger.close()

    def entries(self) -> Divergence | None:
        rows = self.ledger.rows("events", order_by=("log_index", "seq"))
        for expected_index, row in enumerate(rows):
            problem = self._entry(expected_index, row)
            if problem is not None:
                return problem
            if self.progress is not None and expected_index % 10_000 == 9_999:
                self.progress(expected_index + 1)
        return None

    def _entry(self, expected_index: int, row: dict[str, Any]) -> Divergence | None:
        index, text = row["log_index"], row["entry"]
        entity = f"log entry {expected_index}"
        if index != expected_index:
            found = index if index is not None else f"none (event {row['seq']})"
            return Divergence(
                expected_index, entity, "log index", expected_index, found,
                "events", str(row["seq"]), "log_index",
            )  # fmt: skip
        leaf = merkle.leaf_hash(text.encode("utf-8"))
        if row["leaf_hash"] != leaf:
            found_leaf = row["leaf_hash"].hex() if row["leaf_hash"] else None
            return Divergence(
                index, entity, "leaf hash", leaf.hex(), found_leaf,
                "events", str(index), "leaf_hash",
            )  # fmt: skip
        # A node that disagrees is reported after the entry's own content: an entry that
        # cannot be applied (a copied one, say) is the clearer diagnosis.
        node_problem = self.tree.add(leaf)
        try:
            entry = json.loads(text)
            self.replayer.apply(index, entry)
        except MisattributedEntry as error:
            return Divergence(
                index, f"{entity} ({error.subject})", "actor", error.expected, error.found,
                "events", str(index), "entry",
            )  # fmt: skip
        except (ReplayError, ValueError) as error:
            return Divergence(
                index, entity, "content", "an applicable change", str(error),
                "events", str(index), "entry",
            )  # fmt: skip
        if node_problem is not None:
            return node_problem
        when = self.replayer.now
        self.idempotency.add(index, entry, when)
        return check_event(index, row, entry, when) or self.transactions.problem

    def after_entries(self) -> Divergence | None:
        """The tables checked once the whole log is replayed, in a fixed order."""
        tree = self.tree.tree
        steps: list[Callable[[], Divergence | None]] = [
            self.tree.finish,
            lambda: check_keys(self.ledger),
            lambda: check_head_size(self.ledger, tree),
            lambda: check_checkpoints(self.checkpoints, self.tree.roots_at, self.verifier_for),
            lambda: check_head(self.ledger, tree, self.checkpoints),
            self.transactions.finish,
            lambda: compare_registry(self.replayer.state, self.ledger),
            lambda: compare_cycle(self.replayer.cycle.state, self.ledger),
            lambda: compare_portfolio(self.replayer.portfolio, self.ledger),
            lambda: compare_devices(self.replayer.devices, self.ledger),
            lambda: self.replayer.mrv_verifications.compare(self.ledger),
            lambda: self.replayer.mrv_qa.compare(self.ledger),
            lambda: self.replayer.mrv_intake.compare(self.ledger),
            lambda: self.replayer.aef_register.compare(self.ledger),
            lambda: self.replayer.aef_submissions.compare(self.ledger),
            lambda: self.idempotency.compare(self.ledger),
        ]
        for step in steps:
            problem = step()
            if problem is not None:
                return problem
        return None
