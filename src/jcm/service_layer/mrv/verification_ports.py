"""What automatic verification needs: writing and reading evidence bundles."""

from __future__ import annotations

from typing import Protocol


class BundleFiles(Protocol):
    """Evidence bundles on disk (JSON plus the Parquet files they cover). Owned by
    verification."""
