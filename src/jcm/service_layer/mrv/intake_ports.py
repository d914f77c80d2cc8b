"""What batch intake needs: signature checks and the Parquet reading store."""

from __future__ import annotations

from typing import Protocol


class BatchSignatures(Protocol):
    def verify(self, signed_bytes: bytes, signature: str, public_key: str) -> bool: ...


class ReadingStore(Protocol):
    """Readings in Parquet partitions (layout: ``jcm.adapters.mrv``). Owned by intake."""
