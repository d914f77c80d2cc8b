"""The QA/QC and aggregation job (Polars, pvlib), local or on Dask. Owned by QA."""

from __future__ import annotations


class PolarsQaEngine:
    pass
