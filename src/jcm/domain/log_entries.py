"""What one transparency-log entry says: a type, a schema version, a time and the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

ENTRY_SCHEMA = 1


def log_entry(kind: str, change: dict[str, Any], timestamp: datetime) -> dict[str, Any]:
    """The entry as a JSON-able dict; it is hashed in its canonical (RFC 8785) form."""
    if timestamp.tzinfo is None:
        raise ValueError("log timestamps must be timezone-aware")
    return {
        "type": str(kind),
        "schema": ENTRY_SCHEMA,
        "timestamp": timestamp.isoformat(),
        "change": change,
    }
