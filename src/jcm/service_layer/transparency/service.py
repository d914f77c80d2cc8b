"""The transparency log's public use cases: checkpoints, proofs and verification."""

from __future__ import annotations

from typing import Any

from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.ports import UnitOfWorkFactory
from jcm.service_layer.runner import execute_untyped as execute
from jcm.service_layer.transparency import proofs as transparency


class LogService:
    """The transparency log: checkpoints, proofs and verification."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow = uow_factory

    def sign_checkpoint(self) -> dict[str, Any]:
        return execute(self.uow, "sign_checkpoint", None, transparency.sign_checkpoint)

    def latest_checkpoint(self) -> dict[str, Any]:
        with self.uow(read_only=True) as u:
            return transparency.latest_checkpoint(u)

    def checkpoints(self) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return [transparency.checkpoint_dict(c) for c in u.ledger.log.checkpoints()]

    def inclusion_proof(
        self, *, index: int | None = None, transaction: int | None = None
    ) -> dict[str, Any]:
        with self.uow(read_only=True) as u:
            if index is None:
                if transaction is None:
                    raise ValueError("give an index or a transaction")
                index = transparency.index_for_transaction(u, transaction)
            return transparency.inclusion_bundle(u, index)

    def inclusion_proofs_for_serial(self, serial: str) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return [
                transparency.inclusion_bundle(u, i)
                for i in transparency.indexes_for_serial(u, serial)
            ]

    def consistency_proof(self, old_size: int, new_size: int | None) -> dict[str, Any]:
        with self.uow(read_only=True) as u:
            return transparency.consistency_bundle(u, old_size, new_size)

    def signing_keys(self) -> list[dict[str, Any]]:
        with self.uow(read_only=True) as u:
            return u.ledger.log.keys()

    def verify(self, verifiers: dict[str, Verifier], progress: Any = None) -> dict[str, Any]:
        with self.uow(read_only=True) as u:
            return transparency.verify_log(u, verifiers.get, progress)
