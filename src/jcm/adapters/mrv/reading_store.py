"""Readings in Parquet partitions (layout in ``jcm.adapters.mrv``). Owned by intake."""

from __future__ import annotations

from pathlib import Path


class ParquetReadings:
    def __init__(self, root: Path) -> None:
        self.root = root  # <data_dir>/mrv/readings
