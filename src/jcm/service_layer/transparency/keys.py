"""The log's signing keys: first key, explicit rotation, the published keys, the chain check.

Rules (``jcm.domain.transparency.key_chain``): the first key is made only when the database
records none; every later key comes from a rotation logged as an entry signed by the old and
the new key; signing refuses a key file that does not hold the active key; verification
walks the chain from the first key and checks each checkpoint against the key active at
its size, optionally pinned to a key the verifier was given.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from typing import Any

from jcm.domain.errors import JcmError
from jcm.domain.transparency.key_chain import (
    ROTATION_ENTRY,
    ChainProblem,
    KeyLink,
    active_link,
    first_key,
    key_id_of,
    rotation_text,
)
from jcm.domain.transparency.signed_note import Note, Verifier, check_note, format_note
from jcm.service_layer.ports import SigningKeys, TransparencyLog, UnitOfWork, UnitOfWorkFactory

Crash = Callable[[str], None]


def ensure_first_key(uow_factory: UnitOfWorkFactory, keys: SigningKeys) -> None:
    """At start: when the database records no key yet, record the key file's (made now if
    there is none). A recorded key is never replaced here."""
    with uow_factory(read_only=True) as uow:
        if uow.ledger.log.keys():
            return
    with uow_factory() as uow:
        log = uow.ledger.log
        log.lock()  # one first key, even when two processes start at once
        if log.keys():
            return
        try:
            signer = keys.load() or keys.create_first()
        except JcmError:
            return  # an unreadable key file: reading goes on, signing refuses (L6)
        log.add_key(signer, uow.now)
        uow.commit()


def rotate_key(
    uow_factory: UnitOfWorkFactory, keys: SigningKeys, origin: str, crash: Crash
) -> dict[str, str]:
    """Hand the log over to a new key, in a log entry signed by the old and the new key.

    The new key is staged in a file first, the entry and the key record commit together,
    and only then the staged key replaces the old file; a crash in between is finished at
    the next signing (the database already names the new key).
    """
    with uow_factory() as uow:
        log = uow.ledger.log
        log.lock()
        old = log.signer(uow.now)  # refuses a missing or different key file
        new = keys.staged() or keys.stage_next()
        crash("rotate:staged")
        text = rotation_text(origin, old.verifier_key(), new.verifier_key())
        note = format_note(Note(text, (old.sign(text), new.sign(text))))
        change = {"old_key": old.verifier_key(), "new_key": new.verifier_key(), "note": note}
        uow.ledger.add_event(ROTATION_ENTRY, None, change, uow.now)
        log.add_key(new, uow.now)
        log.retire_other_keys(f"{new.key_id:08x}", uow.now)
        uow.commit()
    crash("rotate:committed")
    keys.install_staged()
    return {
        "old_key_id": f"{old.key_id:08x}",
        "new_key_id": f"{new.key_id:08x}",
        "new_public_key": new.verifier_key(),
    }


def public_keys(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every key the log has had, in chain order (the active one last)."""
    stored = uow.ledger.log.keys()
    rows = {row["verifier"]: row for row in stored}
    chain = [link.verifier for link in _links(uow.ledger.log, list(rows))[0]] or list(rows)
    ordered = chain + [key for key in rows if key not in chain]
    return [
        {
            "key_id": rows[key]["key_id"],
            "verifier": key,
            "retired": rows[key]["retired_at"] is not None,
        }
        for key in ordered
    ]


def _links(log: TransparencyLog, stored: list[str]) -> tuple[list[KeyLink], list[Any]]:
    rotations: list[tuple[int, dict[str, Any]]] = []
    stamps: list[str | None] = []
    for index, entry in log.rotation_entries():
        parsed = json.loads(entry)
        change = parsed.get("change")
        rotations.append((index, change if isinstance(change, dict) else {}))
        stamps.append(parsed.get("timestamp") if isinstance(parsed.get("timestamp"), str) else None)
    root = first_key(stored, rotations)
    if isinstance(root, ChainProblem):
        return [], rotations
    chain = [KeyLink(root, key_id_of(root), 0)]
    for (index, change), stamp in zip(rotations, stamps, strict=True):
        new = str(change.get("new_key"))
        chain.append(KeyLink(new, key_id_of(new), index + 1, stamp))
    return chain, rotations


def check_key_chain(
    uow: UnitOfWork, parse: Callable[[str], Verifier], pinned: str | None = None
) -> tuple[ChainProblem | None, str | None]:
    """The first break in the chain of keys, and the chain's first key."""
    log = uow.ledger.log
    rows = log.keys()
    stored = [str(row["verifier"]) for row in rows]
    if not stored:
        return None, None  # nothing was ever signed; checkpoints would name unknown keys
    chain, rotations = _links(log, stored)
    if not chain:
        root = first_key(stored, rotations)
        return (root if isinstance(root, ChainProblem) else None), None
    problem = _check_rotations(chain, rotations, parse)
    if problem is None:
        problem = _check_records(chain, rows)
    known = {k.verifier for k in chain}
    if pinned is not None and not pinned.split():
        problem = problem or ChainProblem(None, "log signing keys", "pinned key", "a key", "")
    for key in (pinned or "").split():  # one key per line, each must be in the chain
        if problem is None and key not in known:
            problem = ChainProblem(
                None, "log signing keys", "pinned key", key_id_of(key), [k.key_id for k in chain]
            )
    if problem is None:
        problem = _check_checkpoint_keys(log, chain)
    return problem, chain[0].verifier


def _check_rotations(
    chain: list[KeyLink], rotations: list[Any], parse: Callable[[str], Verifier]
) -> ChainProblem | None:
    for (index, change), (old, new) in zip(rotations, pairwise(chain), strict=True):
        entity = f"key rotation at entry {index}"
        if change.get("old_key") != old.verifier:
            return ChainProblem(index, entity, "old key", old.key_id, change.get("old_key"))
        try:
            old_verifier, new_verifier = parse(old.verifier), parse(new.verifier)
        except ValueError as error:
            return ChainProblem(index, entity, "key", "a verifier key", str(error))
        note = change.get("note")
        for who, verifier in (("old", old_verifier), ("new", new_verifier)):
            result = check_note(note if isinstance(note, str) else "", [verifier])
            if not result.ok:
                return ChainProblem(index, entity, f"{who} key signature", "valid", result.reason)
        text = result.note.text if result.note else ""
        origin = text.split("\n")[1] if text.count("\n") > 1 else ""
        if text != rotation_text(origin, old.verifier, new.verifier):
            return ChainProblem(index, entity, "note", "names the old and new key", text)
    return None


def _check_records(chain: list[KeyLink], rows: list[dict[str, Any]]) -> ChainProblem | None:
    """Each stored key record says what the chain says: id, name, since and until when."""
    by_verifier = {str(row["verifier"]): row for row in rows}
    for position, link in enumerate(chain):
        row = by_verifier.get(link.verifier)
        entity = f"log key {link.key_id}"
        if row is None or row["key_id"] != link.key_id:
            found = None if row is None else row["key_id"]
            return ChainProblem(None, entity, "record", link.key_id, found)
        successor = chain[position + 1] if position + 1 < len(chain) else None
        expected: dict[str, Any] = {
            "name": link.verifier.partition("+")[0],
            "retired_at": _time(successor.since) if successor else None,
        }
        if link.since is not None:  # the first key's creation is not logged
            expected["created_at"] = _time(link.since)
        for name, value in expected.items():
            if row[name] != value:
                index = successor.from_size - 1 if successor and name == "retired_at" else None
                return ChainProblem(index, entity, name, _shown(value), _shown(row[name]))
    return None


def _time(stamp: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _check_checkpoint_keys(log: TransparencyLog, chain: list[KeyLink]) -> ChainProblem | None:
    for checkpoint in log.checkpoints():
        expected = active_link(chain, checkpoint.size).key_id
        if checkpoint.key_id != expected:
            return ChainProblem(
                checkpoint.size - 1 if checkpoint.size else None,
                f"checkpoint of size {checkpoint.size}",
                "signing key",
                expected,
                checkpoint.key_id,
            )
    return None
