"""Options and parsers the project-cycle commands share."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from jcm.domain.cycle import (
    Designation,
    DocumentKind,
    DocumentRef,
    Participant,
    Role,
    Side,
    TpeFunction,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import InvalidInput
from jcm.entrypoints.cli.common import (
    out,
    parse_date_option,
    read_file,
    state,
)
from jcm.service_layer.documents.service import Upload
from jcm.service_layer.methodologies.service import parse_fact, parse_quantity
from jcm.service_layer.results import ChangeResult

AsOpt = Annotated[str, typer.Option("--as", help="Organisation taking the step.")]
RoleOpt = Annotated[
    str | None,
    typer.Option("--role", help="Role it acts in, when it holds several (e.g. tpe, jc_member)."),
]
OnOpt = Annotated[str | None, typer.Option("--on", help="Date of the step, YYYY-MM-DD (today).")]
DocOpt = Annotated[
    list[str] | None,
    typer.Option("--doc", help="KIND=FILE or KIND=sha256:HEX, public version (repeat)."),
]
ConfidentialOpt = Annotated[
    list[str] | None,
    typer.Option("--confidential-doc", help="KIND=FILE: the confidential version (repeat)."),
]
FixedOpt = Annotated[
    list[str] | None,
    typer.Option("--fixed", help="Ex-ante parameter NAME=VALUE:UNIT fixed in the PDD (repeat)."),
]


# -- helpers -----------------------------------------------------------------------------------


def parse_role(text: str | None) -> Role | None:
    if text is None:
        return None
    try:
        return Role(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"Role {text!r} is not one of {', '.join(r.value for r in Role)}.",
            role=text,
        ) from None


def parse_side(text: str) -> Side:
    try:
        return Side(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "P8_BAD_ACTOR", f"--side {text!r} must be japan or partner.", side=text
        ) from None


def acting_as(organisation: str, role: str | None) -> cc.ActingAs:
    return cc.ActingAs(organisation, parse_role(role))


def step_date(text: str | None) -> date | None:
    """None without --on: the service dates the step today (outside the request digest)."""
    return parse_date_option(text, "--on") if text else None


def document_kind(text: str) -> DocumentKind:
    try:
        return DocumentKind(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"Document kind {text!r} is not one of: {', '.join(k.value for k in DocumentKind)}.",
            kind=text,
        ) from None


def split_document_option(text: str, option: str) -> tuple[DocumentKind, str]:
    kind, sep, where = text.partition("=")
    if not sep or not where:
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"{option} {text!r} must look like KIND=FILE, e.g. pdd=./pdd.pdf.",
            value=text,
        )
    return document_kind(kind), where


def media_type_of(path: Path) -> str:
    return {
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".csv": "text/csv",
        ".txt": "text/plain",
        ".json": "application/json",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }.get(path.suffix.lower(), "application/octet-stream")


def read_upload(path: Path) -> bytes:
    return read_file(path, "Document file", "P8_BAD_DOCUMENT")


def document_refs(
    public: list[str] | None, confidential: list[str] | None
) -> tuple[DocumentRef, ...]:
    """Stage the files given for this step and return their references (public first).

    The uploads reach the document store only if the step commits (``run`` settles them).
    """
    documents = state.app().documents
    refs: list[DocumentRef] = []
    secret = dict(split_document_option(x, "--confidential-doc") for x in confidential or [])
    for text in public or []:
        kind, where = split_document_option(text, "--doc")
        if where.startswith("sha256:"):
            # refuses an unknown document (confidential ones need rights)
            refs.append(documents.reference(kind, where.removeprefix("sha256:")))
            continue
        path = Path(where)
        confidential_path = secret.pop(kind, None)
        refs.extend(
            documents.stage(
                Upload(
                    kind,
                    read_upload(path),
                    media_type_of(path),
                    path.name,
                    read_upload(Path(confidential_path)) if confidential_path else None,
                    Path(confidential_path).name if confidential_path else None,
                )
            )
        )
    if secret:
        kinds = ", ".join(k.value for k in secret)
        raise InvalidInput(
            "P8_BAD_DOCUMENT",
            f"--confidential-doc {kinds} has no public version; give --doc {kinds}=FILE with "
            "the confidential parts made illegible.",
            kinds=[k.value for k in secret],
        )
    return tuple(refs)


def ex_ante_parameters(
    fact: list[str] | None, fixed: list[str] | None
) -> cc.ExAnteParameters | None:
    if not fact and not fixed:
        return None
    facts = []
    for text in fact or []:
        name, value = parse_fact(text)
        facts.append((name, str(value) if not isinstance(value, bool | int) else value))
    return cc.ExAnteParameters(tuple(facts), tuple(parse_quantity(x) for x in fixed or []))


def parse_participant(text: str) -> Participant:
    parts = text.split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "focal"):
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            f"--participant {text!r} must look like ORG:japan, ORG:partner or ORG:japan:focal.",
            value=text,
        )
    try:
        side = Side(parts[1].lower())
    except ValueError:
        raise InvalidInput(
            "P8_BAD_PARTICIPANTS",
            f"--participant {text!r}: the side must be japan or partner.",
            value=text,
        ) from None
    return Participant(parts[0], side, len(parts) == 3)


def parse_period(text: str, option: str) -> tuple[date, date]:
    start, sep, end = text.partition("..")
    if not sep:
        raise InvalidInput(
            "G1_BAD_DATE",
            f"{option} {text!r} must look like START..END, e.g. 2023-01-01..2030-12-31.",
            value=text,
        )
    return parse_date_option(start, option), parse_date_option(end, option)


def parse_scopes(text: str) -> tuple[int, ...]:
    """``1-3`` or ``1,3`` or ``2``."""
    try:
        numbers: set[int] = set()
        for part in text.split(",", MAX_SCOPE):
            low, _, high = part.strip().partition("-")
            first, last = _scope_number(low), _scope_number(high or low)
            numbers.update(range(first, last + 1))
    except ValueError:
        raise InvalidInput(
            "P8_BAD_SCOPE", f"--scope {text!r} must look like 1-3, 1,3 or 2.", scope=text
        ) from None
    return tuple(sorted(numbers))


MAX_SCOPE = 100  # sectoral scopes are 1-15; the domain says which are valid


def _scope_number(text: str) -> int:
    """A scope number small enough to expand into a range (``1-10**12`` would never end)."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or int(digits) > MAX_SCOPE:
        raise ValueError(text)
    return int(digits)


def parse_function(text: str) -> TpeFunction:
    try:
        return TpeFunction(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"--function {text!r} is not validation or verification.",
            function=text,
        ) from None


def parse_designation(text: str) -> frozenset[Designation]:
    """``KE:1-3:validation,verification`` → every (scope, function) pair for the KE JC."""
    partner, *rest = text.split(":")
    if len(rest) != 2:
        raise InvalidInput(
            "P8_BAD_ACTOR",
            f"--designation {text!r} must look like KE:1-3:validation,verification.",
            value=text,
        )
    scopes, functions = rest
    kinds = [parse_function(f) for f in functions.split(",")]
    return frozenset(
        Designation(partner.upper(), s, f) for s in parse_scopes(scopes) for f in kinds
    )


def say_step(r: ChangeResult, what: str) -> None:
    replay = " (replayed: nothing changed)" if r.replayed else ""
    out.print(f"[green]✓[/] {what}{replay}")
