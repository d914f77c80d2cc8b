"""What the cycle, document and methodology routes share: who acts, attachments, facts.

The caller's organisation acts, never one named in a body; the role is the one the step's
transition table admits that the organisation holds (``cycle_actions.acting_role``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import UploadFile

from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role
from jcm.domain.cycle.documents import DocumentKind, DocumentRef, Visibility
from jcm.domain.errors import InvalidInput
from jcm.domain.identity.cycle_actions import Machine, acting_role
from jcm.domain.methodologies.model import FactValue
from jcm.entrypoints.api import cycle_schemas as cs
from jcm.entrypoints.api.context import Caller
from jcm.service_layer.methodologies.service import parse_fact, parse_quantity
from jcm.service_layer.results import JsonValue


def acting(caller: Caller, machine: Machine, action: str, chosen: Role | None) -> cc.ActingAs:
    """The caller's organisation, in the role the step admits (403 when it holds none)."""
    role = acting_role(machine, action, caller.principal, caller.roles, chosen)
    assert caller.organisation is not None  # acting_role refuses anonymous callers
    return cc.ActingAs(caller.organisation, role)


def attachments(
    caller: Caller, given: Iterable[tuple[DocumentKind, str]]
) -> tuple[DocumentRef, ...]:
    """References to stored versions by hash. A confidential version is attached only while
    no step refers to it yet (its uploader's): a hash seen elsewhere gives no right to
    another project's confidential documents. Absent and refused look alike (404)."""
    return tuple(caller.services.documents.attachable(kind, sha256) for kind, sha256 in given)


def body_attachments(caller: Caller, body: cs.StepBody) -> tuple[DocumentRef, ...]:
    return attachments(caller, ((a.kind, a.sha256) for a in body.documents))


def parse_attachment(text: str) -> tuple[DocumentKind, str]:
    """``KIND=SHA256`` (or ``KIND=sha256:HEX``) from a multipart form field."""
    kind, sep, sha = text.partition("=")
    if not sep:
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"Document {text[:80]!r} must look like KIND=SHA256, e.g. pdd=9f86d0….",
            value=text[:80],
        )
    try:
        parsed = DocumentKind(kind.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"Document kind {kind[:40]!r} is not one of: "
            f"{', '.join(k.value for k in DocumentKind)}.",
            kind=kind[:40],
        ) from None
    return parsed, sha.strip().removeprefix("sha256:")


def fact_values(facts: Mapping[str, cs.FactValue]) -> dict[str, FactValue]:
    """JSON facts: true/false and whole numbers as given; text read as the CLI reads it."""
    return {
        name: value if isinstance(value, bool | int) else parse_fact(f"{name}={value}")[1]
        for name, value in facts.items()
    }


def quantities(given: Mapping[str, cs.Quantity]) -> dict[str, tuple[str, str]]:
    return dict(parse_quantity(f"{name}={q.value}:{q.unit}") for name, q in given.items())


def ex_ante(
    facts: Mapping[str, cs.FactValue], fixed: Mapping[str, cs.Quantity]
) -> cc.ExAnteParameters | None:
    """What a PDD fixes for the methodology, as the CLI's --fact and --fixed give it."""
    if not facts and not fixed:
        return None
    values = [
        (name, value if isinstance(value, bool | int) else str(value))
        for name, value in fact_values(facts).items()
    ]
    return cc.ExAnteParameters(tuple(values), tuple(quantities(fixed).items()))


def read_upload(upload: UploadFile, limit: int | None = None) -> bytes:
    data = upload.file.read(limit + 1 if limit is not None else -1)
    return bytes(data)


def upload_name(upload: UploadFile, fallback: str) -> str:
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or fallback


def media_type(upload: UploadFile) -> str:
    given = (upload.content_type or "").split(";")[0].strip().lower()
    return given or "application/octet-stream"


def public_only(value: Any) -> JsonValue:
    """A cycle document with every confidential version's reference left out."""
    if isinstance(value, list):
        return [public_only(v) for v in value if not _confidential_ref(v)]
    if isinstance(value, dict):
        return {k: public_only(v) for k, v in value.items()}
    result: JsonValue = value
    return result


def _confidential_ref(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "sha256" in value
        and value.get("visibility") == Visibility.CONFIDENTIAL.value
    )
