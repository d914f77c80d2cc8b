"""The identity store port on SQLAlchemy Core: the register of organisations and their roles.

Roles are stored as the actor's codec JSON (side, partnership, designations), the form the
cycle reads (``cycle_store``) and the log records.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from jcm.adapters import schema as t
from jcm.domain.cycle import codec
from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.identity.register import OrganisationEntry
from jcm.domain.registry.accounts import OrganisationKind

_O = t.organisations.c
_R = t.organisation_roles.c


class SqlIdentityStore:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # -- organisations -----------------------------------------------------------------------
    def find_organisation(self, organisation_id: str) -> OrganisationEntry | None:
        """The organisation with this id, compared without case (ids differing only in case
        would be two names for one organisation)."""
        row = self._conn.execute(
            select(_O.id, _O.name, _O.registry, _O.kind).where(
                func.lower(_O.id) == organisation_id.lower()
            )
        ).first()
        if row is None:
            return None
        return OrganisationEntry(row.id, row.name, row.registry, OrganisationKind(row.kind))

    def add_organisation(self, entry: OrganisationEntry, now: datetime) -> None:
        self._conn.execute(
            insert(t.organisations).values(
                id=entry.id,
                registry=entry.registry,
                name=entry.name,
                kind=entry.kind.value,
                created_at=now,
            )
        )

    def list_organisations(self) -> list[OrganisationEntry]:
        rows = self._conn.execute(
            select(_O.id, _O.name, _O.registry, _O.kind).order_by(_O.id)
        ).all()
        return [OrganisationEntry(r.id, r.name, r.registry, OrganisationKind(r.kind)) for r in rows]

    # -- roles -------------------------------------------------------------------------------
    def roles(self, organisation_id: str) -> list[Actor]:
        rows = self._conn.execute(
            select(_R.body).where(_R.organisation_id == organisation_id).order_by(_R.role)
        ).all()
        return [codec.decode("actor", codec.actor_from_json, r.body) for r in rows]

    def all_roles(self) -> list[Actor]:
        rows = self._conn.execute(select(_R.body).order_by(_R.organisation_id, _R.role)).all()
        return [codec.decode("actor", codec.actor_from_json, r.body) for r in rows]

    def add_role(self, actor: Actor, now: datetime) -> None:
        self._conn.execute(
            insert(t.organisation_roles).values(
                organisation_id=actor.organisation_id,
                role=actor.role.value,
                body=codec.actor_to_json(actor),
                granted_at=now,
                updated_at=now,
            )
        )

    def remove_role(self, organisation_id: str, role: Role) -> bool:
        removed = self._conn.execute(
            delete(t.organisation_roles).where(
                _R.organisation_id == organisation_id, _R.role == role.value
            )
        )
        return bool(removed.rowcount)
