"""What automatic verification needs: writing and reading evidence bundles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DeviceQaReport
from jcm.domain.transparency.signed_note import Verifier

BatchKey = tuple[str, int]  # (device, seq)


@dataclass(frozen=True, slots=True)
class BatchReceipt:
    """An accepted batch as its receipt (table ``mrv_batches``) records it."""

    device: str
    seq: int
    digest: str
    signature: str
    readings: int
    first_ts: int
    last_ts: int
    files: tuple[str, ...]  # Parquet files holding its rows, relative to the readings root

    def as_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "seq": self.seq,
            "digest": self.digest,
            "signature": self.signature,
            "readings": self.readings,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "files": list(self.files),
        }


class ReadingFiles(Protocol):
    """Parquet files of readings, either the platform's store or an evidence bundle's."""

    def canonical_batches(
        self, files: Sequence[str], batches: Sequence[BatchKey]
    ) -> dict[BatchKey, bytes]:
        """The canonical signed bytes of each batch rebuilt from its rows in ``files``
        (a batch without rows there is absent from the answer)."""
        ...

    def qa_report(
        self,
        device: Device,
        files: Sequence[str],
        batches: Sequence[BatchKey],
        start: date,
        end: date,
        qa_rules: Mapping[str, object],
    ) -> DeviceQaReport:
        """Run the QA/QC job's pure function over the device's rows of ``batches``."""
        ...


class OpenedBundle(ReadingFiles, Protocol):
    document: bytes  # bundle.json


class BundleFiles(ReadingFiles, Protocol):
    """Evidence bundles on disk (JSON plus the Parquet files they cover). Owned by
    verification. As a :class:`ReadingFiles` it reads the platform's own Parquet store."""

    def write(self, path: Path, document: bytes, files: Sequence[str]) -> None:
        """A directory (or, for a path ending in ``.zip``, a zip file) holding
        ``bundle.json`` and every file under ``readings/``."""
        ...

    def open(self, path: Path) -> OpenedBundle: ...

    def verify_signature(self, signed_bytes: bytes, signature: str, public_key: str) -> bool: ...

    def log_verifier(self, key_text: str) -> Verifier:
        """A log verifier key (``<name>+<key id>+<base64>``); ValueError when malformed."""
        ...
