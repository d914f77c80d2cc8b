"""What the work pages share: names of steps and states in both languages, reading a step's
form (dates, whole numbers, lines of ``NAME=VALUE``, uploaded documents) and the notice a
queue shows after a step.

A form's fields are read from the parsed form (Starlette keeps it once the gate has read
the CSRF token), so one form may carry a file input per document kind the step needs.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData, UploadFile

from jcm.domain import limits
from jcm.domain.cycle.documents import DocumentKind, DocumentRef
from jcm.domain.errors import InvalidInput
from jcm.entrypoints.web import cycle_labels
from jcm.entrypoints.web.i18n import N_
from jcm.service_layer.documents.service import DocumentService, Upload

QUEUE = "/work"
NOTICE_COOKIE = "jcm_notice"
_MAX_FIELD = 4000

STEP_LABELS: dict[str, str] = {
    # the project
    "submit_pin": N_("Submit the PIN"),
    "submit_pdd": N_("Submit the PDD"),
    "decide_no_objection": N_("Decide no objection to the PIN"),
    "object": N_("Object to the PIN"),
    "open_public_input": N_("Open the PDD to public input"),
    "start_validation": N_("Start the validation"),
    "validate": N_("Validate the project"),
    "give_negative_opinion": N_("Give a negative opinion"),
    "resubmit_pdd": N_("Resubmit the PDD"),
    "request_registration": N_("Request registration"),
    "accept_registration_request": N_("Accept the registration request as complete"),
    "register": N_("Register the project"),
    "reject_registration": N_("Reject the registration"),
    "withdraw_registration_request": N_("Withdraw the registration request"),
    "request_allocation_change": N_("Request a change of the credit allocation"),
    "request_participant_change": N_("Request a change of participants"),
    "approve_change": N_("Approve the change"),
    "reject_change": N_("Reject the change"),
    "request_renewal": N_("Request renewal of the crediting period"),
    "approve_renewal": N_("Approve the renewal"),
    "reject_renewal": N_("Reject the renewal"),
    "withdraw_project": N_("Withdraw the project"),
    # monitoring periods
    "submit_report": N_("Upload a monitoring report"),
    "start_verification": N_("Start the verification"),
    "verify": N_("Verify the emission reductions"),
    "request_issuance": N_("Request issuance"),
    "accept_issuance_request": N_("Accept the issuance request as complete"),
    "decide": N_("Decide the issuance"),
    "reject": N_("Reject the issuance request"),
    "withdraw": N_("Withdraw the issuance request"),
    "record_issuance": N_("Record the issuance in this registry"),
}

STATE_LABELS = cycle_labels.STATES

ROLE_LABELS = cycle_labels.ROLES

DOCUMENT_LABELS = cycle_labels.DOCUMENTS

LABELS = {
    "steps": STEP_LABELS,
    "states": STATE_LABELS,
    "roles": ROLE_LABELS,
    "documents": DOCUMENT_LABELS,
}


async def form_data(request: Request) -> AsyncIterator[FormData]:
    """The posted form (already parsed by the gate, which read its CSRF token); its
    uploaded files are closed once the page has answered."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(form_data)]


def bad_field(field: str, message: str) -> InvalidInput:
    return InvalidInput("H2_BAD_REQUEST", f"Field {field}: {message}", field=field)


def text(form: FormData, field: str, max_length: int = 200) -> str | None:
    value = form.get(field)
    if value is None or isinstance(value, UploadFile) or not value.strip():
        return None
    value = value.strip()
    if len(value) > max_length:
        raise bad_field(field, f"at most {max_length} characters.")
    return limits.check_text(value, field, max_length=max_length)


def day(form: FormData, field: str) -> date | None:
    value = text(form, field, 10)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_field(field, "a date like 2024-03-20.") from None


def whole(form: FormData, field: str) -> int | None:
    value = text(form, field, 20)
    if value is None:
        return None
    digits = value.replace(",", "").replace("_", "")
    if not digits.isdigit():
        raise bad_field(field, "a whole number like 1648.")
    return int(digits)


def lines(form: FormData, field: str) -> list[str]:
    """Non-empty lines of a text area (``NAME=VALUE`` per line), each checked as text."""
    value = form.get(field)
    if value is None or isinstance(value, UploadFile):
        return []
    if len(value) > _MAX_FIELD:
        raise bad_field(field, f"at most {_MAX_FIELD} characters.")
    found = [line.strip() for line in value.splitlines() if line.strip()]
    return [limits.check_text(line, field, max_length=_MAX_FIELD) for line in found]


def upload(form: FormData, field: str) -> UploadFile | None:
    """The file posted in ``field``; an empty file input (no file chosen) is no file."""
    value = form.get(field)
    if isinstance(value, UploadFile) and (value.filename or "").strip():
        return value
    return None


def upload_name(file: UploadFile, fallback: str) -> str:
    name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or fallback


def media_type(file: UploadFile) -> str:
    given = (file.content_type or "").split(";")[0].strip().lower()
    return given or "application/octet-stream"


def stage_documents(
    documents: DocumentService, form: FormData, kinds: list[str]
) -> tuple[DocumentRef, ...]:
    """Each kind's file from its ``document-<kind>`` input, staged for the step (stored only
    if the step commits). A missing one is left to the step's own document check."""
    refs: tuple[DocumentRef, ...] = ()
    for kind in kinds:
        file = upload(form, f"document-{kind}")
        if file is None:
            continue
        data = file.file.read()
        name = upload_name(file, f"{kind}.bin")
        refs += documents.stage(Upload(DocumentKind(kind), data, media_type(file), name))
    return refs


def idempotency_key() -> str:
    """A key each form carries, so posting the same form twice takes the step once."""
    return secrets.token_urlsafe(18)


def done(action: str, subject: str) -> RedirectResponse:
    """Back to the queue (303), with a notice of the step just taken."""
    response = RedirectResponse(QUEUE, status_code=303)
    response.set_cookie(
        NOTICE_COOKIE,
        f"{action}:{subject}",
        max_age=120,
        httponly=True,
        samesite="strict",
        path=QUEUE,
    )
    return response


def notice_of(request: Request) -> tuple[str, str] | None:
    """The step a notice names, if it names a known step (it is only ever shown as text)."""
    raw = request.cookies.get(NOTICE_COOKIE, "")
    action, sep, subject = raw.partition(":")
    if not sep or action not in STEP_LABELS or not 0 < len(subject) <= 40:
        return None
    if not all(ch.isalnum() or ch in "-_" for ch in subject):
        return None
    return action, subject
