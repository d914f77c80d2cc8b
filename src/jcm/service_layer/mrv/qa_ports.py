"""What the QA/QC use case needs: the vectorised job, local or on a Dask cluster."""

from __future__ import annotations

from typing import Protocol


class QaEngine(Protocol):
    """Runs the QA/QC and aggregation job over Parquet partitions. Owned by QA."""
