"""Running a handler: one unit of work, idempotency keys, and retries on lock conflicts."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass, replace
from typing import Any, TypeVar

from jcm.domain.errors import ConcurrencyConflict, IdempotencyConflict
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory
from jcm.service_layer.results import ChangeResult, JsonValue, from_json, to_json

R = TypeVar("R", bound=ChangeResult)
T = TypeVar("T")

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
    """

    def replay(stored: JsonValue) -> R:
        return replace(from_json(result_type, stored), replayed=True)

    return _execute(uow_factory, command_name, command, handler, idempotency_key, to_json, replay)


def _execute(
    uow_factory: UnitOfWorkFactory,
    command_name: str,
    command: object,
    handler: Callable[[UnitOfWork], T],
    idempotency_key: str | None,
    dump: Callable[[T], Any],
    replay: Callable[[Any], T],
) -> T:
    digest = request_digest(command_name, command) if idempotency_key else ""
    for attempt in range(ATTEMPTS):
        try:
            with uow_factory() as uow:
                if idempotency_key:
                    stored = uow.ledger.get_idempotency(idempotency_key)
                    if stored is not None:
                        stored_command, stored_digest, response = stored
                        if stored_digest != digest:
                            raise IdempotencyConflict(
                                "G2_IDEMPOTENCY_KEY_REUSED",
                                f"Idempotency key {idempotency_key!r} was already used for a "
                                f"different {stored_command} command; use a new key for a new "
                                "command.",
                                idempotency_key=idempotency_key,
                                first_command=stored_command,
                            )
                        return replay(response)
                result = handler(uow)
                if idempotency_key:
                    uow.ledger.put_idempotency(
                        idempotency_key, command_name, digest, dump(result), uow.now
                    )
                uow.commit()
                return result
        except ConcurrencyConflict:
            if attempt == ATTEMPTS - 1:
                raise
            # Jittered back-off so competing processes do not retry in lockstep.
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")
