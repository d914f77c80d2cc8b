"""The rules every register record passes before it is stored (``R1`` approaches,
``R2`` authorisations, ``R3`` authorised entities); the commands are ``register_commands``.

Decisions the nomenclature leaves open, taken here:

* A cooperative approach has exactly two Parties, Japan and one partner; each Party's id is
  the alpha-3 code of its registry's country and its ITMO registry id defaults to that
  code and ``01``. NDC periods lie within 2000–2100.
* The **first-transfer definition** (and "OIMP authorised by the Party") is required exactly
  when the purposes name OIMP, IMP or OP, also in "NDC and OIMP" (Table 2 reports it for the
  OIMP part) and refused for NDC alone. The registry's own first-transfer trigger of units
  authorised for NDC (also NDC and OIMP) stays the first international transfer
  (``Authorisation.trigger``): the definition then only describes the OIMP part.
* An authorisation's date and an entity's date are not after the day it is registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from jcm.domain import limits
from jcm.domain.aef import nomenclature as nom
from jcm.domain.aef.register import (
    JAPAN,
    ApproachParty,
    Authorisation,
    AuthorisedEntity,
    CooperativeApproach,
)
from jcm.domain.aef.register_commands import RegisterApproach
from jcm.domain.errors import InvalidInput, NotFound, RuleViolation

FIRST_YEAR, LAST_YEAR = 2000, 2100
OTHER_PURPOSES = frozenset({"OIMP", "IMP", "OP"})
ENTITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,63}$")
TERMS = limits.TextLimit(2000, describe="terms and conditions")
GWP = limits.TextLimit(100, describe="GWP values")


# -- approaches ---------------------------------------------------------------------------------


def build_approach(cmd: RegisterApproach) -> CooperativeApproach:
    """The approach ``cmd`` describes, checked (:func:`check_approach`)."""
    partner = limits.check_country(cmd.partner, "partner")
    name = cmd.name.strip() or (
        f"Joint Crediting Mechanism between Japan and {limits.country_name(partner)}"
    )
    parties = (
        _party(JAPAN, cmd.japan_ndc, cmd.japan_registry_id),
        _party(partner, cmd.partner_ndc, cmd.partner_registry_id),
    )
    return check_approach(CooperativeApproach(cmd.id.strip(), name, parties))


def _party(code: str, ndc: tuple[int, int], registry_id: str | None) -> ApproachParty:
    three = limits.alpha_3(code)
    given = (registry_id or "").strip().upper()
    return ApproachParty(code, three, given or nom.registry_id(three), ndc[0], ndc[1])


def check_approach(approach: CooperativeApproach) -> CooperativeApproach:
    if not nom.APPROACH_ID.fullmatch(approach.id):
        raise InvalidInput(
            "R1_BAD_APPROACH_ID",
            f"Cooperative approach id {approach.id[:20]!r} is not CA and four digits "
            "(e.g. CA0001), the form CARP gives.",
            approach=approach.id[:20],
        )
    limits.check_text(approach.name, "name", limits.NAME)
    if not approach.name.strip():
        raise InvalidInput("R1_BAD_NAME", "A cooperative approach needs a name.")
    codes = [p.party for p in approach.parties]
    if len(codes) != 2 or codes.count(JAPAN) != 1:
        raise InvalidInput(
            "R1_BAD_PARTIES",
            "A cooperative approach of the JCM has exactly two Parties: Japan (JP) and one "
            f"partner; got {', '.join(codes) or 'none'}.",
            parties=codes,
        )
    for party in approach.parties:
        _check_party(party)
    return approach


def _check_party(party: ApproachParty) -> None:
    three = limits.alpha_3(party.party)
    if party.party_id != three:
        raise InvalidInput(
            "R1_BAD_PARTY_ID",
            f"The Party id of {party.party} is {three}, not {party.party_id!r}.",
            party=party.party,
            party_id=party.party_id,
        )
    if not nom.REGISTRY_ID.fullmatch(party.registry_id) or party.registry_id[:3] != three:
        raise InvalidInput(
            "R1_BAD_REGISTRY_ID",
            f"The ITMO registry id of {party.party} must be {three} and two digits "
            f"(e.g. {nom.registry_id(three)}); got {party.registry_id[:20]!r}.",
            party=party.party,
            registry_id=party.registry_id[:20],
        )
    if not FIRST_YEAR <= party.ndc_first_year <= party.ndc_last_year <= LAST_YEAR:
        raise InvalidInput(
            "R1_BAD_NDC_PERIOD",
            f"The NDC implementation period of {party.party} "
            f"({party.ndc_first_year}-{party.ndc_last_year}) must run from a first to a "
            f"last year within {FIRST_YEAR}-{LAST_YEAR}.",
            party=party.party,
            first=party.ndc_first_year,
            last=party.ndc_last_year,
        )


def approach_exists(approach_id: str) -> RuleViolation:
    return RuleViolation(
        "R1_APPROACH_EXISTS",
        f"Cooperative approach {approach_id} is already registered; it is never overwritten.",
        approach=approach_id,
    )


def partner_has_approach(partner: str, approach_id: str) -> RuleViolation:
    return RuleViolation(
        "R1_PARTNER_HAS_APPROACH",
        f"{partner} already has cooperative approach {approach_id} with Japan; the JCM of "
        "a partner is one approach.",
        partner=partner,
        approach=approach_id,
    )


def unknown_approach(approach_id: str) -> NotFound:
    return NotFound(
        "R1_UNKNOWN_APPROACH",
        f"There is no cooperative approach {approach_id[:20]!r} in the register.",
        approach=approach_id[:20],
    )


# -- authorisations -----------------------------------------------------------------------------


def check_authorisation_id(authorisation_id: str) -> str:
    if not nom.AUTHORISATION_ID.fullmatch(authorisation_id):
        raise InvalidInput(
            "R2_BAD_AUTHORISATION_ID",
            f"Authorisation id {authorisation_id[:70]!r} must be 1 to 64 letters, digits, "
            "spaces and hyphens.",
            authorisation=authorisation_id[:70],
        )
    return authorisation_id


def check_authorisation(
    authorisation: Authorisation, approach: CooperativeApproach, today: date
) -> Authorisation:
    """Every rule on one version that needs nothing but the version, its approach and the
    day (entities and projects are checked by the use case)."""
    check_authorisation_id(authorisation.id)
    _check_partner("R2_NOT_PARTNER", authorisation.party, approach, "authorises")
    _check_date(authorisation.authorised_on, today, "authorisation")
    _check_purposes(authorisation)
    _check_listed("R2_BAD_SECTOR", "sector", authorisation.sectors, nom.SECTORS)
    _check_listed(
        "R2_BAD_ACTIVITY_TYPE", "activity type", authorisation.activity_types, nom.ACTIVITY_TYPES
    )
    if not authorisation.sectors or not authorisation.activity_types:
        raise InvalidInput(
            "R2_NO_SECTORS",
            f"Authorisation {authorisation.id} needs at least one sector and one activity "
            "type (or projects whose methodologies give them).",
            authorisation=authorisation.id,
        )
    _check_listed("R2_BAD_METRIC", "metric", (authorisation.metric,), nom.METRICS)
    _check_listed(
        "R2_BAD_MITIGATION_TYPE",
        "mitigation type",
        (authorisation.mitigation_type,),
        nom.MITIGATION_TYPES,
    )
    _check_quantity(authorisation.quantity)
    _check_timeframe(authorisation.timeframe)
    for party in authorisation.authorised_parties:
        if not nom.PARTY_ID.fullmatch(party):
            raise InvalidInput(
                "R2_BAD_AUTHORISED_PARTY",
                f"Authorised Party {party[:20]!r} is not an ISO 3166-1 alpha-3 code (e.g. JPN).",
                party=party[:20],
            )
    _check_texts(authorisation)
    return authorisation


def _check_partner(code: str, party: str, approach: CooperativeApproach, acts: str) -> None:
    if party != approach.partner:
        raise RuleViolation(
            code,
            f"{party} is not the partner of cooperative approach {approach.id} "
            f"({approach.partner}); only the first transferring Party {acts} under it.",
            party=party,
            approach=approach.id,
            partner=approach.partner,
        )


def _check_date(day: date, today: date, what: str) -> None:
    if day > today or day.year < FIRST_YEAR:
        raise InvalidInput(
            "R2_BAD_DATE",
            f"The {what}'s date {day.isoformat()} must lie between {FIRST_YEAR}-01-01 and "
            f"today ({today.isoformat()}).",
            date=day.isoformat(),
        )


def _purpose_words(purposes: str) -> set[str]:
    return set(purposes.split(" and "))


def _check_purposes(authorisation: Authorisation) -> None:
    if authorisation.purposes not in nom.PURPOSES:
        raise InvalidInput(
            "R2_BAD_PURPOSES",
            f"Purposes {authorisation.purposes[:40]!r} are not one of: "
            + ", ".join(nom.PURPOSES)
            + ".",
            purposes=authorisation.purposes[:40],
        )
    other = bool(_purpose_words(authorisation.purposes) & OTHER_PURPOSES)
    definition = authorisation.first_transfer_definition
    if (definition is not None) != other or (
        definition is not None and definition not in nom.FIRST_TRANSFER_DEFINITIONS_OIMP
    ):
        raise InvalidInput(
            "R2_BAD_FIRST_TRANSFER_DEFINITION",
            "A first-transfer definition ("
            + ", ".join(nom.FIRST_TRANSFER_DEFINITIONS_OIMP)
            + ") is given exactly when the purposes name OIMP, IMP or OP; purposes "
            f"{authorisation.purposes!r}, definition {definition!r}.",
            purposes=authorisation.purposes,
        )
    if bool(authorisation.oimp_authorised.strip()) != other:
        raise InvalidInput(
            "R2_BAD_OIMP",
            "The OIMP authorised by the Party (e.g. CORSIA) is given exactly when the "
            f"purposes name OIMP, IMP or OP; purposes {authorisation.purposes!r}.",
            purposes=authorisation.purposes,
        )


def _check_listed(code: str, what: str, values: Iterable[str], allowed: Iterable[str]) -> None:
    known = tuple(allowed)
    for value in values:
        if value not in known:
            raise InvalidInput(
                code,
                f"{what.capitalize()} {value[:60]!r} is not one of the nomenclature's: "
                + ", ".join(known)
                + ".",
                value=value[:60],
            )


def _check_quantity(quantity: int | None) -> None:
    if quantity is not None and not 1 <= quantity <= limits.MAX_QUANTITY:
        raise InvalidInput(
            "R2_BAD_QUANTITY",
            f"An authorised quantity is a whole number from 1 to {limits.MAX_QUANTITY:,} "
            f"(or none: not limited); got {quantity}.",
            quantity=quantity,
        )


def _check_timeframe(timeframe: tuple[int, int] | None) -> None:
    if timeframe is not None and not FIRST_YEAR <= timeframe[0] <= timeframe[1] <= LAST_YEAR:
        raise InvalidInput(
            "R2_BAD_TIMEFRAME",
            f"An authorised timeframe runs from a first to a last vintage within "
            f"{FIRST_YEAR}-{LAST_YEAR}; got {timeframe[0]}-{timeframe[1]}.",
            first=timeframe[0],
            last=timeframe[1],
        )


def _check_texts(authorisation: Authorisation) -> None:
    limits.check_text(authorisation.gwp, "gwp", GWP)
    limits.check_text(authorisation.oimp_authorised, "oimp_authorised", limits.NAME)
    limits.check_text(authorisation.terms, "terms", TERMS)
    limits.check_text(authorisation.explanation, "explanation", limits.NOTE)
    limits.check_count(len(authorisation.authorised_entities), "authorised_entities")


def authorisation_exists(authorisation_id: str) -> RuleViolation:
    return RuleViolation(
        "R2_AUTHORISATION_EXISTS",
        f"Authorisation {authorisation_id} is already registered; amend it (a new version).",
        authorisation=authorisation_id,
    )


def unknown_authorisation(authorisation_id: str) -> NotFound:
    return NotFound(
        "R2_UNKNOWN_AUTHORISATION",
        f"There is no authorisation {authorisation_id[:70]!r} in the register.",
        authorisation=authorisation_id[:70],
    )


def next_version(new: Authorisation, latest: Authorisation) -> Authorisation:
    """``new`` as the version after ``latest``: same Party and approach, not dated before."""
    if new.party != latest.party or new.approach_id != latest.approach_id:
        raise RuleViolation(
            "R2_FIXED_FIELD",
            f"A new version of authorisation {latest.id} keeps its Party ({latest.party}) and "
            f"cooperative approach ({latest.approach_id}).",
            authorisation=latest.id,
        )
    if new.authorised_on < latest.authorised_on:
        raise RuleViolation(
            "R2_FIXED_FIELD",
            f"Version {latest.version + 1} of authorisation {latest.id} cannot be dated "
            f"before version {latest.version} ({latest.authorised_on.isoformat()}).",
            authorisation=latest.id,
        )
    return replace(new, version=latest.version + 1)


def foreign_project(project_id: str, party: str) -> RuleViolation:
    return RuleViolation(
        "R2_FOREIGN_PROJECT",
        f"Project {project_id} is not hosted by {party}, the authorising Party.",
        project=project_id,
        party=party,
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def sectors_of_families(families: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sectors and activity types of methodology families (``FAMILY_SECTOR``), in order;
    a family the table does not know gives none."""
    pairs = [nom.FAMILY_SECTOR[f] for f in families if f in nom.FAMILY_SECTOR]
    return _unique(p[0] for p in pairs), _unique(p[1] for p in pairs)


# -- authorised entities ------------------------------------------------------------------------


def check_entity(
    entity: AuthorisedEntity, approach: CooperativeApproach, today: date
) -> AuthorisedEntity:
    if not ENTITY_ID.fullmatch(entity.id):
        raise InvalidInput(
            "R3_BAD_ENTITY_ID",
            f"An entity's identification number {entity.id[:70]!r} is 1 to 64 letters, "
            "digits, spaces and . _ : / - (starting with a letter or digit).",
            entity=entity.id[:70],
        )
    limits.check_text(entity.name, "name", limits.NAME)
    if not entity.name.strip():
        raise InvalidInput("R3_BAD_NAME", f"Authorised entity {entity.id} needs a name.")
    if not nom.PARTY_ID.fullmatch(entity.country):
        raise InvalidInput(
            "R3_BAD_COUNTRY",
            f"The country of incorporation {entity.country[:20]!r} of entity {entity.id} is "
            "not an ISO 3166-1 alpha-3 code (e.g. JPN).",
            country=entity.country[:20],
        )
    _check_partner("R3_NOT_PARTNER", entity.party, approach, "authorises entities")
    _check_date(entity.authorised_on, today, "entity's authorisation")
    for name, text in (
        ("conditions", entity.conditions),
        ("change_conditions", entity.change_conditions),
    ):
        limits.check_text(text, name, TERMS)
    limits.check_text(entity.explanation, "explanation", limits.NOTE)
    return entity


def entity_exists(entity_id: str) -> RuleViolation:
    return RuleViolation(
        "R3_ENTITY_EXISTS",
        f"Authorised entity {entity_id} is already registered; it is never overwritten.",
        entity=entity_id,
    )


def unknown_entity(entity_id: str, code: str = "R3_UNKNOWN_ENTITY") -> NotFound:
    return NotFound(
        code,
        f"There is no authorised entity {entity_id[:70]!r} in the register"
        + (" for this cooperative approach." if code == "R2_UNKNOWN_ENTITY" else "."),
        entity=entity_id[:70],
    )


def unknown_organisation(organisation_id: str) -> NotFound:
    return NotFound(
        "R3_UNKNOWN_ORGANISATION",
        f"There is no organisation {organisation_id[:64]!r} in the register.",
        organisation=organisation_id[:64],
    )
