"""The transparency log over HTTP, for anyone: public keys, signed checkpoints, inclusion and
consistency proofs.

Every proof is an offline-verifiable bundle (formats ``jcm-inclusion-proof/1`` and
``jcm-consistency-proof/1``): save the response body to a file and check it with
``jcm log verify-proof FILE --public-key KEYS`` where KEYS is the text of
``GET /log/public-keys.txt``; nothing else, and no trust in this server, is needed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from fastapi.responses import JSONResponse, PlainTextResponse

from jcm.domain.identity.transparency_actions import TRANSPARENCY as RULES
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, Router

router = Router(tags=["transparency"])
MAX_INT = (1 << 63) - 1  # the largest index, size or id the database holds
LogIndex = Annotated[int, Path(ge=0, le=MAX_INT, description="A log entry's index (from 0).")]
TransactionId = Annotated[int, Path(ge=1, le=MAX_INT, description="A registry transaction id.")]
SerialText = Annotated[
    str,
    Path(max_length=120, description="A serial or serial range, e.g. JP-KE-JCM-KE001-2023-1-1-5"),
]
TEXT = "text/plain; charset=utf-8"


@router.endpoint("GET", "/log/public-keys", access=RULES["log_public_keys"])
def log_public_keys(caller: CallerDep) -> JSONResponse:
    """Every key the log has signed with, in chain order, the active one last."""
    return respond(caller.services.log.public_keys())


@router.endpoint(
    "GET",
    "/log/public-keys.txt",
    access=RULES["log_public_keys"],
    response_class=PlainTextResponse,
)
def log_public_keys_text(caller: CallerDep) -> PlainTextResponse:
    """The verifier keys, one a line (active last): what `jcm log verify-proof --public-key`
    takes."""
    keys = caller.services.log.public_keys()
    return PlainTextResponse("".join(f"{k['verifier']}\n" for k in keys), media_type=TEXT)


@router.endpoint("GET", "/log/checkpoints", access=RULES["log_checkpoints"])
def log_checkpoints(caller: CallerDep) -> JSONResponse:
    """Every signed checkpoint (C2SP signed notes of the log's origin, size and root)."""
    return respond(caller.services.log.checkpoints())


@router.endpoint("GET", "/log/checkpoints/latest", access=RULES["log_latest_checkpoint"])
def log_latest_checkpoint(caller: CallerDep) -> JSONResponse:
    """The newest signed checkpoint, its note included (404 L1 before the first one)."""
    return respond(caller.services.log.latest_checkpoint())


@router.endpoint(
    "GET",
    "/log/checkpoints/latest/note",
    access=RULES["log_latest_checkpoint"],
    response_class=PlainTextResponse,
)
def log_latest_checkpoint_note(caller: CallerDep) -> PlainTextResponse:
    """The newest checkpoint as its C2SP signed note, byte for byte."""
    return PlainTextResponse(caller.services.log.latest_checkpoint().note, media_type=TEXT)


@router.endpoint("GET", "/log/entries/{index}/inclusion-proof", access=RULES["log_inclusion_proof"])
def log_inclusion_proof(index: LogIndex, caller: CallerDep) -> JSONResponse:
    """Entry ``index`` with its inclusion proof to the newest checkpoint covering it."""
    return respond(caller.services.log.inclusion_proof(index=index))


@router.endpoint(
    "GET",
    "/log/transactions/{transaction}/inclusion-proof",
    access=RULES["log_inclusion_proof"],
)
def log_transaction_inclusion_proof(transaction: TransactionId, caller: CallerDep) -> JSONResponse:
    """The log entry of registry transaction ``transaction`` with its inclusion proof."""
    return respond(caller.services.log.inclusion_proof(transaction=transaction))


@router.endpoint(
    "GET", "/log/serials/{serial}/inclusion-proofs", access=RULES["log_inclusion_proof"]
)
def log_serial_inclusion_proofs(serial: SerialText, caller: CallerDep) -> JSONResponse:
    """A bundle for every transaction that touched any unit of the serial range (a list:
    `jcm log verify-proof` checks them all)."""
    return respond(caller.services.log.inclusion_proofs_for_serial(serial))


@router.endpoint("GET", "/log/consistency-proof", access=RULES["log_consistency_proof"])
def log_consistency_proof(
    caller: CallerDep,
    old_size: Annotated[
        int, Query(alias="from", ge=0, le=MAX_INT, description="The older checkpoint's size.")
    ],
    new_size: Annotated[
        int | None,
        Query(alias="to", ge=0, le=MAX_INT, description="The newer one's (default: latest)."),
    ] = None,
) -> JSONResponse:
    """Proof that the checkpoint of size ``to`` is an append-only extension of ``from``."""
    return respond(caller.services.log.consistency_proof(old_size, new_size))
