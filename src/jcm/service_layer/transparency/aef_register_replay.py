"""Replaying the cooperative-approach register from its log entries and comparing the
rebuilt rows with ``aef_approaches``, ``aef_approach_parties``, ``aef_authorisations`` and
``aef_entities``.

Each entry carries the whole record (``jcm.domain.aef.register_json``), so every row is
rebuilt column by column from the entries alone, the entry's time as its ``created_at``.
The rules the use case applied hold again: an approach and an entity are registered once,
an authorisation's first entry is version 1 and each amendment the next version, an
authorisation or entity names a registered approach and is its partner's, an entity an
authorisation names is registered in its approach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jcm.domain.aef.register import Authorisation, AuthorisedEntity
from jcm.domain.aef.register_json import (
    approach_of,
    authorisation_json,
    authorisation_of,
    body_text,
    entity_json,
    entity_of,
)
from jcm.service_layer.aef.register_results import (
    APPROACH_REGISTERED,
    AUTHORISATION_AMENDED,
    AUTHORISATION_REGISTERED,
    ENTITY_REGISTERED,
    KINDS,
)
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import Divergence, TableSpec, compare_table

APPROACHES = TableSpec("aef_approaches", ("id",), lambda k: f"cooperative approach {k}")
PARTIES = TableSpec(
    "aef_approach_parties",
    ("approach_id", "party"),
    lambda k: f"cooperative approach {k[0]} Party {k[1]}",
)
AUTHORISATIONS = TableSpec(
    "aef_authorisations", ("id", "version"), lambda k: f"authorisation {k[0]} version {k[1]}"
)
ENTITIES = TableSpec("aef_entities", ("id",), lambda k: f"authorised entity {k}")


@dataclass
class RegisterReplay:
    approaches: dict[str, dict[str, Any]] = field(default_factory=dict)
    parties: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    authorisations: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    latest: dict[str, int] = field(default_factory=dict)  # authorisation id -> version
    touched: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def handles(kind: Any) -> bool:
        return kind in KINDS

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """Raise ValueError (or KeyError) when the entry cannot be applied."""
        if kind == APPROACH_REGISTERED:
            self._approach(index, change, now)
        elif kind == ENTITY_REGISTERED:
            self._entity(index, entity_of(change), now)
        else:
            self._authorisation(index, kind, authorisation_of(change), now)

    def _approach(self, index: int, change: dict[str, Any], now: datetime) -> None:
        approach = approach_of(change)
        if approach.id in self.approaches:
            raise ValueError(f"cooperative approach {approach.id} is registered twice")
        partner = approach.partner
        if any(row["partner"] == partner for row in self.approaches.values()):
            raise ValueError(f"{partner} has a second cooperative approach")
        self.approaches[approach.id] = {
            "name": approach.name,
            "partner": partner,
            "created_at": now,
        }
        for party in approach.parties:
            self.parties[(approach.id, party.party)] = {
                "party_id": party.party_id,
                "registry_id": party.registry_id,
                "ndc_first_year": party.ndc_first_year,
                "ndc_last_year": party.ndc_last_year,
            }
        self.touched[f"approach {approach.id}"] = index

    def _partner_of(self, approach_id: str, party: str, what: str) -> None:
        row = self.approaches.get(approach_id)
        if row is None:
            raise ValueError(f"{what} names cooperative approach {approach_id} before it exists")
        if row["partner"] != party:
            raise ValueError(f"{what} is {party}'s, not the partner {row['partner']}'s")

    def _authorisation(self, index: int, kind: str, record: Authorisation, now: datetime) -> None:
        what = f"authorisation {record.id} version {record.version}"
        self._partner_of(record.approach_id, record.party, what)
        latest = self.latest.get(record.id, 0)
        expected = 1 if kind == AUTHORISATION_REGISTERED else latest + 1
        if kind == AUTHORISATION_AMENDED and latest == 0:
            raise ValueError(f"{what} amends an authorisation never registered")
        if record.version != expected or (kind == AUTHORISATION_REGISTERED and latest):
            raise ValueError(f"{what} follows version {latest}")
        if latest:
            first = self.authorisations[(record.id, 1)]
            if first["party"] != record.party or first["approach_id"] != record.approach_id:
                raise ValueError(f"{what} changes its Party or cooperative approach")
        for entity in record.authorised_entities:
            known = self.entities.get(entity)
            if known is None or known["approach_id"] != record.approach_id:
                raise ValueError(f"{what} names entity {entity!r}, not registered in its approach")
        self.authorisations[(record.id, record.version)] = {
            "party": record.party,
            "approach_id": record.approach_id,
            "authorised_on": record.authorised_on,
            "body": body_text(authorisation_json(record)),
            "created_at": now,
        }
        self.latest[record.id] = record.version
        self.touched[f"authorisation {record.id}/{record.version}"] = index

    def _entity(self, index: int, entity: AuthorisedEntity, now: datetime) -> None:
        if entity.id in self.entities:
            raise ValueError(f"authorised entity {entity.id} is registered twice")
        self._partner_of(entity.approach_id, entity.party, f"authorised entity {entity.id}")
        self.entities[entity.id] = {
            "approach_id": entity.approach_id,
            "party": entity.party,
            "organisation_id": entity.organisation_id,
            "body": body_text(entity_json(entity)),
            "created_at": now,
        }
        self.touched[f"entity {entity.id}"] = index

    def _touched(self, name: Callable[[Any], str]) -> Callable[[Any], int | None]:
        return lambda key: self.touched.get(name(key))

    def compare(self, ledger: RowSource) -> Divergence | None:
        """The first stored register row that differs from the replayed one."""
        tables: tuple[tuple[TableSpec, dict[Any, dict[str, Any]], Callable[[Any], str]], ...] = (
            (APPROACHES, self.approaches, lambda k: f"approach {k}"),
            (PARTIES, self.parties, lambda k: f"approach {k[0]}"),
            (AUTHORISATIONS, self.authorisations, lambda k: f"authorisation {k[0]}/{k[1]}"),
            (ENTITIES, self.entities, lambda k: f"entity {k}"),
        )
        for spec, expected, name in tables:
            problem = compare_table(spec, expected, ledger.rows(spec.table), self._touched(name))
            if problem is not None:
                return problem
        return None
