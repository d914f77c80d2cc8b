"""The five tables of the AEF (version 2; research ``reporting_programme.md`` §A.3) and a
Party's report for one reported year.

Rows are typed; :meth:`cells` gives the exported text of each column in the AEF's order.
Columns CARP fills are always empty. Conditional columns that do not apply hold the
literal ``NA``; optional columns without a value are empty. Dates are ISO 8601 (the action
date a UTC date-time); block and unit ids are integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from jcm.domain.aef.nomenclature import NA

SUBMISSION_COLUMNS = (
    "Party",
    "Version",
    "Reported year",
    "Date of submission",
    "First year of NDC implementation period",
    "Last year of NDC implementation period",
    "Review status of initial report",  # CARP
    "Result of consistency check of this submission",  # CARP
    "Reference to the technical expert review report",  # CARP
)
AUTHORIZATION_COLUMNS = (
    "Authorization ID",
    "Date of authorization",
    "Cooperative approach ID",
    "Version of the authorization",
    "Authorized quantity",
    "Metric",
    "Applicable GWP value(s)",
    "Applicable non-GHG metric",
    "Sector(s)",
    "Activity type(s)",
    "Purposes for authorization",
    "Authorized Party(ies) ID",
    "Authorized entity(ies) ID",
    "OIMP authorized by the Party",
    "Authorized timeframe",
    "Authorization terms and conditions",
    "Authorization documentation",  # CARP
    "First transfer definition for OIMP",
    "Additional explanatory information",
)
ACTION_COLUMNS = (
    "Action date",
    "Action type",
    "Action subtype",
    "Cooperative approach ID",
    "Authorization ID",
    "First transferring participating Party ID",
    "Party ITMO registry ID",
    "ITMO block First ID",
    "ITMO block Last ID",
    "Underlying unit registry ID",
    "First unit ID",
    "Last unit ID",
    "Metric",
    "GWP value(s)",
    "Non-GHG metric",
    "Quantity (t CO2 eq)",
    "Quantity (non-GHG)",
    "Mitigation type",
    "Vintage",
    "Transferring participating Party ID",
    "Acquiring participating Party ID",
    "Purpose used/cancelled for OIMP",
    "Using/cancelling Party ID",
    "Using/cancelling authorized entity ID",
    "Calendar year for which ITMOs are used towards the NDC",
    "Result of the consistency checks",  # CARP
    "Additional explanatory information",
)
HOLDING_COLUMNS = (
    "Cooperative approach ID",
    "Authorization ID",
    "First transferring participating Party ID",
    "Party ITMO registry ID",
    "ITMO block First ID",
    "ITMO block Last ID",
    "Underlying unit registry ID",
    "First unit ID",
    "Last unit ID",
    "Metric",
    "GWP value(s)",
    "Non-GHG metric",
    "Quantity (t CO2 eq)",
    "Quantity (non-GHG)",
    "Mitigation type",
    "Vintage",
)
ENTITY_COLUMNS = (
    "Date of the authorization",
    "Name",
    "Country of incorporation",
    "Identification number",
    "Cooperative approach ID",
    "Conditions",
    "Change and revocation conditions",
    "Additional explanatory information",
)
TABLE_TITLES = (
    "Table 1 Submission",
    "Table 2 Authorizations",
    "Table 3 Actions",
    "Table 4 Holdings",
    "Table 5 Authorized entities",
)
TABLE_COLUMNS = (
    SUBMISSION_COLUMNS,
    AUTHORIZATION_COLUMNS,
    ACTION_COLUMNS,
    HOLDING_COLUMNS,
    ENTITY_COLUMNS,
)


def _int(value: int | None) -> str:
    return NA if value is None else str(value)


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def action_time(value: datetime) -> str:
    """An action's date-time as the 2026 metadata writes it: ISO 8601 in UTC."""
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    if utc.year >= 1000:  # isoformat pads the year as strftime does from 1000 on
        return f"{utc.isoformat(timespec='seconds')[:19]}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    party_id: str  # alpha-3
    version: str  # X.Y
    reported_year: int
    submitted_on: date | None  # None while a draft
    ndc_first_year: int
    ndc_last_year: int

    def cells(self) -> tuple[str, ...]:
        return (
            self.party_id,
            self.version,
            str(self.reported_year),
            _day(self.submitted_on),
            str(self.ndc_first_year),
            str(self.ndc_last_year),
            "",
            "",
            "",
        )


@dataclass(frozen=True, slots=True)
class AuthorizationRow:
    authorization_id: str
    authorised_on: date
    approach_id: str
    version: int
    quantity: int | None
    metric: str
    gwp: str
    non_ghg_metric: str  # NA for GHG
    sectors: tuple[str, ...]
    activity_types: tuple[str, ...]
    purposes: str
    authorised_parties: tuple[str, ...]
    authorised_entities: tuple[str, ...]
    oimp_authorised: str  # NA unless the purposes include OIMP
    timeframe: str  # "dddd - dddd" or empty
    terms: str
    first_transfer_definition: str  # NA unless the purposes include OIMP
    explanation: str = ""

    def cells(self) -> tuple[str, ...]:
        return (
            self.authorization_id,
            self.authorised_on.isoformat(),
            self.approach_id,
            str(self.version),
            "" if self.quantity is None else str(self.quantity),
            self.metric,
            self.gwp,
            self.non_ghg_metric,
            "; ".join(self.sectors),
            "; ".join(self.activity_types),
            self.purposes,
            "; ".join(self.authorised_parties),
            "; ".join(self.authorised_entities),
            self.oimp_authorised,
            self.timeframe,
            self.terms,
            "",
            self.first_transfer_definition,
            self.explanation,
        )


@dataclass(frozen=True, slots=True)
class BlockAttributes:
    """What a homogeneous ITMO block carries, in an action row and a holdings row alike."""

    approach_id: str
    authorization_id: str
    first_transferring_party: str  # alpha-3
    registry_id: str  # Party ITMO registry id of the registry recording it
    first_id: int
    last_id: int
    underlying_registry: str  # "JCM"
    first_unit: int | None  # the JCM serials; None: no underlying unit (NA)
    last_unit: int | None
    metric: str
    gwp: str
    non_ghg_metric: str
    quantity: int
    quantity_non_ghg: str  # NA for GHG
    mitigation_type: str
    vintage: int

    def block_cells(self) -> tuple[str, ...]:
        return (
            self.registry_id,
            str(self.first_id),
            str(self.last_id),
            self.underlying_registry,
            _int(self.first_unit),
            _int(self.last_unit),
            self.metric,
            self.gwp,
            self.non_ghg_metric,
        )


@dataclass(frozen=True, slots=True)
class ActionRow:
    at: datetime
    action_type: str
    subtype: str  # empty when none applies
    block: BlockAttributes
    transferring_party: str = NA  # Acquisition only
    acquiring_party: str = NA  # First transfer and Transfer only
    purpose_oimp: str = NA  # Use, First transfer, Cancellation, Voluntary Cancellation
    using_party: str = NA
    using_entity: str = NA
    ndc_year: int | None = None  # Use towards an NDC only (NA otherwise)
    explanation: str = ""
    transaction_id: int = 0  # the ledger transaction it comes from (not exported)

    def cells(self) -> tuple[str, ...]:
        b = self.block
        return (
            action_time(self.at),
            self.action_type,
            self.subtype,
            b.approach_id,
            b.authorization_id,
            b.first_transferring_party,
            *b.block_cells(),
            str(b.quantity),
            b.quantity_non_ghg,
            b.mitigation_type,
            str(b.vintage),
            self.transferring_party,
            self.acquiring_party,
            self.purpose_oimp,
            self.using_party,
            self.using_entity,
            _int(self.ndc_year),
            "",
            self.explanation,
        )


@dataclass(frozen=True, slots=True)
class HoldingRow:
    block: BlockAttributes

    def cells(self) -> tuple[str, ...]:
        b = self.block
        return (
            b.approach_id,
            b.authorization_id,
            b.first_transferring_party,
            *b.block_cells(),
            str(b.quantity),
            b.quantity_non_ghg,
            b.mitigation_type,
            str(b.vintage),
        )


@dataclass(frozen=True, slots=True)
class EntityRow:
    authorised_on: date
    name: str
    country: str  # alpha-3
    identification_number: str
    approach_id: str
    conditions: str = ""
    change_conditions: str = ""
    explanation: str = ""

    def cells(self) -> tuple[str, ...]:
        return (
            self.authorised_on.isoformat(),
            self.name,
            self.country,
            self.identification_number,
            self.approach_id,
            self.conditions,
            self.change_conditions,
            self.explanation,
        )


@dataclass(frozen=True, slots=True)
class AdjustmentFact:
    """A corresponding adjustment the ledger recorded for a block (evidence for the
    checks; not an AEF table): the ITMO ids it covers and the year it was applied for."""

    approach_id: str
    first_id: int
    last_id: int
    reporting_year: int
    transaction_id: int


@dataclass(frozen=True)
class PartyReport:
    """A Party's AEF for one reported year, as derived from the ledger.

    ``opening`` (holdings at 31 December of the year before) and ``adjustments`` are the
    evidence the reconciliation and adjustment checks need; they are not exported.
    """

    party: str  # alpha-2 (the registry code)
    year: int
    submission: SubmissionRow
    authorizations: tuple[AuthorizationRow, ...]
    actions: tuple[ActionRow, ...]
    holdings: tuple[HoldingRow, ...]
    entities: tuple[EntityRow, ...]
    opening: tuple[HoldingRow, ...] = field(default=())
    adjustments: tuple[AdjustmentFact, ...] = field(default=())

    def tables(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """The exported cells of the five tables, in order: made once per report (the
        checks and the export both read them; the report is frozen, so they never go
        stale)."""
        made = self.__dict__.get("_tables")
        if made is None:
            made = (
                (self.submission.cells(),),
                tuple(r.cells() for r in self.authorizations),
                tuple(r.cells() for r in self.actions),
                tuple(r.cells() for r in self.holdings),
                tuple(r.cells() for r in self.entities),
            )
            object.__setattr__(self, "_tables", made)
        return made
