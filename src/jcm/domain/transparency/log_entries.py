"""What one transparency-log entry says: a type, a schema version, a time and the change."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

ENTRY_SCHEMA = 1
# An entry that records who took the step (``actor``: organisation, channel, user, token; see
# jcm.domain.identity.principal). Entries without one keep schema 1 and their old bytes: they
# were written before attribution existed, or in-process by the server's own code with no
# principal (tests, the benchmark, library use).
ATTRIBUTED_SCHEMA = 2
# The extension line a checkpoint signs: its number (row id, 1, 2, 3…) and its time.
CHECKPOINT_EXTENSION = "jcm-checkpoint"


def timestamp_text(timestamp: datetime) -> str:
    """An entry's time as it is logged (ISO 8601 with its offset)."""
    if timestamp.tzinfo is None:
        raise ValueError("log timestamps must be timezone-aware")
    return timestamp.isoformat()


def log_entry(kind: str, change: dict[str, Any], timestamp: datetime) -> dict[str, Any]:
    """The entry as a JSON-able dict; it is hashed in its canonical (RFC 8785) form."""
    return log_entry_at(kind, change, timestamp_text(timestamp))


def log_entry_at(
    kind: str,
    change: dict[str, Any],
    stamp: str,
    idempotency: dict[str, Any] | None = None,
    actor: dict[str, str] | None = None,
) -> dict[str, Any]:
    """:func:`log_entry` with the time already formatted (a batch formats it once).

    ``idempotency`` is set on the last entry of a command run with an idempotency key
    (:func:`idempotency_record`), so the stored response is bound to the log. ``actor`` is
    the attribution of the principal the unit of work acted for (schema 2).
    """
    if actor is None:
        entry = {"type": str(kind), "schema": ENTRY_SCHEMA, "timestamp": stamp, "change": change}
    else:
        entry = {
            "type": str(kind),
            "schema": ATTRIBUTED_SCHEMA,
            "timestamp": stamp,
            "actor": actor,
            "change": change,
        }
    if idempotency is not None:
        entry["idempotency"] = idempotency
    return entry


def entry_actor(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The logged attribution of an entry (None: unattributed). Raises ``ValueError`` when
    the schema and the presence of ``actor`` disagree."""
    schema = entry.get("schema")
    actor = entry.get("actor")
    if schema == ENTRY_SCHEMA and "actor" not in entry:
        return None
    if schema == ATTRIBUTED_SCHEMA and isinstance(actor, dict):
        return actor
    raise ValueError(
        f"entry schema {schema!r} with {'an' if 'actor' in entry else 'no'} actor: schema "
        f"{ENTRY_SCHEMA} entries carry none, schema {ATTRIBUTED_SCHEMA} entries carry one"
    )


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def response_digest(response: Any) -> str:
    """SHA-256 of a stored command response in a canonical JSON form (sorted keys)."""
    text = json.dumps(response, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_text(text)


def idempotency_record(key: str, command: str, digest: str, response: Any) -> dict[str, Any]:
    """What a log entry says of an idempotency key: digests of the key (the key itself is
    the client's and stays private) and of the stored response, the command and the
    request digest."""
    return {
        "key_sha256": sha256_text(key),
        "command": command,
        "request_digest": digest,
        "response_sha256": response_digest(response),
    }


def checkpoint_extension(number: int, stamp: str) -> str:
    return f"{CHECKPOINT_EXTENSION} {number} {stamp}"


def parse_checkpoint_extension(extensions: tuple[str, ...]) -> tuple[int, str] | None:
    """(number, time) from a checkpoint's extension lines; None for an unnumbered one."""
    for line in extensions:
        name, _, rest = line.partition(" ")
        number, _, stamp = rest.partition(" ")
        if name == CHECKPOINT_EXTENSION and number.isdigit() and stamp:
            return int(number), stamp
    return None
