"""A report's life: draft → submitted (frozen, signed into the log) → superseded.

A Party has at most one current submission per reported year. The first is version 1.0;
a resubmission after a change is 1.1, 1.2, … (the AEF's X.Y); the one it replaces becomes
superseded and keeps its tables, digest and log entry. A draft may be rebuilt freely; a
submitted report is never rewritten.
"""

from __future__ import annotations

from enum import StrEnum

from jcm.domain.aef.nomenclature import VERSION
from jcm.domain.errors import InvalidInput


class SubmissionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"


FIRST_VERSION = "1.0"


def next_version(submitted: list[str]) -> str:
    """The version of a new submission after the ``submitted`` ones (X.Y, Y + 1)."""
    if not submitted:
        return FIRST_VERSION
    major, minor = max(_parse(v) for v in submitted)
    return f"{major}.{minor + 1}"


def _parse(version: str) -> tuple[int, int]:
    if not VERSION.match(version):
        raise InvalidInput(
            "R4_BAD_VERSION",
            f"Submission version {version!r} is not X.Y (e.g. 1.0).",
            version=version,
        )
    major, minor = version.split(".")
    return int(major), int(minor)
