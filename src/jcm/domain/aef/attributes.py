"""What a block's AEF attributes come from: its decision (host, vintage, ITMO id offset),
the cooperative approach of its host (Party ids, registry ids) and its authorisation's
version in force at the end of the reported year (metric, GWP, mitigation type).

Look-ups are cached per decision, per Party and per authorisation, so building a row costs
a few dictionary reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from jcm.domain.aef.facts import AccountFact, LedgerFacts, Register
from jcm.domain.aef.nomenclature import NA, UNDERLYING_REGISTRY
from jcm.domain.aef.register import Authorisation
from jcm.domain.aef.tables import BlockAttributes
from jcm.domain.registry.serials import serial_text


@dataclass(frozen=True, slots=True)
class DecisionInfo:
    host: str  # alpha-2 of the partner whose project it is
    host_id: str  # its alpha-3
    approach_id: str
    offset: int  # ITMO id of serial s is offset + s
    project_id: str
    vintage: int
    period_seq: int


@dataclass(frozen=True, slots=True)
class AuthorisationInfo:
    metric: str
    gwp: str
    mitigation_type: str
    non_ghg: str  # NA for GHG


_DEFAULT_AUTHORISATION = AuthorisationInfo("GHG", "", "Emission reductions", NA)


def year_end(year: int) -> datetime:
    return datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC)


class ReportContext:
    """The register and decisions, as a reported year's rows see them."""

    def __init__(self, facts: LedgerFacts, year: int) -> None:
        self.register: Register = facts.register
        self.accounts = facts.accounts
        self.year = year
        self.as_of = year_end(year)
        self._alpha3: dict[str, str] = {}
        self._registry_ids: dict[tuple[str, str], str] = {}
        self._authorisations: dict[str, AuthorisationInfo] = {}
        self.decisions = self._decision_infos(facts)
        self._entities = self._entities_by_organisation()

    def _decision_infos(self, facts: LedgerFacts) -> dict[int, DecisionInfo]:
        offsets: dict[str, int] = {}
        infos: dict[int, DecisionInfo] = {}
        for decision_id in sorted(facts.decisions):
            d = facts.decisions[decision_id]
            host = d.partner
            approach = self.register.approach_of_partner(host)
            offset = offsets.get(host, 0)
            offsets[host] = offset + d.amount
            infos[decision_id] = DecisionInfo(
                host,
                self.alpha3(host),
                approach.id if approach is not None else "",
                offset,
                d.project_id,
                d.vintage,
                d.period_seq,
            )
        return infos

    def _entities_by_organisation(self) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for entity in sorted(self.register.entities.values(), key=lambda e: e.id):
            if entity.organisation_id is not None:
                found.setdefault((entity.approach_id, entity.organisation_id), entity.id)
        return found

    def alpha3(self, party: str) -> str:
        """A Party's alpha-3 (``JPN``) as any approach listing it gives it."""
        known = self._alpha3.get(party)
        if known is None:
            known = next(
                (
                    p.party_id
                    for a in self.register.approaches.values()
                    for p in a.parties
                    if p.party == party
                ),
                party,
            )
            self._alpha3[party] = known
        return known

    def registry_id(self, host: str, registry: str) -> str:
        """The Party ITMO registry id of ``registry`` in the approach of ``host``."""
        key = (host, registry)
        known = self._registry_ids.get(key)
        if known is None:
            approach = self.register.approach_of_partner(host)
            entry = approach.party(registry) if approach is not None else None
            if entry is None:
                entry = next(
                    (
                        p
                        for a in self.register.approaches.values()
                        for p in a.parties
                        if p.party == registry
                    ),
                    None,
                )
            known = entry.registry_id if entry is not None else f"{self.alpha3(registry)}01"
            self._registry_ids[key] = known
        return known

    def authorisation(self, reference: str) -> Authorisation | None:
        """The version of authorisation ``reference`` in force at the end of the year."""
        if reference not in self.register.authorisations:
            return None
        return self.register.authorisation(reference, on=self.as_of)

    def authorisation_info(self, reference: str) -> AuthorisationInfo:
        known = self._authorisations.get(reference)
        if known is None:
            found = self.authorisation(reference)
            known = (
                _DEFAULT_AUTHORISATION
                if found is None
                else AuthorisationInfo(
                    found.metric,
                    found.gwp,
                    found.mitigation_type,
                    NA if found.metric == "GHG" else "",
                )
            )
            self._authorisations[reference] = known
        return known

    def using_entity(self, approach_id: str, account: AccountFact | None) -> str:
        """The authorised entity of the approach that is the account's organisation."""
        if account is None:
            return NA
        return self._entities.get((approach_id, account.organisation_id), NA)

    def block(
        self, decision_id: int, start: int, end: int, reference: str, registry: str
    ) -> BlockAttributes:
        """A block's attributes as recorded by ``registry``'s Party."""
        d = self.decisions[decision_id]
        # The caches read in place (a call each only on a miss): this runs once per row.
        auth = self._authorisations.get(reference) or self.authorisation_info(reference)
        registry_id = self._registry_ids.get((d.host, registry)) or self.registry_id(
            d.host, registry
        )
        return BlockAttributes(  # positional: the fields' order (faster than keywords)
            d.approach_id,
            reference,
            d.host_id,
            registry_id,
            d.offset + start,
            d.offset + end,
            UNDERLYING_REGISTRY,
            start,
            end,
            auth.metric,
            auth.gwp,
            auth.non_ghg,
            end - start + 1,
            auth.non_ghg,
            auth.mitigation_type,
            d.vintage,
        )

    def serial_text(self, decision_id: int, origin: str, start: int, end: int) -> str:
        d = self.decisions[decision_id]
        return serial_text(origin, d.host, d.project_id, d.vintage, d.period_seq, start, end)
