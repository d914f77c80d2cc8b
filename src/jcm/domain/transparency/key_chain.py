"""The chain of the log's signing keys: which key may sign, and how a key hands over.

A log has one first key (created at first start) and then only keys introduced by a
rotation: a log entry ``log_key_rotated`` whose note names the old and the new verifier key
and carries a signature by **both** (the old key endorses its successor; the new key proves
it is held). So the keys form a chain from the first, each link signed by both ends, and a
verifier who was given any key of the chain can check all of it. A checkpoint of tree size
``s`` must be signed by the key active at ``s``: a rotation logged at index ``i`` hands over
from size ``i + 1`` on.

Signing needs the key file to hold the active key. A missing or different key file is
damage to the product's own data (``DataCorruption``: the log refuses to sign, and never
makes a silent new key); a rotation interrupted after its commit is completed from
the staged next key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jcm.domain.errors import DataCorruption

ROTATION_ENTRY = "log_key_rotated"
ROTATION_HEADER = "jcm log key rotation"


def rotation_text(origin: str, old_key: str, new_key: str) -> str:
    """The note text both keys sign when ``new_key`` takes over from ``old_key``."""
    return f"{ROTATION_HEADER}\n{origin}\nold {old_key}\nnew {new_key}\n"


def choose_signing_key(
    active: str | None, in_file: str | None, staged: str | None, location: str
) -> Literal["file", "staged", "first"]:
    """Which key file signs, given the key ids (8 hex digits) of the database's active key,
    of the key file and of the staged next key.

    ``first``: no key is recorded yet and the file holds none (first start). ``staged``: a
    rotation committed but its new key was not yet moved into place (finish the move).
    """
    if active is None:
        return "file" if in_file is not None else "first"
    if in_file == active:
        return "file"
    if staged == active:
        return "staged"
    if in_file is None:
        raise DataCorruption(
            "L4_SIGNING_KEY_MISSING",
            f"The log's signing key {active} is not in {location}: restore the key file from "
            "a backup. A new key is never made silently; it needs a rotation signed by the "
            "previous key.",
            key_id=active,
            location=location,
        )
    raise DataCorruption(
        "L5_SIGNING_KEY_MISMATCH",
        f"The key file in {location} holds key {in_file}, not the log's active key {active}: "
        "restore the right key file. Replacing a key needs a rotation signed by the previous "
        "key.",
        key_id=active,
        found=in_file,
        location=location,
    )


@dataclass(frozen=True)
class KeyLink:
    """One key of the chain: its verifier key, id, and the first tree size it may sign."""

    verifier: str
    key_id: str
    from_size: int
    since: str | None = None  # the time of the rotation entry that introduced it


@dataclass(frozen=True)
class ChainProblem:
    """Where the chain breaks: the entry index (if any), what, which field, expected, found."""

    index: int | None
    entity: str
    field: str
    expected: Any
    found: Any


def key_id_of(verifier_key: str) -> str:
    """The key id (8 hex digits) a verifier key string ``name+id+key`` carries."""
    parts = verifier_key.split("+", 2)  # the base64 key may itself hold "+"
    return parts[1] if len(parts) == 3 else ""


def first_key(
    stored: Sequence[str], rotations: Sequence[tuple[int, Mapping[str, Any]]]
) -> str | ChainProblem:
    """The one stored key no rotation introduced."""
    introduced = {str(change.get("new_key")) for _, change in rotations}
    roots = [key for key in stored if key not in introduced]
    if len(roots) == 1:
        return roots[0]
    return ChainProblem(
        None,
        "log signing keys",
        "first key",
        "exactly one key not introduced by a rotation",
        [key_id_of(k) for k in roots] or "none",
    )


def active_link(chain: Sequence[KeyLink], size: int) -> KeyLink:
    """The key that may sign a checkpoint of tree size ``size``."""
    current = chain[0]
    for link in chain[1:]:
        if size >= link.from_size:
            current = link
    return current
