"""The cooperative-approach register in SQL (``RegisterStore``).

An approach is a row of ``aef_approaches`` and one row per Party in
``aef_approach_parties``. Authorisations (one row per version) and authorised entities keep
their key columns for look-ups and the whole record in ``body``, as
``jcm.domain.aef.register_json`` writes it: the form their log entries carry.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from jcm.adapters import schema as s
from jcm.adapters.aef import tables as t
from jcm.domain.aef.facts import Register
from jcm.domain.aef.register import (
    ApproachParty,
    Authorisation,
    AuthorisedEntity,
    CooperativeApproach,
)
from jcm.domain.aef.register_json import (
    authorisation_json,
    authorisation_of,
    body_text,
    entity_json,
    entity_of,
)

_A = t.aef_approaches.c
_P = t.aef_approach_parties.c
_Z = t.aef_authorisations.c
_E = t.aef_entities.c
_B = s.unit_blocks.c


class SqlRegisterStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # -- approaches -------------------------------------------------------------------------
    def add_approach(self, approach: CooperativeApproach, now: datetime) -> None:
        self._c.execute(
            insert(t.aef_approaches).values(
                id=approach.id, name=approach.name, partner=approach.partner, created_at=now
            )
        )
        self._c.execute(
            insert(t.aef_approach_parties),
            [
                {
                    "approach_id": approach.id,
                    "party": p.party,
                    "party_id": p.party_id,
                    "registry_id": p.registry_id,
                    "ndc_first_year": p.ndc_first_year,
                    "ndc_last_year": p.ndc_last_year,
                }
                for p in approach.parties
            ],
        )

    def approach(self, approach_id: str) -> CooperativeApproach | None:
        found = self._approaches(approach_id)
        return found[0] if found else None

    def approaches(self) -> list[CooperativeApproach]:
        return self._approaches(None)

    def approach_of_partner(self, partner: str) -> CooperativeApproach | None:
        found = self._c.execute(select(_A.id).where(_A.partner == partner)).scalar()
        return None if found is None else self.approach(found)

    def _approaches(self, approach_id: str | None) -> list[CooperativeApproach]:
        query = select(t.aef_approaches).order_by(_A.id)
        parties = select(t.aef_approach_parties)
        if approach_id is not None:
            query = query.where(_A.id == approach_id)
            parties = parties.where(_P.approach_id == approach_id)
        by_approach: dict[str, list[ApproachParty]] = defaultdict(list)
        for row in self._c.execute(parties):
            by_approach[row.approach_id].append(
                ApproachParty(
                    row.party, row.party_id, row.registry_id, row.ndc_first_year, row.ndc_last_year
                )
            )
        return [
            CooperativeApproach(row.id, row.name, _japan_first(by_approach[row.id]))
            for row in self._c.execute(query)
        ]

    # -- authorisations -----------------------------------------------------------------------
    def add_authorisation(self, authorisation: Authorisation, now: datetime) -> None:
        self._c.execute(
            insert(t.aef_authorisations).values(
                id=authorisation.id,
                version=authorisation.version,
                party=authorisation.party,
                approach_id=authorisation.approach_id,
                authorised_on=authorisation.authorised_on,
                body=body_text(authorisation_json(authorisation)),
                created_at=now,
            )
        )

    def authorisation_versions(
        self, authorisation_id: str, *, lock: bool = False
    ) -> list[Authorisation]:
        """Every version, oldest first; ``lock``: the rows stay locked (a new version)."""
        query = select(_Z.body).where(_Z.id == authorisation_id).order_by(_Z.version)
        if lock:
            query = query.with_for_update()
        return [authorisation_of(json.loads(body)) for body in self._c.execute(query).scalars()]

    def authorisations(self, party: str | None = None) -> list[Authorisation]:
        """The latest version of each authorisation (of one Party, or all), by id."""
        return [versions[-1] for versions in self._all_versions(party).values()]

    def _all_versions(self, party: str | None = None) -> dict[str, list[Authorisation]]:
        query = select(_Z.body).order_by(_Z.id, _Z.version)
        if party is not None:
            query = query.where(_Z.party == party)
        versions: dict[str, list[Authorisation]] = {}
        for body in self._c.execute(query).scalars():
            record = authorisation_of(json.loads(body))
            versions.setdefault(record.id, []).append(record)
        return versions

    def authorised_quantity(self, authorisation_id: str) -> int:
        """Units the ledger holds authorised under ``authorisation_id`` (any account)."""
        total = self._c.execute(
            select(func.coalesce(func.sum(_B.serial_end - _B.serial_start + 1), 0)).where(
                _B.authorisation_ref == authorisation_id
            )
        ).scalar_one()
        return int(total)

    # -- authorised entities ------------------------------------------------------------------
    def add_entity(self, entity: AuthorisedEntity, now: datetime) -> None:
        self._c.execute(
            insert(t.aef_entities).values(
                id=entity.id,
                approach_id=entity.approach_id,
                party=entity.party,
                organisation_id=entity.organisation_id,
                body=body_text(entity_json(entity)),
                created_at=now,
            )
        )

    def entity(self, entity_id: str) -> AuthorisedEntity | None:
        body = self._c.execute(select(_E.body).where(_E.id == entity_id)).scalar()
        return None if body is None else entity_of(json.loads(body))

    def entities(self, party: str | None = None) -> list[AuthorisedEntity]:
        query = select(_E.body).order_by(_E.id)
        if party is not None:
            query = query.where(_E.party == party)
        return [entity_of(json.loads(body)) for body in self._c.execute(query).scalars()]

    # -- the whole register ---------------------------------------------------------------------
    def register(self) -> Register:
        return Register(
            approaches={a.id: a for a in self.approaches()},
            authorisations={k: tuple(v) for k, v in self._all_versions().items()},
            entities={e.id: e for e in self.entities()},
        )


def _japan_first(parties: list[ApproachParty]) -> tuple[ApproachParty, ...]:
    return tuple(sorted(parties, key=lambda p: (p.party != "JP", p.party)))
