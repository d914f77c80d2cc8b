"""Document kinds of the JCM rule book, references to stored documents, and who may read them.

The kinds follow the forms of the Project Cycle Procedure adopted for the current partners
(PIN, Modalities of Communication, validation report, credit allocation form, registration
request, verification report, issuance request, renewal, revision, post-registration change
and withdrawal forms) `[C:S4]`, the PDD and monitoring report `[C:S9]`, and the proposed
methodology form with its spreadsheet `[C:S9]`. A separate "monitoring plan" document is an
`[I]` reading of JCM practice (the plan is a sheet of the methodology's spreadsheet).

Confidentiality `[C:S2]`: a submission with confidential content comes in two versions, a
public one with the confidential parts made illegible and the full confidential one. So a
required document counts only when its **public** version is attached. Who may read the
confidential version is not stated in the sources retrieved; :func:`may_read` encodes an
`[I]` rule (the project's own participants, the TPEs engaged on it, the secretariat and the
JC members of its partnership; never registry managers or the public).

No oracles (issue 9): a document the caller may not see is refused exactly as one that does
not exist (:func:`not_visible`, ``K4_NOT_VISIBLE``), and the same bytes may be referenced as
public in one place and confidential in another, so uploading a guess confirms nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.cycle.jsonvalues import JsonValue
from jcm.domain.errors import InvalidInput, NotFound

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DocumentKind(StrEnum):
    PIN = "pin"  # form 3.1 [C:S4,S6]
    MODALITIES_OF_COMMUNICATION = "modalities_of_communication"  # form 3.2 [C:S1,S4]
    REFERENCE_EMISSIONS_REQUEST = "reference_emissions_request"  # form 3.3 [C:S4]
    PDD = "pdd"  # [C:S9]
    MONITORING_PLAN = "monitoring_plan"  # [I] a sheet of the methodology spreadsheet
    SD_IMPLEMENTATION_PLAN = "sd_implementation_plan"  # [C:S4]
    VALIDATION_REPORT = "validation_report"  # form 3.4 [C:S4]
    CREDIT_ALLOCATION_FORM = "credit_allocation_form"  # form 3.5 [C:S4,S5]
    REGISTRATION_REQUEST = "registration_request"  # form 3.6 [C:S4]
    MONITORING_REPORT = "monitoring_report"  # [C:S9]; spreadsheet [I]
    PROJECT_IMPLEMENTATION_REPORT = "project_implementation_report"  # form 3.7 [C:S4]
    SD_IMPLEMENTATION_REPORT = "sd_implementation_report"  # [C:S4]
    VERIFICATION_REPORT = "verification_report"  # form 3.8 [C:S1,S4]
    ISSUANCE_REQUEST = "issuance_request"  # form 3.9 [C:S1,S4]
    CREDITING_PERIOD_RENEWAL_REQUEST = "crediting_period_renewal_request"  # form 3.10 [C:S4]
    METHODOLOGY_REVISION_REQUEST = "methodology_revision_request"  # form 3.11 [C:S4]
    POST_REGISTRATION_CHANGES_REQUEST = "post_registration_changes_request"  # 3.12 [C:S4]
    PROJECT_WITHDRAWAL_REQUEST = "project_withdrawal_request"  # form 3.13 [C:S4]
    REGISTRATION_REQUEST_WITHDRAWAL = "registration_request_withdrawal"  # form 3.14 [C:S4]
    ISSUANCE_REQUEST_WITHDRAWAL = "issuance_request_withdrawal"  # form 3.15 [C:S4]
    PROPOSED_METHODOLOGY = "proposed_methodology"  # [C:S9]
    METHODOLOGY_SPREADSHEET = "methodology_spreadsheet"  # [C:S9]
    JC_DECISION = "jc_decision"  # [I] the decision text, optional on JC steps


class Visibility(StrEnum):
    PUBLIC = "public"
    CONFIDENTIAL = "confidential"


def check_sha256(text: str) -> str:
    if not isinstance(text, str) or not _SHA256.match(text):
        raise InvalidInput(
            "P8_BAD_HASH",
            f"Document hash {text!r} must be 64 lower-case hexadecimal digits (SHA-256).",
            sha256=repr(text),
        )
    return text


@dataclass(frozen=True, slots=True, order=True)
class DocumentRef:
    """One stored version of a document attached to a step: its kind, hash and visibility,
    and (for references made since issue 8) the store's metadata of it, so that the log
    records every field the document store keeps and a tampered store is caught."""

    kind: DocumentKind
    sha256: str
    visibility: Visibility = Visibility.PUBLIC
    size: int | None = field(default=None, compare=False)
    media_type: str | None = field(default=None, compare=False)
    filename: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        DocumentKind(self.kind)
        Visibility(self.visibility)
        check_sha256(self.sha256)

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    def to_json(self) -> JsonValue:
        data: dict[str, JsonValue] = {
            "kind": self.kind.value,
            "sha256": self.sha256,
            "visibility": self.visibility.value,
        }
        for name, value in self.metadata().items():
            if value is not None:
                data[name] = value
        return data

    def metadata(self) -> dict[str, str | int | None]:
        """The store's metadata this reference records (None: not recorded)."""
        return {"size": self.size, "media_type": self.media_type, "filename": self.filename}


def logged_metadata_problems(
    ref: DocumentRef, stored: dict[str, str | int], labels: Sequence[StoredObject] = ()
) -> list[tuple[str, str | int, str | int | None]]:
    """(field, as logged, as stored) for each metadata field where the store disagrees with
    the log. The size is the object's own; the visibility (always) and the media type and
    filename (where the reference records them) must match one of the store's ``labels``,
    the uploads of those bytes (one object may be public in one place and confidential in
    another). With no label matching, the nearest label's differences are reported."""
    problems: list[tuple[str, str | int, str | int | None]] = []
    if ref.size is not None and stored.get("size") != ref.size:
        problems.append(("size", ref.size, stored.get("size")))
    logged: dict[str, str | int | None] = {
        "visibility": ref.visibility.value,
        "media_type": ref.media_type,
        "filename": ref.filename,
    }
    candidates = [label.to_json() for label in labels] or [stored]
    differences = [
        [
            (name, value, candidate.get(name))
            for name, value in logged.items()
            if value is not None and candidate.get(name) != value
        ]
        for candidate in candidates
    ]
    return problems + min(differences, key=len)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A reference to one stored version: hash (hex), size, media type, original filename."""

    sha256: str
    size: int
    media_type: str
    filename: str
    visibility: Visibility

    def ref(self, kind: DocumentKind) -> DocumentRef:
        """The reference a step records: hash, visibility and the rest of the metadata."""
        return DocumentRef(
            kind, self.sha256, self.visibility, self.size, self.media_type, self.filename
        )

    def to_json(self) -> dict[str, str | int]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "filename": self.filename,
            "visibility": self.visibility.value,
        }


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document of one kind: its public version and, optionally, its confidential one."""

    kind: DocumentKind
    public: StoredObject
    confidential: StoredObject | None = None

    def refs(self) -> tuple[DocumentRef, ...]:
        """The references to attach to a project-cycle step."""
        versions = (self.public, self.confidential)
        return tuple(v.ref(self.kind) for v in versions if v is not None)


def public_kinds(refs: Iterable[DocumentRef]) -> frozenset[DocumentKind]:
    """The kinds with a public version among ``refs`` [C:S2]."""
    return frozenset(ref.kind for ref in refs if ref.is_public)


@dataclass(frozen=True, slots=True)
class DocumentAccess:
    """Who is engaged on the documents of one project (or methodology) of one partnership."""

    partner: str
    participants: frozenset[str] = field(default_factory=frozenset)
    tpes: frozenset[str] = field(default_factory=frozenset)


def check_distinct_versions(kind: DocumentKind, public: bytes, confidential: bytes | None) -> None:
    """Refuse (``P8_SAME_VERSIONS``) a confidential version identical to the public one
    `[C:S2]`: the public version must have the confidential parts made illegible."""
    if confidential is not None and bytes(confidential) == bytes(public):
        raise InvalidInput(
            "P8_SAME_VERSIONS",
            f"The public and confidential versions of the {kind.value} are identical; the "
            "public version must have the confidential parts made illegible, or submit only "
            "a public version.",
            kind=kind.value,
        )


def not_visible(sha256: str) -> NotFound:
    """The one answer for a document that is absent **or** that the caller may not see
    (``K4_NOT_VISIBLE``): the same code, message and details, so it tells nothing apart."""
    return NotFound(
        "K4_NOT_VISIBLE",
        f"No document with SHA-256 {sha256} is visible to this caller.",
        sha256=sha256,
    )


def published(logged: Iterable[DocumentRef], labels: Iterable[StoredObject]) -> bool:
    """Whether anyone may read these bytes: a committed step attached them as a public
    version, or (never attached yet) they were uploaded as a public version. Bytes attached
    only as a confidential version are never published by a mere upload of the same bytes:
    only a step that attaches them as public does that (the uploader held them anyway)."""
    refs = list(logged)
    if refs:
        return any(ref.is_public for ref in refs)
    return any(label.visibility is Visibility.PUBLIC for label in labels)


def check_may_read(
    readers: Iterable[Actor], visibility: Visibility, access: DocumentAccess | None, sha256: str
) -> None:
    """Refuse, as :func:`not_visible`, unless :func:`may_read` admits one of ``readers``
    (the cycle roles of the caller's organisation; none for an anonymous caller)."""
    if visibility is Visibility.PUBLIC:
        return
    if access is None or not any(may_read(r, visibility, access) for r in readers):
        raise not_visible(sha256)


def may_read(reader: Actor | None, visibility: Visibility, access: DocumentAccess) -> bool:
    """Public versions are for everyone; confidential ones only for those engaged [I]."""
    if visibility is Visibility.PUBLIC:
        return True
    if reader is None:
        return False
    match reader.role:
        case Role.PROJECT_PARTICIPANT:
            return reader.organisation_id in access.participants
        case Role.TPE:
            return reader.organisation_id in access.tpes
        case Role.SECRETARIAT | Role.JC_MEMBER:
            return reader.partner == access.partner
        case _:
            return False
