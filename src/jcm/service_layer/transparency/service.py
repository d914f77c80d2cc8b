"""The transparency log's public use cases: checkpoints, proofs and verification."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.ports import UnitOfWorkFactory
from jcm.service_layer.results import JsonValue, to_json
from jcm.service_layer.runner import execute
from jcm.service_layer.transparency import proofs as transparency
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


class LogService:
    """The transparency log: checkpoints, proofs and verification."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow = uow_factory

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
        verifiers: Mapping[str, Verifier],
        progress: Callable[[int], None] | None = None,
    ) -> LogVerification:
        with self.uow(read_only=True) as u:
            report = transparency.verify_log(u, verifiers.get, progress)
        problem = report["problem"]
        return LogVerification(
            bool(report["ok"]),
            int(report["entries"]),
            int(report["checkpoints"]),
            str(report["root_hash"]),
            _divergence(problem) if problem is not None else None,
        )

    @staticmethod
    def check_bundle(text: str, verifiers: Sequence[Verifier]) -> BundleVerdict:
        """Check a proof bundle offline, with only the log's public key(s); no database."""
        verdict = transparency.check_bundle(text, verifiers)
        return BundleVerdict(bool(verdict["ok"]), tuple(verdict["checks"]), verdict["failure"])


def _divergence(problem: Mapping[str, Any]) -> Divergence:
    return Divergence(
        problem["index"],
        str(problem["entity"]),
        str(problem["field"]),
        _json_or_text(problem["expected"]),
        _json_or_text(problem["found"]),
        str(problem["message"]),
    )


def _json_or_text(value: object) -> JsonValue:
    """Compared values in their JSON form; anything without one (bytes …) as text."""
    try:
        return to_json(value)
    except TypeError:
        return str(value)
