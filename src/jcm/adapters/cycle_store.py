"""The cycle store port on SQLAlchemy Core: actors, rule books, aggregates, calculation records.

Aggregates are stored whole, as their codec JSON, one row per project, monitoring period or
methodology version. ``lock=True`` reads take a row lock on PostgreSQL (``FOR UPDATE``); on
SQLite every writing unit of work already holds the database's write lock (BEGIN
IMMEDIATE), so two steps on one aggregate can never interleave on either backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, insert, select, update

from jcm.adapters import schema as t
from jcm.domain.cycle import codec
from jcm.domain.cycle.actors import Actor, Role
from jcm.domain.cycle.methodology_approval import Methodology
from jcm.domain.cycle.monitoring import MonitoringRequest
from jcm.domain.cycle.project import Project
from jcm.domain.cycle.rules import RuleBook

_A = t.cycle_aggregates.c
PROJECT = "project"
MONITORING = "monitoring_period"
METHODOLOGY = "methodology"


class SqlCycleStore:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # -- actors: the register's organisation_roles, named by their organisation ------------
    def _actors(self, *where: Any) -> list[tuple[Actor, str]]:
        r, o = t.organisation_roles.c, t.organisations.c
        rows = self._conn.execute(
            select(r.body, o.name)
            .join_from(t.organisation_roles, t.organisations, r.organisation_id == o.id)
            .where(*where)
            .order_by(r.organisation_id, r.role)
        ).all()
        return [(codec.decode("actor", codec.actor_from_json, row.body), row.name) for row in rows]

    def get_actor(self, organisation_id: str, role: Role) -> tuple[Actor, str] | None:
        r = t.organisation_roles.c
        found = self._actors(r.organisation_id == organisation_id, r.role == role.value)
        return found[0] if found else None

    def actors_of(self, organisation_id: str) -> list[tuple[Actor, str]]:
        return self._actors(t.organisation_roles.c.organisation_id == organisation_id)

    def put_actor(self, actor: Actor, name: str, now: datetime) -> None:
        """Update a granted role's details (a TPE's designations); roles are granted and
        revoked only through the identity register."""
        r = t.organisation_roles.c
        self._conn.execute(
            update(t.organisation_roles)
            .where(r.organisation_id == actor.organisation_id, r.role == actor.role.value)
            .values(body=codec.actor_to_json(actor), updated_at=now)
        )

    def list_actors(self) -> list[tuple[Actor, str]]:
        return self._actors()

    # -- rule books --------------------------------------------------------------------------
    def get_rule_book(self, version: str) -> RuleBook | None:
        c = t.cycle_rule_books.c
        row = self._conn.execute(select(c.body).where(c.version == version)).first()
        return (
            None if row is None else codec.decode("rule book", codec.rule_book_from_json, row.body)
        )

    def add_rule_book(self, rules: RuleBook, now: datetime) -> None:
        self._conn.execute(
            insert(t.cycle_rule_books).values(
                version=rules.version, body=codec.rule_book_to_json(rules), created_at=now
            )
        )

    def list_rule_books(self) -> list[RuleBook]:
        c = t.cycle_rule_books.c
        rows = self._conn.execute(select(c.body).order_by(c.version)).all()
        return [codec.decode("rule book", codec.rule_book_from_json, r.body) for r in rows]

    # -- aggregates --------------------------------------------------------------------------
    def _get(self, kind: str, key: str, lock: bool) -> Any:
        query = select(t.cycle_aggregates).where(_A.kind == kind, _A.key == key)
        if lock:
            query = query.with_for_update()
        return self._conn.execute(query).first()

    def _put(
        self,
        kind: str,
        key: str,
        project_id: str | None,
        state: str,
        body: dict[str, Any],
        now: datetime,
        *,
        new: bool,
        **extra: Any,
    ) -> None:
        if new:
            self._conn.execute(
                insert(t.cycle_aggregates).values(
                    kind=kind,
                    key=key,
                    project_id=project_id,
                    state=state,
                    body=body,
                    created_at=now,
                    updated_at=now,
                    **extra,
                )
            )
        else:
            self._conn.execute(
                update(t.cycle_aggregates)
                .where(_A.kind == kind, _A.key == key)
                .values(state=state, body=body, updated_at=now, **extra)
            )

    def get_project(self, project_id: str, *, lock: bool = False) -> Project | None:
        row = self._get(PROJECT, project_id, lock)
        return None if row is None else codec.project_from_json(row.body)

    def project_parameters(self, project_id: str) -> dict[str, Any]:
        row = self._get(PROJECT, project_id, False)
        return dict(row.parameters or {}) if row is not None else {}

    def put_project(
        self,
        project: Project,
        now: datetime,
        *,
        new: bool,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        extra = {} if parameters is None else {"parameters": parameters}
        self._put(
            PROJECT,
            project.id,
            project.id,
            project.state.value,
            codec.project_to_json(project),
            now,
            new=new,
            **extra,
        )

    def list_projects(self, partner: str | None = None) -> list[Project]:
        query = select(_A.body).where(_A.kind == PROJECT).order_by(_A.key)
        if partner:
            query = query.where(_A.key.like(f"{partner}%"))
        return [codec.project_from_json(r.body) for r in self._conn.execute(query)]

    def get_monitoring(
        self, request_id: str, *, lock: bool = False
    ) -> tuple[MonitoringRequest, int | None] | None:
        row = self._get(MONITORING, request_id, lock)
        if row is None:
            return None
        return codec.monitoring_from_json(row.body), row.decision_id

    def put_monitoring(
        self,
        request: MonitoringRequest,
        now: datetime,
        *,
        new: bool,
        decision_id: int | None = None,
    ) -> None:
        extra = {} if decision_id is None else {"decision_id": decision_id}
        self._put(
            MONITORING,
            request.id,
            request.project_id,
            request.state.value,
            codec.monitoring_to_json(request),
            now,
            new=new,
            **extra,
        )

    def monitoring_of_project(self, project_id: str) -> list[tuple[MonitoringRequest, int | None]]:
        rows = self._conn.execute(
            select(_A.body, _A.decision_id)
            .where(_A.kind == MONITORING, _A.project_id == project_id)
            .order_by(_A.key)
        ).all()
        return [(codec.monitoring_from_json(r.body), r.decision_id) for r in rows]

    def get_methodology(self, key: str, *, lock: bool = False) -> Methodology | None:
        row = self._get(METHODOLOGY, key, lock)
        return None if row is None else codec.methodology_from_json(row.body)

    def put_methodology(self, methodology: Methodology, now: datetime, *, new: bool) -> None:
        self._put(
            METHODOLOGY,
            codec.methodology_key(methodology),
            None,
            methodology.state.value,
            codec.methodology_to_json(methodology),
            now,
            new=new,
        )

    def list_methodologies(self) -> list[Methodology]:
        rows = self._conn.execute(
            select(_A.body).where(_A.kind == METHODOLOGY).order_by(_A.key)
        ).all()
        return [codec.methodology_from_json(r.body) for r in rows]

    def aggregate_rows(self) -> list[tuple[str, str, dict[str, Any], Any, int | None]]:
        """Every aggregate as (kind, key, body, parameters, decision id), for replay checks."""
        rows = self._conn.execute(
            select(_A.kind, _A.key, _A.body, _A.parameters, _A.decision_id).order_by(
                _A.kind, _A.key
            )
        ).all()
        return [(r.kind, r.key, r.body, r.parameters, r.decision_id) for r in rows]

    def aggregate_bodies_mentioning(self, text: str) -> list[dict[str, Any]]:
        """The bodies of the aggregates whose JSON holds ``text`` (a document hash)."""
        rows = self._conn.execute(select(_A.body).where(cast(_A.body, Text).contains(text)))
        return [r.body for r in rows]

    # -- calculation records -----------------------------------------------------------------
    def add_calculation(
        self,
        monitoring_id: str,
        methodology_id: str,
        version: str,
        emission_reductions: int,
        digest: str,
        record: str,
        now: datetime,
    ) -> None:
        self._conn.execute(
            insert(t.calculation_records).values(
                monitoring_id=monitoring_id,
                methodology_id=methodology_id,
                methodology_version=version,
                emission_reductions=emission_reductions,
                digest=digest,
                record=record,
                created_at=now,
            )
        )

    def get_calculation(self, monitoring_id: str) -> dict[str, Any] | None:
        c = t.calculation_records.c
        row = self._conn.execute(
            select(t.calculation_records).where(c.monitoring_id == monitoring_id)
        ).first()
        if row is None:
            return None
        return {
            "monitoring_id": row.monitoring_id,
            "methodology": row.methodology_id,
            "version": row.methodology_version,
            "emission_reductions": row.emission_reductions,
            "digest": row.digest,
            "record": row.record,
        }

    def calculations(self) -> Sequence[dict[str, Any]]:
        """Every calculation record with its stored digest (for ``jcm log verify``)."""
        c = t.calculation_records.c
        rows = self._conn.execute(
            select(c.monitoring_id, c.emission_reductions, c.digest, c.record).order_by(
                c.monitoring_id
            )
        ).all()
        return [
            {
                "monitoring_id": r.monitoring_id,
                "emission_reductions": r.emission_reductions,
                "digest": r.digest,
                "record": r.record,
            }
            for r in rows
        ]
