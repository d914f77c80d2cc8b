"""What the AEF report use cases return (their JSON form is :func:`results.to_json`'s)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jcm.domain.aef.checks import CheckFailure
from jcm.service_layer.aef.ports import StoredReport
from jcm.service_layer.results import ChangeResult


@dataclass(frozen=True)
class Failure:
    """One failed check: the rule, the Party whose report is at fault, the table (1-5),
    the 1-based row (None: the table as a whole), the column and what is wrong."""

    rule: str
    party: str
    table: int
    row: int | None
    column: str
    message: str

    @classmethod
    def of(cls, failure: CheckFailure) -> Failure:
        return cls(
            failure.rule,
            failure.party,
            failure.table,
            failure.row,
            failure.column,
            failure.message,
        )

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Failure:
        return cls(
            str(value["rule"]),
            str(value["party"]),
            int(value["table"]),
            None if value["row"] is None else int(value["row"]),
            str(value["column"]),
            str(value["message"]),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "party": self.party,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class ReportSummary(ChangeResult):
    party: str
    year: int
    version: str
    status: str  # draft, submitted, superseded
    digest: str
    counts: dict[str, int]
    failures: tuple[Failure, ...]
    created_at: datetime
    submitted_at: datetime | None = None
    superseded_at: datetime | None = None
    log_index: int | None = None

    @classmethod
    def of(cls, stored: StoredReport) -> ReportSummary:
        return cls(
            stored.party,
            stored.year,
            stored.version,
            stored.status.value,
            stored.digest,
            stored.tables.counts(),
            tuple(Failure.from_dict(f) for f in stored.checks),
            stored.created_at,
            stored.submitted_at,
            stored.superseded_at,
            stored.log_index,
        )


@dataclass(frozen=True)
class CheckResult:
    party: str
    year: int
    passed: bool
    failures: tuple[Failure, ...]


@dataclass(frozen=True)
class ReportView:
    """A stored report with its tables in the JSON form (``jcm-aef/2``)."""

    summary: ReportSummary
    document: dict[str, Any]

    @classmethod
    def of(cls, stored: StoredReport) -> ReportView:
        return cls(ReportSummary.of(stored), stored.tables.json_value())


@dataclass(frozen=True)
class ExportedReport:
    """One export file: its suggested name, media type and bytes (not a JSON result)."""

    name: str
    media_type: str
    data: bytes
    party: str
    year: int
    version: str
    status: str
    digest: str


@dataclass(frozen=True)
class Difference:
    """What verification found different: the R5 code, the table (its title, or "" for
    the report as a whole), the row and column where one is known, and a message."""

    code: str
    table: str
    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class ReportVerification:
    party: str
    year: int
    version: str
    valid: bool
    stored_digest: str
    logged_digest: str | None  # what the submission's log entry states
    derived_digest: str | None  # the report re-derived from the log's entries alone
    log_index: int | None
    entries_read: int
    differences: tuple[Difference, ...] = field(default=())
