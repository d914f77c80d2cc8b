"""The cooperative-approach register: what Tables 1, 2 and 5 of the AEF need and the
ledger does not hold.

* A **cooperative approach** is one bilateral JCM: its CARP identifier (``CANNNN``), the
  two participating Parties (Japan and the partner), each Party's NDC implementation period
  and Party ITMO registry id (``JPN01``, ``KEN01``).
* An **authorisation** is the first transferring Party's act (research ``jcm_rules.md``
  §5.4): purposes, sectors and activity types, quantity, timeframe, authorised entities,
  and for other international mitigation purposes (OIMP) when the first transfer happens.
  Its id is the reference an authorisation of units names; a change is a new version.
* An **authorised entity** is an entity the authorising Party authorises to use or cancel
  ITMOs (Table 5); it may be an organisation of the registry.

Validation lives with the types (codes ``R*``); the service layer stores and logs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger

JAPAN = "JP"


@dataclass(frozen=True, slots=True)
class ApproachParty:
    """One participating Party of a cooperative approach."""

    party: str  # ISO 3166-1 alpha-2: the code of its registry in this system (JP, KE)
    party_id: str  # ISO 3166-1 alpha-3, as the AEF names Parties (JPN, KEN)
    registry_id: str  # Party ITMO registry id (JPN01)
    ndc_first_year: int  # first year of its NDC implementation period
    ndc_last_year: int


@dataclass(frozen=True, slots=True)
class CooperativeApproach:
    id: str  # CANNNN, from CARP
    name: str
    parties: tuple[ApproachParty, ...]  # Japan first, then the partner

    @property
    def partner(self) -> str:
        """The partner country (alpha-2): the host of the approach's projects."""
        return next(p.party for p in self.parties if p.party != JAPAN)

    def party(self, code: str) -> ApproachParty | None:
        return next((p for p in self.parties if p.party == code), None)


@dataclass(frozen=True, slots=True)
class Authorisation:
    """One version of a first transferring Party's authorisation (Table 2)."""

    id: str  # alphanumeric, space and hyphen (the AEF's format)
    version: int  # 1, 2, …: a change is a new version, never a rewrite
    party: str  # alpha-2 of the authorising Party (the partner)
    approach_id: str
    authorised_on: date
    purposes: str  # one of nomenclature.PURPOSES
    sectors: tuple[str, ...]
    activity_types: tuple[str, ...]
    quantity: int | None = None  # authorised quantity (tCO2e), None: not limited
    metric: str = "GHG"
    gwp: str = ""  # applicable GWP values, e.g. "AR5"
    mitigation_type: str = "Emission reductions"
    authorised_parties: tuple[str, ...] = ()  # alpha-3 of the Parties authorised to use
    authorised_entities: tuple[str, ...] = ()  # AuthorisedEntity ids
    oimp_authorised: str = ""  # OIMP authorised by the Party (e.g. "CORSIA"), OIMP only
    timeframe: tuple[int, int] | None = None  # first and last vintage authorised
    terms: str = ""
    first_transfer_definition: str | None = None  # OIMP only: nomenclature's words
    explanation: str = ""

    @property
    def uses(self) -> frozenset[AuthorisedUse]:
        """The registry's authorised uses: NDC, and OIMP for any other purpose."""
        words = self.purposes.split(" and ")
        uses = {AuthorisedUse.NDC} if "NDC" in words else set()
        if any(w in ("OIMP", "IMP", "OP") for w in words):
            uses.add(AuthorisedUse.OIMP)
        return frozenset(uses)

    @property
    def trigger(self) -> FirstTransferTrigger:
        """When the first transfer happens (research §5.3): the first international
        transfer for NDC use, otherwise the definition the Party chose."""
        if AuthorisedUse.NDC in self.uses or self.first_transfer_definition is None:
            return FirstTransferTrigger.INTERNATIONAL_TRANSFER
        return {
            "Authorisation": FirstTransferTrigger.AUTHORISATION,
            "Issuance": FirstTransferTrigger.ISSUANCE,
            "Use or Cancellation": FirstTransferTrigger.USE,
        }[self.first_transfer_definition]

    @property
    def timeframe_text(self) -> str:
        return "" if self.timeframe is None else f"{self.timeframe[0]} - {self.timeframe[1]}"


@dataclass(frozen=True, slots=True)
class AuthorisedEntity:
    """An entity authorised to use or cancel ITMOs (Table 5)."""

    id: str  # its identification number: what Tables 2 and 3 name it by
    approach_id: str
    party: str  # alpha-2 of the authorising Party
    authorised_on: date
    name: str
    country: str  # alpha-3 of its country of incorporation
    organisation_id: str | None = None  # the registry's organisation, when it holds accounts
    conditions: str = ""
    change_conditions: str = ""
    explanation: str = ""
