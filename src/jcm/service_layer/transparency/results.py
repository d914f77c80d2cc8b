"""What the transparency log's use cases return: frozen dataclasses.

Field names are the keys of the JSON form (``jcm.service_layer.results.to_json``); proof
bundles in that form are the files a verifier checks offline, so their fields are a format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from jcm.service_layer.ports import StoredCheckpoint
from jcm.service_layer.results import OMIT_WHEN_DEFAULT, ChangeResult, JsonValue


@dataclass(frozen=True)
class CheckpointInfo:
    size: int
    root_hash: str  # hex
    key_id: str
    note: str  # the C2SP signed note
    created_at: datetime

    @classmethod
    def of(cls, checkpoint: StoredCheckpoint) -> CheckpointInfo:
        return cls(
            checkpoint.size,
            checkpoint.root_hash.hex(),
            checkpoint.key_id,
            checkpoint.note,
            checkpoint.created_at,
        )


@dataclass(frozen=True)
class CheckpointSigned(CheckpointInfo, ChangeResult):
    pass


@dataclass(frozen=True)
class InclusionBundle:
    """An entry with its inclusion proof to a signed checkpoint (format jcm-inclusion-proof/1)."""

    format: str
    index: int
    tree_size: int
    entry: str
    proof: tuple[str, ...]  # hex hashes
    checkpoint: str


@dataclass(frozen=True)
class ConsistencyBundle:
    """Proof that a newer checkpoint extends an older one (format jcm-consistency-proof/1)."""

    format: str
    old_checkpoint: str
    new_checkpoint: str
    proof: tuple[str, ...]  # hex hashes


@dataclass(frozen=True)
class BundleVerdict:
    """An offline check of a proof bundle: the checks passed and, if any, what failed."""

    ok: bool
    checks: tuple[str, ...]
    failure: str | None
    # With a trusted checkpoint: the one the verifier keeps from now on.
    trusted_checkpoint: str | None = field(default=None, kw_only=True, metadata=OMIT_WHEN_DEFAULT)


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    name: str
    verifier: str
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True)
class Divergence:
    """The first difference found: where, and what the log and the database each say."""

    index: int | None
    entity: str
    field: str
    expected: JsonValue
    found: JsonValue
    table: str | None  # the stored table, its row key and column, where one is at fault
    key: str | None
    column: str | None
    message: str


@dataclass(frozen=True)
class LogVerification:
    ok: bool
    entries: int
    checkpoints: int
    root_hash: str
    problem: Divergence | None
    first_key: str | None = field(default=None, kw_only=True)  # the key chain's first key
