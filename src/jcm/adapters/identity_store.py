"""The identity store port on SQLAlchemy Core: the register of organisations and their roles,
users, sessions, API tokens and failed-login counters (secrets only as hashes).

Roles are stored as the actor's codec JSON (side, partnership, designations), the form the
cycle reads (``cycle_store``) and the log records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jcm.adapters import schema as t
from jcm.domain.cycle import codec
from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.identity.credentials import Attempts, SessionRecord, TokenRecord, UserRecord
from jcm.domain.identity.principal import Scope
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

    # -- users -------------------------------------------------------------------------------
    def add_user(self, user: UserRecord) -> None:
        self._conn.execute(insert(t.users).values(**_fields(user)))

    def user_by_login(self, login: str) -> UserRecord | None:
        row = self._conn.execute(select(t.users).where(t.users.c.login == login)).first()
        return _user(row) if row is not None else None

    def user(self, user_id: str) -> UserRecord | None:
        row = self._conn.execute(select(t.users).where(t.users.c.id == user_id)).first()
        return _user(row) if row is not None else None

    def list_users(self, organisation_id: str | None) -> list[UserRecord]:
        query = select(t.users).order_by(t.users.c.login)
        if organisation_id is not None:
            query = query.where(t.users.c.organisation_id == organisation_id)
        return [_user(r) for r in self._conn.execute(query)]

    def update_user(self, user_id: str, **values: Any) -> None:
        self._conn.execute(update(t.users).where(t.users.c.id == user_id).values(**values))

    # -- sessions ----------------------------------------------------------------------------
    def add_session(self, session: SessionRecord) -> None:
        self._conn.execute(insert(t.sessions).values(**_fields(session)))

    def session(self, token_hash: str) -> SessionRecord | None:
        row = self._conn.execute(
            select(t.sessions).where(t.sessions.c.token_hash == token_hash)
        ).first()
        return SessionRecord(**row._mapping) if row is not None else None

    def update_session(self, token_hash: str, **values: Any) -> None:
        self._conn.execute(
            update(t.sessions).where(t.sessions.c.token_hash == token_hash).values(**values)
        )

    def delete_sessions(self, *, token_hash: str | None = None, user_id: str | None = None) -> None:
        c = t.sessions.c
        where = c.token_hash == token_hash if token_hash is not None else c.user_id == user_id
        self._conn.execute(delete(t.sessions).where(where))

    # -- API tokens --------------------------------------------------------------------------
    def add_token(self, token: TokenRecord) -> None:
        values = _fields(token)
        values["scopes"] = sorted(s.value for s in token.scopes)
        self._conn.execute(insert(t.api_tokens).values(**values))

    def token(self, token_id: str) -> TokenRecord | None:
        row = self._conn.execute(select(t.api_tokens).where(t.api_tokens.c.id == token_id)).first()
        return _token(row) if row is not None else None

    def list_tokens(self, organisation_id: str | None) -> list[TokenRecord]:
        query = select(t.api_tokens).order_by(t.api_tokens.c.created_at, t.api_tokens.c.id)
        if organisation_id is not None:
            query = query.where(t.api_tokens.c.organisation_id == organisation_id)
        return [_token(r) for r in self._conn.execute(query)]

    def update_token(self, token_id: str, **values: Any) -> None:
        self._conn.execute(
            update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(**values)
        )

    # -- failed logins -----------------------------------------------------------------------
    def attempts(self, kind: str, subject: str) -> Attempts | None:
        c = t.login_attempts.c
        row = self._conn.execute(
            select(c.failures, c.last_failure_at, c.blocked_until).where(
                c.kind == kind, c.subject == subject
            )
        ).first()
        return Attempts(row.failures, row.last_failure_at, row.blocked_until) if row else None

    def locked_attempts(self, kind: str, subject: str, now: datetime) -> Attempts:
        """The counter, made if absent (no failures yet, as of ``now``) and locked until the
        transaction ends: simultaneous failures are counted one after another, and two
        first failures never race to insert the same row."""
        c = t.login_attempts.c
        dialect_insert = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        self._conn.execute(
            dialect_insert(t.login_attempts)
            .values(kind=kind, subject=subject, failures=0, last_failure_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "subject"])
        )
        row = self._conn.execute(
            select(c.failures, c.last_failure_at, c.blocked_until)
            .where(c.kind == kind, c.subject == subject)
            .with_for_update()
        ).one()
        return Attempts(row.failures, row.last_failure_at, row.blocked_until)

    def put_attempts(self, kind: str, subject: str, attempts: Attempts | None) -> None:
        c = t.login_attempts.c
        where = (c.kind == kind, c.subject == subject)
        if attempts is None:
            self._conn.execute(delete(t.login_attempts).where(*where))
            return
        # Updated in place (never deleted and inserted again), so a transaction waiting on
        # the row's lock reads the new count once this one commits.
        values = {
            "failures": attempts.failures,
            "last_failure_at": attempts.last_failure_at,
            "blocked_until": attempts.blocked_until,
        }
        changed = self._conn.execute(update(t.login_attempts).where(*where).values(**values))
        if changed.rowcount == 0:
            row = {"kind": kind, "subject": subject, **values}
            self._conn.execute(insert(t.login_attempts).values(**row))


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


def _user(row: Any) -> UserRecord:
    return UserRecord(**row._mapping)


def _token(row: Any) -> TokenRecord:
    values = dict(row._mapping)
    values["scopes"] = frozenset(Scope(s) for s in values["scopes"])
    return TokenRecord(**values)
