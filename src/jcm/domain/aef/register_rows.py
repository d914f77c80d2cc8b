"""Tables 1, 2 and 5 from the cooperative-approach register.

* Table 1: the Party's alpha-3, the version, the year, the date of submission (None while
  a draft) and its NDC implementation period (from any approach listing it).
* Table 2: the authorisations the report's Table 3 and 4 rows name, plus the Party's own
  authorisations dated in the year; each as its latest version dated on or before
  31 December of the year; sorted by id.
* Table 5: the entities named by Table 2 rows or as a using entity in Table 3, plus the
  Party's own entities dated in the year; sorted by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jcm.domain.aef.attributes import ReportContext
from jcm.domain.aef.nomenclature import NA
from jcm.domain.aef.register import Authorisation, AuthorisedEntity
from jcm.domain.aef.tables import (
    ActionRow,
    AuthorizationRow,
    EntityRow,
    HoldingRow,
    SubmissionRow,
)
from jcm.domain.registry.article6 import AuthorisedUse


def submission_row(
    context: ReportContext, party: str, version: str, submitted_on: date | None
) -> SubmissionRow:
    period = next(
        (
            (p.ndc_first_year, p.ndc_last_year)
            for a in sorted(context.register.approaches.values(), key=lambda a: a.id)
            for p in a.parties
            if p.party == party
        ),
        (context.year, context.year),
    )
    return SubmissionRow(
        context.alpha3(party), version, context.year, submitted_on, period[0], period[1]
    )


def authorization_rows(
    context: ReportContext,
    party: str,
    actions: Iterable[ActionRow],
    holdings: Iterable[HoldingRow],
) -> tuple[AuthorizationRow, ...]:
    named = {r.block.authorization_id for r in actions}
    named.update(r.block.authorization_id for r in holdings)
    for authorisation_id in context.register.authorisations:
        found = context.authorisation(authorisation_id)
        if found is not None and found.party == party and found.authorised_on.year == context.year:
            named.add(authorisation_id)
    rows = []
    for authorisation_id in sorted(named):
        found = context.authorisation(authorisation_id)
        if found is not None:
            rows.append(authorization_row(found))
    return tuple(rows)


def authorization_row(a: Authorisation) -> AuthorizationRow:
    oimp = AuthorisedUse.OIMP in a.uses
    return AuthorizationRow(
        authorization_id=a.id,
        authorised_on=a.authorised_on,
        approach_id=a.approach_id,
        version=a.version,
        quantity=a.quantity,
        metric=a.metric,
        gwp=a.gwp,
        non_ghg_metric=NA if a.metric == "GHG" else "",
        sectors=a.sectors,
        activity_types=a.activity_types,
        purposes=a.purposes,
        authorised_parties=a.authorised_parties,
        authorised_entities=a.authorised_entities,
        oimp_authorised=a.oimp_authorised if oimp else NA,
        timeframe=a.timeframe_text,
        terms=a.terms,
        first_transfer_definition=(a.first_transfer_definition or "") if oimp else NA,
        explanation=a.explanation,
    )


def entity_rows(
    context: ReportContext,
    party: str,
    authorizations: Iterable[AuthorizationRow],
    actions: Iterable[ActionRow],
) -> tuple[EntityRow, ...]:
    entities = context.register.entities
    named = {e for r in authorizations for e in r.authorised_entities}
    named.update(r.using_entity for r in actions if r.using_entity in entities)
    named.update(
        e.id for e in entities.values() if e.party == party and e.authorised_on.year == context.year
    )
    return tuple(entity_row(entities[i]) for i in sorted(named) if i in entities)


def entity_row(e: AuthorisedEntity) -> EntityRow:
    return EntityRow(
        authorised_on=e.authorised_on,
        name=e.name,
        country=e.country,
        identification_number=e.id,
        approach_id=e.approach_id,
        conditions=e.conditions,
        change_conditions=e.change_conditions,
        explanation=e.explanation,
    )
