"""The transparency log's public use cases: checkpoints, proofs, keys and verification."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.ports import SigningKeys, UnitOfWorkFactory
from jcm.service_layer.results import JsonValue, to_json
from jcm.service_layer.runner import execute
from jcm.service_layer.transparency import keys as key_chain
from jcm.service_layer.transparency import proofs as transparency
from jcm.service_layer.transparency.divergence import key_chain_divergence
from jcm.service_layer.transparency.results import (
    BundleVerdict,
    CheckpointInfo,
    CheckpointSigned,
    ConsistencyBundle,
    Divergence,
    InclusionBundle,
    LogVerification,
    SigningKey,
)
from jcm.service_layer.transparency.trusted import check_against_trusted


def _no_crash(_point: str) -> None:
    return None


class ProofChecker:
    """Offline checks of proof bundles: needs only a way to read a public key."""

    def __init__(self, parse_key: Callable[[str], Verifier]) -> None:
        self.parse_key = parse_key

    def check(
        self, bundle_text: str, public_key: str, trusted_checkpoint: str | None = None
    ) -> BundleVerdict:
        """The verdict on a bundle (never raises); with a trusted checkpoint (or ``""`` for
        none kept yet), also whether the bundle extends it, and the checkpoint to keep."""
        try:  # one key per line: `log public-key` prints the whole chain after a rotation
            verifiers = [self.parse_key(line) for line in public_key.split() if line]
        except ValueError:
            # Never echo the key text: given a wrong file (e.g. /etc/passwd) it is its contents.
            failure = "the public key is not valid: expected '<name>+<key id>+<base64 key>' lines"
            return BundleVerdict(False, (), failure)
        if not verifiers:
            return BundleVerdict(False, (), "no public key was given")
        if trusted_checkpoint is None:
            return _verdict(transparency.check_bundle(bundle_text, verifiers))
        return _verdict(check_against_trusted(bundle_text, verifiers, trusted_checkpoint or None))


def _verdict(verdict: Mapping[str, Any]) -> BundleVerdict:
    kept = verdict.get("trusted_checkpoint")
    return BundleVerdict(
        bool(verdict["ok"]),
        tuple(str(step) for step in verdict["checks"]),
        verdict["failure"],
        trusted_checkpoint=kept if isinstance(kept, str) else None,
    )


class LogService:
    """The transparency log: checkpoints, proofs, signing keys and verification."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        keys: SigningKeys | None = None,
        origin: str = "jcm-registry/log",
        crash: Callable[[str], None] = _no_crash,
    ) -> None:
        self.uow = uow_factory
        self.keys = keys
        self.origin = origin
        self._crash = crash

    def _keys(self) -> SigningKeys:
        if self.keys is None:
            raise RuntimeError("the log has no signing keys configured")
        return self.keys

    def ensure_first_key(self) -> None:
        """At start: record the first key when the database has none (made if missing)."""
        key_chain.ensure_first_key(self.uow, self._keys())

    def rotate_key(self) -> dict[str, str]:
        """Hand signing over to a new key, logged and signed by the old and the new key."""
        return key_chain.rotate_key(self.uow, self._keys(), self.origin, self._crash)

    def public_keys(self) -> list[dict[str, Any]]:
        """Every key the log has had, in chain order, the active one last."""
        with self.uow(read_only=True) as u:
            return key_chain.public_keys(u)

    def verifiers(self) -> dict[str, Verifier]:
        """Every recorded public key by key id (the chain check judges which may sign)."""
        parse = self._keys().verifier
        return {k.key_id: parse(k.verifier) for k in self.signing_keys()}

    def sign_checkpoint(self) -> CheckpointSigned:
        return execute(
            self.uow,
            "sign_checkpoint",
            None,
            transparency.sign_checkpoint,
            result_type=CheckpointSigned,
        )

    def latest_checkpoint(self) -> CheckpointInfo:
        with self.uow(read_only=True) as u:
            return transparency.latest_checkpoint(u)

    def checkpoints(self) -> list[CheckpointInfo]:
        with self.uow(read_only=True) as u:
            return [CheckpointInfo.of(c) for c in u.ledger.log.checkpoints()]

    def inclusion_proof(
        self, *, index: int | None = None, transaction: int | None = None
    ) -> InclusionBundle:
        with self.uow(read_only=True) as u:
            if index is None:
                if transaction is None:
                    raise ValueError("give an index or a transaction")
                index = transparency.index_for_transaction(u, transaction)
            return transparency.inclusion_bundle(u, index)

    def inclusion_proofs_for_serial(self, serial: str) -> list[InclusionBundle]:
        with self.uow(read_only=True) as u:
            return [
                transparency.inclusion_bundle(u, i)
                for i in transparency.indexes_for_serial(u, serial)
            ]

    def consistency_proof(self, old_size: int, new_size: int | None) -> ConsistencyBundle:
        with self.uow(read_only=True) as u:
            return transparency.consistency_bundle(u, old_size, new_size)

    def signing_keys(self) -> list[SigningKey]:
        with self.uow(read_only=True) as u:
            stored = u.ledger.log.keys()
            return [
                SigningKey(
                    str(k["key_id"]),
                    str(k["name"]),
                    str(k["verifier"]),
                    k["created_at"],
                    k["retired_at"],
                )
                for k in stored
            ]

    def verify(
        self,
        verifiers: Mapping[str, Verifier] | None = None,
        progress: Callable[[int], None] | None = None,
        *,
        pinned_key: str | None = None,
    ) -> LogVerification:
        """Verify the whole log and the chain of its keys from the first (or from
        ``pinned_key``, a verifier key string the verifier was given, which must be in it)."""
        if verifiers is None:
            verifiers = self.verifiers()
        parse = self._keys().verifier
        with self.uow(read_only=True) as u:
            report = transparency.verify_log(u, verifiers.get, progress)
            chain_problem, first = key_chain.check_key_chain(u, parse, pinned_key)
        problem = _divergence(report["problem"]) if report["problem"] is not None else None
        if problem is None and chain_problem is not None:
            c = chain_problem
            problem = _divergence(
                key_chain_divergence(c.index, c.entity, c.field, c.expected, c.found).to_dict()
            )
        return LogVerification(
            problem is None,
            int(report["entries"]),
            int(report["checkpoints"]),
            str(report["root_hash"]),
            problem,
            first_key=first,
        )


def _divergence(problem: Mapping[str, Any]) -> Divergence:
    return Divergence(
        problem["index"],
        str(problem["entity"]),
        str(problem["field"]),
        _json_or_text(problem["expected"]),
        _json_or_text(problem["found"]),
        problem.get("table"),
        problem.get("key"),
        problem.get("column"),
        str(problem["message"]),
    )


def _json_or_text(value: object) -> JsonValue:
    """Compared values in their JSON form; anything without one (bytes …) as text."""
    try:
        return to_json(value)
    except TypeError:
        return str(value)
