"""What batch intake needs: signature checks, the Parquet reading store and the receipts."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from jcm.domain.identity.principal import Principal
from jcm.domain.mrv.batches import Batch, Outcome
from jcm.domain.mrv.devices import Device
from jcm.service_layer.ports import UnitOfWork


class BatchSignatures(Protocol):
    def verify(self, signed_bytes: bytes, signature: str, public_key: str) -> bool: ...
    def canonical(self, batch: dict[str, object]) -> bytes:
        """The signed bytes of a batch object (RFC 8785)."""
        ...

    def digest(self, signed_bytes: bytes) -> str:
        """SHA-256 hex of the signed bytes: a batch's identity for replays."""
        ...


@dataclass(frozen=True, slots=True)
class Recovery:
    """What :meth:`ReadingStore.recover` did with the files a crash left in ``incoming``."""

    published: int  # named by a receipt: moved into their partitions
    removed: int  # named by no receipt (their batches were never acknowledged): deleted
    kept: int  # unnamed but younger than the grace period: perhaps a call still running


class ReadingStore(Protocol):
    """Readings in Parquet partitions (layout: ``jcm.adapters.mrv``). Owned by intake.

    A call's accepted batches are **staged** (one file per partition, durable in
    ``incoming/`` before the receipts commit), then **published** (moved into their
    partitions) once the receipts naming them have committed. A file's name is its path
    relative to the store's root, e.g. ``project=KE001/month=2026-06/<name>.parquet``.
    """

    def stage(self, batches: Sequence[tuple[str, Batch]]) -> list[tuple[str, ...]]:
        """Write (project id, batch) pairs durably to ``incoming``; each batch's files."""
        ...

    def publish(self, names: Collection[str]) -> None:
        """Move staged files into their partitions (idempotent; a file already there is
        left alone)."""
        ...

    def discard(self, names: Collection[str]) -> None:
        """Delete staged files whose receipts did not commit."""
        ...

    def recover(
        self, referenced: Callable[[Sequence[str]], Collection[str]], grace_seconds: float
    ) -> Recovery:
        """Finish what a crash interrupted: publish staged files some receipt names, delete
        the others older than ``grace_seconds``."""
        ...

    def file_rows(self, data: bytes) -> list[tuple[object, ...]]:
        """The rows of an uploaded Parquet file in ``FILE_COLUMNS`` order (D4 if it is not
        Parquet or lacks a column)."""
        ...

    def locate(self, name: str) -> Path:
        """Where a receipted file is now (its partition, or ``incoming`` until published)."""
        ...


@dataclass(frozen=True, slots=True)
class Receipt:
    """A stored batch (a row of ``mrv_batches``)."""

    device: str
    seq: int
    project_id: str
    digest: str
    signature: str
    readings: int
    first_ts: int  # UTC seconds
    last_ts: int
    files: tuple[str, ...]
    channel: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class RefusalRecord:
    """A refused batch (a row of ``mrv_refusals``)."""

    device: str | None
    seq: int | None
    code: str
    message: str
    channel: str
    digest: str | None
    received_at: datetime


@dataclass(frozen=True, slots=True)
class IntakeCounts:
    batches: int
    readings: int
    duplicates: int
    refusals: dict[str, int]  # by code


class ReceiptStore(Protocol):
    def digests(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """The stored digest of each (device, seq) among ``keys`` that has a receipt."""
        ...

    def add(self, receipts: Sequence[Receipt]) -> None: ...
    def count_duplicates(self, keys: Sequence[tuple[str, int]]) -> None:
        """Add one to the redelivery count of each (device, seq) (a key may repeat)."""
        ...

    def add_refusals(self, refusals: Sequence[RefusalRecord]) -> list[int]:
        """Insert the refusals; their ids, as assigned, in order (the log records them)."""
        ...

    def referenced(self, names: Sequence[str]) -> set[str]:
        """Those of ``names`` (relative file names) that some receipt lists."""
        ...

    def receipts(self, project_id: str, start_ts: int, end_ts: int) -> list[Receipt]:
        """Receipts of a project with a reading in [start_ts, end_ts), by device and seq."""
        ...

    def counts(self, project_id: str | None) -> IntakeCounts: ...
    def refusals(self, device: str | None, limit: int) -> list[RefusalRecord]:
        """The latest refusals first."""
        ...


class DeviceLookup(Protocol):
    def get(self, device_id: str) -> Device | None: ...


class IntakeUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with devices and receipts (``SqlUnitOfWork`` has both)."""

    @property
    def mrv_devices(self) -> DeviceLookup: ...
    @property
    def mrv_receipts(self) -> ReceiptStore: ...


class IntakeUnitOfWorkFactory(Protocol):
    def __call__(
        self, read_only: bool = False, principal: Principal | None = None
    ) -> IntakeUnitOfWork: ...


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What became of one payload: accepted, a duplicate, or refused with a code."""

    device: str | None
    seq: int | None
    outcome: Outcome
    code: str | None
    message: str | None
    readings: int

    def to_json(self) -> dict[str, object]:
        return {
            "device": self.device,
            "seq": self.seq,
            "outcome": self.outcome.value,
            "code": self.code,
            "rule": self.code,
            "message": self.message,
            "readings": self.readings,
        }


@dataclass(frozen=True, slots=True)
class IntakeSummary:
    """The results of one call, with their counts (what the CLI and the API answer)."""

    accepted: int
    duplicates: int
    refused: int
    readings: int  # readings of the batches accepted now
    results: tuple[BatchResult, ...]

    @classmethod
    def of(cls, results: Sequence[BatchResult]) -> IntakeSummary:
        outcomes = [r.outcome for r in results]
        return cls(
            outcomes.count(Outcome.ACCEPTED),
            outcomes.count(Outcome.DUPLICATE),
            outcomes.count(Outcome.REFUSED),
            sum(r.readings for r in results if r.outcome is Outcome.ACCEPTED),
            tuple(results),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "refused": self.refused,
            "readings": self.readings,
            "results": [r.to_json() for r in self.results],
        }
