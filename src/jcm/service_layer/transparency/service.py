"""The transparency log's public use cases: checkpoints, proofs, keys and verification."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.ports import SigningKeys, UnitOfWorkFactory
from jcm.service_layer.runner import execute
from jcm.service_layer.transparency import keys as key_chain
from jcm.service_layer.transparency import proofs as transparency
from jcm.service_layer.transparency.divergence import key_chain_divergence
from jcm.service_layer.transparency.trusted import check_against_trusted


def _no_crash(_point: str) -> None:
    return None


class ProofChecker:
    """Offline checks of proof bundles: needs only a way to read a public key."""

    def __init__(self, parse_key: Callable[[str], Verifier]) -> None:
        self.parse_key = parse_key

    def check(
        self, bundle_text: str, public_key: str, trusted_checkpoint: str | None = None
    ) -> dict[str, Any]:
        """The verdict on a bundle (never raises); with a trusted checkpoint (or ``""`` for
        none kept yet), also whether the bundle extends it, and the checkpoint to keep."""
        try:  # one key per line: `log public-key` prints the whole chain after a rotation
            verifiers = [self.parse_key(line) for line in public_key.split() if line]
        except ValueError:
            # Never echo the key text: given a wrong file (e.g. /etc/passwd) it is its contents.
            failure = "the public key is not valid: expected '<name>+<key id>+<base64 key>' lines"
            return {"ok": False, "checks": [], "failure": failure}
        if not verifiers:
            return {"ok": False, "checks": [], "failure": "no public key was given"}
        if trusted_checkpoint is None:
            return transparency.check_bundle(bundle_text, verifiers)
        return check_against_trusted(bundle_text, verifiers, trusted_checkpoint or None)


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
        return {str(k["key_id"]): parse(str(k["verifier"])) for k in self.signing_keys()}

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

    def verify(
        self,
        verifiers: dict[str, Verifier] | None = None,
        progress: Any = None,
        *,
        pinned_key: str | None = None,
    ) -> dict[str, Any]:
        """Verify the whole log and the chain of its keys from the first (or from
        ``pinned_key``, a verifier key string the verifier was given, which must be in it)."""
        if verifiers is None:
            verifiers = self.verifiers()
        parse = self._keys().verifier
        with self.uow(read_only=True) as u:
            result = transparency.verify_log(u, verifiers.get, progress)
            problem, first = key_chain.check_key_chain(u, parse, pinned_key)
        result["first_key"] = first
        if result["ok"] and problem is not None:
            result["ok"] = False
            result["problem"] = key_chain_divergence(
                problem.index, problem.entity, problem.field, problem.expected, problem.found
            ).to_dict()
        return result
