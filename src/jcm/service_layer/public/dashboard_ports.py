"""Queries of the dashboard views (filled in by that area's work)."""

from __future__ import annotations

from typing import Protocol


class DashboardQueries(Protocol):
    """Read-only queries of this area."""
