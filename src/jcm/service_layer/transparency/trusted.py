"""Checking proof bundles against the last checkpoint a verifier trusts.

A signature alone cannot tell a forked history from the real one when both are signed with
the same key. A verifier therefore keeps the last checkpoint it accepted and relates every
new bundle to it:

* a consistency bundle must start at the trusted checkpoint (same size **and** root) or end
  at it; it then proves the new checkpoint extends what the verifier saw;
* an inclusion bundle must be under the trusted checkpoint (same size and root): to check an
  entry under a newer checkpoint, give a list ``[consistency from the trusted size,
  inclusion]``; the bundles of a list are related in order, each consistency step moving
  the trusted checkpoint forward.

A checkpoint of the trusted size with another root is a fork, named as such. The verdict
carries ``trusted_checkpoint``: the newest checkpoint now proven, for the verifier to keep.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jcm.domain.transparency.checkpoint import Checkpoint
from jcm.domain.transparency.signed_note import Verifier, check_note
from jcm.service_layer.transparency.proofs import (
    CONSISTENCY_FORMAT,
    INCLUSION_FORMAT,
    check_bundle,
)


def _opened(note: str, verifiers: Sequence[Verifier]) -> Checkpoint | str:
    result = check_note(note, verifiers)
    if not result.ok or result.note is None:
        return f"the trusted checkpoint's signature: {result.reason}"
    try:
        return Checkpoint.parse(result.note.text)
    except ValueError as error:
        return f"the trusted checkpoint is not a checkpoint: {error}"


def _same(a: Checkpoint, b: Checkpoint) -> bool:
    return (a.origin, a.size, a.root_hash) == (b.origin, b.size, b.root_hash)


def _fork(trusted: Checkpoint, seen: Checkpoint) -> str | None:
    if seen.size == trusted.size and not _same(seen, trusted):
        return (
            f"forked history: a checkpoint of size {seen.size} with root "
            f"{seen.root_hash.hex()}, but the trusted checkpoint of that size has root "
            f"{trusted.root_hash.hex()}"
        )
    return None


def _step(
    bundle: dict[str, Any], trusted: tuple[Checkpoint, str], verifiers: Sequence[Verifier]
) -> tuple[Checkpoint, str] | str:
    """The trusted checkpoint after ``bundle`` (already checked on its own), or why not."""
    base, _note = trusted
    notes = (
        [bundle["checkpoint"]]
        if bundle.get("format") == INCLUSION_FORMAT
        else [bundle["old_checkpoint"], bundle["new_checkpoint"]]
    )
    opened = [_opened(n, verifiers) for n in notes]
    checkpoints = [c for c in opened if isinstance(c, Checkpoint)]
    for checkpoint in checkpoints:
        fork = _fork(base, checkpoint)
        if fork:
            return fork
    if bundle.get("format") == CONSISTENCY_FORMAT and len(checkpoints) == 2:
        old, new = checkpoints
        if _same(old, base):
            return new, notes[1]
        if _same(new, base):
            return trusted
    elif len(checkpoints) == 1 and _same(checkpoints[0], base):
        return trusted
    return (
        f"the bundle does not start at the trusted checkpoint (size {base.size}); ask for a "
        f"consistency proof from size {base.size}"
    )


def check_against_trusted(
    text: str, verifiers: Sequence[Verifier], trusted_note: str | None
) -> dict[str, Any]:
    """:func:`check_bundle`, then relate the bundle(s) to the trusted checkpoint.

    With no trusted checkpoint yet, the newest checkpoint of a valid bundle becomes the one
    to keep (trust on first use, said in the checks).
    """
    verdict = check_bundle(text, verifiers)
    if not verdict["ok"]:
        return {**verdict, "trusted_checkpoint": trusted_note}
    parsed = json.loads(text)
    bundles: list[dict[str, Any]] = parsed if isinstance(parsed, list) else [parsed]
    steps = list(verdict["checks"])
    if trusted_note is None:
        newest = max(
            (n for b in bundles for n in _notes(b)),
            key=lambda n: _size(n, verifiers),
        )
        steps.append("no trusted checkpoint yet: keeping the newest one of this bundle")
        return {"ok": True, "checks": steps, "failure": None, "trusted_checkpoint": newest}
    base = _opened(trusted_note, verifiers)
    if isinstance(base, str):
        return {"ok": False, "checks": steps, "failure": base, "trusted_checkpoint": trusted_note}
    current: tuple[Checkpoint, str] = (base, trusted_note)
    for position, bundle in enumerate(bundles):
        moved = _step(bundle, current, verifiers)
        if isinstance(moved, str):
            failure = moved if len(bundles) == 1 else f"bundle {position}: {moved}"
            return {
                "ok": False,
                "checks": steps,
                "failure": failure,
                "trusted_checkpoint": trusted_note,
            }
        current = moved
    steps.append(
        f"consistent with the trusted checkpoint of size {base.size}; now trusted: size "
        f"{current[0].size}"
    )
    return {"ok": True, "checks": steps, "failure": None, "trusted_checkpoint": current[1]}


def _notes(bundle: dict[str, Any]) -> list[str]:
    if bundle.get("format") == INCLUSION_FORMAT:
        return [bundle["checkpoint"]]
    return [bundle["new_checkpoint"]]


def _size(note: str, verifiers: Sequence[Verifier]) -> int:
    opened = _opened(note, verifiers)
    return opened.size if isinstance(opened, Checkpoint) else -1
