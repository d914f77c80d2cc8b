"""What the Article 6.2 reporting use cases need from the database and the file system."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from jcm.domain.aef.facts import LedgerFacts, Register
from jcm.domain.aef.formats import ReportTables
from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach
from jcm.domain.aef.submissions import SubmissionStatus
from jcm.domain.aef.tables import PartyReport
from jcm.service_layer.ports import UnitOfWork


class RegisterStore(Protocol):
    """Tables aef_approaches, aef_approach_parties, aef_authorisations, aef_entities."""

    def add_approach(self, approach: CooperativeApproach, now: datetime) -> None: ...
    def approach(self, approach_id: str) -> CooperativeApproach | None: ...
    def approaches(self) -> list[CooperativeApproach]: ...
    def approach_of_partner(self, partner: str) -> CooperativeApproach | None: ...
    def add_authorisation(self, authorisation: Authorisation, now: datetime) -> None: ...
    def authorisation_versions(
        self, authorisation_id: str, *, lock: bool = False
    ) -> list[Authorisation]:
        """Every version, oldest first (``lock``: locked until the unit of work ends)."""
        ...

    def authorisations(self, party: str | None = None) -> list[Authorisation]:
        """The latest version of each authorisation, by id."""
        ...

    def authorised_quantity(self, authorisation_id: str) -> int:
        """Units the ledger holds authorised under the authorisation (any account)."""
        ...

    def add_entity(self, entity: AuthorisedEntity, now: datetime) -> None: ...
    def entity(self, entity_id: str) -> AuthorisedEntity | None: ...
    def entities(self, party: str | None = None) -> list[AuthorisedEntity]: ...
    def register(self) -> Register: ...


class FactsReader(Protocol):
    """The ledger facts (accounts, decisions, transactions, register) as committed."""

    def facts(self, until: datetime | None = None) -> LedgerFacts:
        """Every fact committed before ``until`` (all when None)."""
        ...


@dataclass(frozen=True)
class StoredReport:
    """One row of ``aef_submissions``: a draft (the working copy of a Party and year, at
    most one), a submitted version or a superseded one. ``tables`` are the exported cells;
    ``checks`` the failures found when it was built (as ``CheckFailure.as_dict``)."""

    party: str
    year: int
    version: str
    status: SubmissionStatus
    tables: ReportTables
    checks: tuple[dict[str, Any], ...]
    digest: str
    created_at: datetime
    submitted_at: datetime | None = None
    superseded_at: datetime | None = None
    log_index: int | None = None


class SubmissionStore(Protocol):
    """Table aef_submissions."""

    def put_draft(self, report: StoredReport) -> None:
        """Store the draft of its Party and year, replacing the one there."""
        ...

    def submit(self, report: StoredReport) -> None:
        """Replace the draft of its Party and year by ``report`` (status submitted); the
        version submitted before becomes superseded at ``report.submitted_at``."""
        ...

    def get(self, party: str, year: int, version: str) -> StoredReport | None: ...
    def draft(self, party: str, year: int) -> StoredReport | None: ...
    def current(self, party: str, year: int) -> StoredReport | None:
        """The submitted (not superseded) version, if any."""
        ...

    def versions(self, party: str, year: int) -> list[StoredReport]:
        """Every submitted and superseded version, oldest first."""
        ...

    def list(
        self,
        party: str | None = None,
        year: int | None = None,
        status: SubmissionStatus | None = None,
    ) -> list[StoredReport]: ...


class AefUnitOfWork(UnitOfWork, Protocol):
    @property
    def aef_register(self) -> RegisterStore: ...
    @property
    def aef_facts(self) -> FactsReader: ...
    @property
    def aef_submissions(self) -> SubmissionStore: ...


class AefUnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> AefUnitOfWork: ...


class ReportFiles(Protocol):
    """Writing a report's export files (the XLSX writer is openpyxl's)."""

    def write_xlsx(self, report: ReportTables, path: Path) -> None: ...
    def xlsx_bytes(self, report: ReportTables) -> bytes: ...


ReportSet = Sequence[PartyReport]
