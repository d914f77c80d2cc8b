"""Running a handler: one unit of work, idempotency keys, and retries on lock conflicts."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass, replace
from typing import TypeVar

from jcm.domain import limits
from jcm.domain.errors import ConcurrencyConflict, IdempotencyConflict
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory
from jcm.service_layer.results import ChangeResult, JsonValue, from_json, to_json

R = TypeVar("R", bound=ChangeResult)

ATTEMPTS = 8


def request_digest(command_name: str, command: object) -> str:
    """A stable digest of what was asked, to tell a repeat from a different command."""
    body = asdict(command) if is_dataclass(command) and not isinstance(command, type) else command
    text = json.dumps([command_name, body], sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(str(v) for v in value)
    return str(value)


class _KeyTakenMeanwhile(Exception):
    """A concurrent command stored the same idempotency key first (and committed)."""


def execute(
    uow_factory: UnitOfWorkFactory,
    command_name: str,
    command: object,
    handler: Callable[[UnitOfWork], R],
    idempotency_key: str | None = None,
    *,
    result_type: type[R],
) -> R:
    """Run ``handler`` in a fresh unit of work and commit, retrying lock conflicts.

    With an idempotency key the first successful result is stored, in its JSON form, in the
    same database transaction; a repeat rebuilds it as a ``result_type`` and returns it with
    ``replayed`` set, and changes nothing. Refused commands store nothing, so a corrected
    retry may reuse the key.

    Serialization failures and deadlocks are retried at once (jittered back-off); a lock
    wait that reached the lock timeout is not (it already took the whole wait budget):
    the caller gets ``G9_BUSY`` and may retry later.
    """
    # Every input is bounded here, before anything touches the database (jcm.domain.limits).
    limits.check_idempotency_key(idempotency_key)
    limits.check_command(command, command_name)
    digest = request_digest(command_name, command) if idempotency_key else ""
    for attempt in range(ATTEMPTS):
        try:
            return _attempt(
                uow_factory, command_name, digest, handler, idempotency_key, result_type
            )
        except _KeyTakenMeanwhile:
            # Two processes raced on one key: the other committed first. The next attempt
            # reads its stored response and replays it (or refuses a different command).
            continue
        except ConcurrencyConflict as conflict:
            if attempt == ATTEMPTS - 1 or "waited_seconds" in conflict.details:
                raise
            # Jittered back-off so competing processes do not retry in lockstep.
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise ConcurrencyConflict(
        "G9_BUSY", "The registry database stayed busy; retry the command.", attempts=ATTEMPTS
    )


def preview(
    uow_factory: UnitOfWorkFactory,
    command_name: str,
    command: object,
    handler: Callable[[UnitOfWork], R],
) -> R:
    """Run ``handler`` exactly as :func:`execute` would, then roll everything back: what
    the command would do, with nothing changed (a dry run). Idempotency keys do not apply."""
    limits.check_command(command, command_name)
    with uow_factory() as uow:
        result = handler(uow)
        uow.rollback()
        return result


def _attempt(
    uow_factory: UnitOfWorkFactory,
    command_name: str,
    digest: str,
    handler: Callable[[UnitOfWork], R],
    idempotency_key: str | None,
    result_type: type[R],
) -> R:
    with uow_factory() as uow:
        if idempotency_key:
            stored = uow.ledger.get_idempotency(idempotency_key)
            if stored is not None:
                response = _stored_response(idempotency_key, digest, *stored)
                return replace(from_json(result_type, response), replayed=True)
        result = handler(uow)
        if idempotency_key and not uow.ledger.put_idempotency(
            idempotency_key, command_name, digest, to_json(result), uow.now
        ):
            raise _KeyTakenMeanwhile(idempotency_key)
        uow.commit()
        return result


def _stored_response(
    key: str, digest: str, stored_command: str, stored_digest: str, response: JsonValue
) -> JsonValue:
    if stored_digest != digest:
        raise IdempotencyConflict(
            "G2_IDEMPOTENCY_KEY_REUSED",
            f"Idempotency key {key!r} was already used for a different {stored_command} "
            "command; use a new key for a new command.",
            idempotency_key=key,
            first_command=stored_command,
        )
    return response
