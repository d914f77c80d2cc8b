"""Documents: multipart uploads (never a server path) and reads with the rule book's rights.

A public version is open to everyone. A confidential one is returned only to a caller the
rule book permits for the project named (its participants, the TPEs engaged on it, the
secretariat and JC members of its partnership); anyone else gets the same 404 as for a
document that does not exist, so the answer never says whether it does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from fastapi.responses import JSONResponse, Response

from jcm.domain.identity.cycle_actions import DOCUMENTS as RULES
from jcm.domain.identity.cycle_actions import check_cycle_scope
from jcm.entrypoints.api import cycle_schemas as cs
from jcm.entrypoints.api.cycle_support import (
    media_type,
    read_upload,
    upload_name,
)
from jcm.entrypoints.api.routing import CallerDep, Router

router = Router(tags=["documents"])


@router.endpoint("POST", "/documents", access=RULES["upload_document"], status_code=201)
def upload_document(
    form: Annotated[cs.DocumentForm, Form(media_type="multipart/form-data")], caller: CallerDep
) -> JSONResponse:
    """Store a document (its public version and, optionally, its confidential one); attach
    it to a step by the SHA-256 answered here."""
    check_cycle_scope(caller.principal, caller.roles)
    confidential = form.confidential
    stored = caller.services.documents.put_document(
        form.kind,
        read_upload(form.file),
        media_type=media_type(form.file),
        filename=upload_name(form.file, f"{form.kind.value}.bin"),
        confidential=read_upload(confidential) if confidential else None,
        confidential_filename=upload_name(confidential, f"{form.kind.value}.bin")
        if confidential
        else None,
    )
    return JSONResponse(
        {
            "kind": stored.kind.value,
            "public": stored.public.to_json(),
            "confidential": stored.confidential.to_json() if stored.confidential else None,
        },
        status_code=201,
    )


@router.endpoint(
    "GET",
    "/documents/{sha256}",
    access=RULES["read_document"],
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def read_document(
    sha256: str,
    caller: CallerDep,
    project: Annotated[
        str | None,
        Query(max_length=16, description="The project a confidential version belongs to."),
    ] = None,
) -> Response:
    """A stored version's bytes. Confidential ones only to those the rule book permits for
    `project`; for anyone else, as for an absent document: 404."""
    # The documents service answers absent and not-permitted alike (K4_NOT_VISIBLE).
    data = caller.services.documents.read(sha256, caller.principal, project)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"X-Content-SHA256": sha256, "Cache-Control": "private, no-store"},
    )
