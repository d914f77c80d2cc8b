"""Queries of the project views (filled in by that area's work)."""

from __future__ import annotations

from typing import Protocol


class ProjectQueries(Protocol):
    """Read-only queries of this area."""


class PortfolioStore(Protocol):
    """The funded portfolio (pipeline projects) as stored."""
