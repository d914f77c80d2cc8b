"""The register's commands (what a door asks to register) and how they become records:
defaults filled in, text trimmed, nothing checked yet (``register_rules`` checks)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from jcm.domain.aef.register import Authorisation, AuthorisedEntity
from jcm.domain.errors import InvalidInput

# -- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterApproach:
    """A cooperative approach of Japan and ``partner`` (alpha-2) with CARP's id."""

    id: str
    partner: str
    japan_ndc: tuple[int, int]
    partner_ndc: tuple[int, int]
    name: str = ""  # default: "Joint Crediting Mechanism between Japan and <partner>"
    japan_registry_id: str | None = None  # default JPN01
    partner_registry_id: str | None = None  # default <alpha-3>01


@dataclass(frozen=True)
class RegisterAuthorisation:
    """An authorisation's terms: version 1 when registered, the next version when amended
    (a whole new version: what is not given takes its default, not the last version's)."""

    id: str
    approach_id: str
    purposes: str
    sectors: tuple[str, ...] = ()  # default: from the projects' methodologies
    activity_types: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()  # cycle project ids the sectors may come from
    authorised_on: date | None = None  # default: today (the unit of work's clock)
    party: str | None = None  # default: the approach's partner
    quantity: int | None = None
    metric: str = "GHG"
    gwp: str = ""
    mitigation_type: str = "Emission reductions"
    authorised_parties: tuple[str, ...] = ()
    authorised_entities: tuple[str, ...] = ()
    oimp_authorised: str = ""
    timeframe: tuple[int, int] | None = None
    terms: str = ""
    first_transfer_definition: str | None = None
    explanation: str = ""


@dataclass(frozen=True)
class RegisterEntity:
    id: str
    approach_id: str
    name: str
    country: str = ""  # alpha-3; default: that of the organisation's registry
    organisation_id: str | None = None
    party: str | None = None  # default: the approach's partner
    authorised_on: date | None = None  # default: today
    conditions: str = ""
    change_conditions: str = ""
    explanation: str = ""


def authorisation_of_command(
    cmd: RegisterAuthorisation, party: str, today: date, sectors: tuple[str, ...] = (),
    activity_types: tuple[str, ...] = (),
) -> Authorisation:  # fmt: skip
    """Version 1 of what ``cmd`` describes (``sectors``/``activity_types``: the projects'
    defaults, used where the command gives none)."""
    return Authorisation(
        id=cmd.id.strip(),
        version=1,
        party=party,
        approach_id=cmd.approach_id.strip(),
        authorised_on=cmd.authorised_on or today,
        purposes=cmd.purposes.strip(),
        sectors=_unique(cmd.sectors or sectors),
        activity_types=_unique(cmd.activity_types or activity_types),
        quantity=cmd.quantity,
        metric=cmd.metric.strip(),
        gwp=cmd.gwp.strip(),
        mitigation_type=cmd.mitigation_type.strip(),
        authorised_parties=_unique(p.upper() for p in cmd.authorised_parties),
        authorised_entities=_unique(cmd.authorised_entities),
        oimp_authorised=cmd.oimp_authorised.strip(),
        timeframe=cmd.timeframe,
        terms=cmd.terms.strip(),
        first_transfer_definition=(cmd.first_transfer_definition or "").strip() or None,
        explanation=cmd.explanation.strip(),
    )


def entity_of_command(
    cmd: RegisterEntity, party: str, country: str, today: date
) -> AuthorisedEntity:
    return AuthorisedEntity(
        id=cmd.id.strip(),
        approach_id=cmd.approach_id.strip(),
        party=party,
        authorised_on=cmd.authorised_on or today,
        name=cmd.name.strip(),
        country=country,
        organisation_id=(cmd.organisation_id or "").strip() or None,
        conditions=cmd.conditions.strip(),
        change_conditions=cmd.change_conditions.strip(),
        explanation=cmd.explanation.strip(),
    )


# -- the doors' forms -----------------------------------------------------------------------


_YEARS = re.compile(r"^\s*([0-9]{4})\s*-\s*([0-9]{4})\s*$")


def parse_years(text: str, field: str, code: str) -> tuple[int, int]:
    """``"2021-2030"`` or ``"2021 - 2030"`` (an NDC period ``R1_BAD_NDC_PERIOD``, a
    timeframe ``R2_BAD_TIMEFRAME``): the first and last year; their order is checked later."""
    found = _YEARS.fullmatch(text[:40])
    if found is None:
        raise InvalidInput(
            code, f"{field} {text[:40]!r} is not two years, e.g. 2021-2030.", value=text[:40]
        )
    return int(found.group(1)), int(found.group(2))


def command_of(authorisation: Authorisation) -> RegisterAuthorisation:
    """The command that registers ``authorisation``'s terms again (a new version starts
    from the latest one's)."""
    return RegisterAuthorisation(
        id=authorisation.id,
        approach_id=authorisation.approach_id,
        purposes=authorisation.purposes,
        sectors=authorisation.sectors,
        activity_types=authorisation.activity_types,
        authorised_on=authorisation.authorised_on,
        party=authorisation.party,
        quantity=authorisation.quantity,
        metric=authorisation.metric,
        gwp=authorisation.gwp,
        mitigation_type=authorisation.mitigation_type,
        authorised_parties=authorisation.authorised_parties,
        authorised_entities=authorisation.authorised_entities,
        oimp_authorised=authorisation.oimp_authorised,
        timeframe=authorisation.timeframe,
        terms=authorisation.terms,
        first_transfer_definition=authorisation.first_transfer_definition,
        explanation=authorisation.explanation,
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
