"""What one transparency-log entry says: a type, a schema version, a time and the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

ENTRY_SCHEMA = 1


def timestamp_text(timestamp: datetime) -> str:
    """An entry's time as it is logged (ISO 8601 with its offset)."""
    if timestamp.tzinfo is None:
        raise ValueError("log timestamps must be timezone-aware")
    return timestamp.isoformat()


def log_entry(kind: str, change: dict[str, Any], timestamp: datetime) -> dict[str, Any]:
    """The entry as a JSON-able dict; it is hashed in its canonical (RFC 8785) form."""
    return log_entry_at(kind, change, timestamp_text(timestamp))


def log_entry_at(kind: str, change: dict[str, Any], stamp: str) -> dict[str, Any]:
    """:func:`log_entry` with the time already formatted (a batch formats it once)."""
    return {"type": str(kind), "schema": ENTRY_SCHEMA, "timestamp": stamp, "change": change}
