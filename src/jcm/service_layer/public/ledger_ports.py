"""Queries of the ledger views (filled in by that area's work)."""

from __future__ import annotations

from typing import Protocol


class LedgerQueries(Protocol):
    """Read-only queries of this area."""
