"""What the Article 6.2 reporting use cases need from the database and the file system."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from jcm.domain.aef.facts import LedgerFacts, Register
from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach
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


class AefUnitOfWork(UnitOfWork, Protocol):
    @property
    def aef_register(self) -> RegisterStore: ...
    @property
    def aef_facts(self) -> FactsReader: ...


class AefUnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> AefUnitOfWork: ...


class ReportFiles(Protocol):
    """Writing a report's export files (the XLSX writer is openpyxl's)."""

    def write_xlsx(self, report: PartyReport, path: Path) -> None: ...
    def xlsx_bytes(self, report: PartyReport) -> bytes: ...


ReportSet = Sequence[PartyReport]
