"""Evidence bundles on disk: JSON plus the Parquet files they cover. Owned by verification."""

from __future__ import annotations

from pathlib import Path


class BundleDirectory:
    def __init__(self, root: Path) -> None:
        self.root = root  # <data_dir>/mrv/bundles
