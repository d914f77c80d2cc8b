"""What automatic verification needs: writing and reading evidence bundles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DeviceQaReport
from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.mrv.intake_ports import Receipt, ReceiptStore
from jcm.service_layer.ports import UnitOfWork

BatchKey = tuple[str, int]  # (device, seq)


class ReadingFiles(Protocol):
    """Parquet files of readings, either the platform's store or an evidence bundle's
    (files named as receipts name them: relative to the readings root)."""

    def canonical_batches(
        self, files: Sequence[str], batches: Sequence[BatchKey]
    ) -> dict[BatchKey, bytes]:
        """The canonical signed bytes of each batch rebuilt from its rows in ``files``
        (a batch without rows there is absent from the answer)."""
        ...

    def qa_reports(
        self,
        devices: Sequence[Device],
        receipts: Sequence[Receipt],
        start: date,
        end: date,
        qa_rules: Mapping[str, object],
    ) -> dict[str, DeviceQaReport]:
        """Run the QA/QC job over the receipted batches' files, one report per device
        (by device id) for the days start..end (UTC)."""
        ...


class OpenedBundle(ReadingFiles, Protocol):
    document: bytes  # bundle.json

    def close(self) -> None:
        """Remove what opening made (a zip's extracted files)."""
        ...


class BundleFiles(ReadingFiles, Protocol):
    """Evidence bundles on disk (JSON plus the Parquet files they cover). Owned by
    verification. As a :class:`ReadingFiles` it reads the platform's own Parquet store."""

    def write(self, path: Path, document: bytes, files: Mapping[str, Path]) -> None:
        """A directory (or, for a path ending in ``.zip``, a zip file) holding
        ``bundle.json`` and every file (its name in the bundle → where it is now) under
        ``readings/``."""
        ...

    def zipped(self, document: bytes, files: Mapping[str, Path]) -> bytes:
        """The same bundle as the bytes of a zip file (what the API serves)."""
        ...

    def open(self, path: Path) -> OpenedBundle: ...

    def verify_signature(self, signed_bytes: bytes, signature: str, public_key: str) -> bool: ...

    def log_verifier(self, key_text: str) -> Verifier:
        """A log verifier key (``<name>+<key id>+<base64>``); ValueError when malformed."""
        ...


class VerificationStore(Protocol):
    def count(self, project_id: str) -> int: ...
    def passed_overlapping(self, project_id: str, start: date, end: date) -> list[str]: ...
    def add(
        self,
        record: dict[str, Any],
        text: str,
        digest: str,
        monitoring_id: str | None,
        now: datetime,
    ) -> None: ...
    def get(self, verification_id: str) -> dict[str, Any] | None: ...
    def log_index(self, verification_id: str) -> int | None: ...
    def device_keys(self, device_ids: set[str]) -> dict[str, list[dict[str, Any]]]: ...


class DeviceList(Protocol):
    def list(self, project_id: str | None = None) -> list[Device]: ...


class VerificationUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with devices, receipts and verifications (``SqlUnitOfWork`` has them)."""

    @property
    def mrv_devices(self) -> DeviceList: ...
    @property
    def mrv_receipts(self) -> ReceiptStore: ...
    @property
    def mrv_verifications(self) -> VerificationStore: ...


class VerificationUnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> VerificationUnitOfWork: ...
