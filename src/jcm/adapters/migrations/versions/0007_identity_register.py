"""One register of organisations: the registry's organisations and the cycle's actors.

``organisations.id`` widens to 64 characters (the cycle's free ids such as ``pacific-pv``)
and ``registry`` becomes optional (the home registry of an organisation holding accounts;
TPEs, the Joint Committee and the platform's administrator have none). ``cycle_actors``
becomes ``organisation_roles``: one row per organisation and role, its body the actor's
codec JSON as before. An actor whose id is not yet an organisation becomes one (kind
``other``, no registry) named as its most recently registered role was, created when its
first role was; this is what replaying the old ``actor.registered`` entries gives.

SQLite rebuilds ``organisations`` (``jcm.adapters.migrate`` turns foreign keys off for the
rebuild and checks them afterwards).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.String(length=20), type_=sa.String(length=64))
        batch_op.alter_column("registry", existing_type=sa.String(length=2), nullable=True)
    roles = op.create_table(
        "organisation_roles",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_roles_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "role", name=op.f("pk_organisation_roles")),
    )
    _move_actors(roles)
    op.drop_table("cycle_actors")


def _move_actors(roles: sa.Table) -> None:
    bind = op.get_bind()
    actors = sa.table(
        "cycle_actors",
        sa.column("organisation_id", sa.String),
        sa.column("role", sa.String),
        sa.column("name", sa.String),
        sa.column("body", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    organisations = sa.table(
        "organisations",
        sa.column("id", sa.String),
        sa.column("registry", sa.String),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(actors).order_by(actors.c.organisation_id, actors.c.updated_at)
    ).all()
    known = {r.id for r in bind.execute(sa.select(organisations.c.id))}
    new: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.organisation_id in known:
            continue
        first = new.setdefault(r.organisation_id, {"created_at": r.created_at})
        first["created_at"] = min(first["created_at"], r.created_at)
        first["name"] = r.name  # ordered by updated_at: the last one wins
    if new:
        bind.execute(
            sa.insert(organisations),
            [
                {"id": oid, "registry": None, "name": o["name"], "kind": "other", **o}
                for oid, o in new.items()
            ],
        )
    if rows:
        bind.execute(
            sa.insert(roles),
            [
                {
                    "organisation_id": r.organisation_id,
                    "role": r.role,
                    "body": json.loads(r.body) if isinstance(r.body, str) else r.body,
                    "granted_at": r.created_at,
                    "updated_at": r.updated_at,
                }
                for r in rows
            ],
        )


def downgrade() -> None:
    op.create_table(
        "cycle_actors",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "role", name=op.f("pk_cycle_actors")),
    )
    op.execute(
        "INSERT INTO cycle_actors (organisation_id, role, name, body, created_at, updated_at) "
        "SELECT r.organisation_id, r.role, substr(o.name, 1, 200), r.body, r.granted_at, "
        "r.updated_at FROM organisation_roles r JOIN organisations o ON o.id = r.organisation_id"
    )
    op.drop_table("organisation_roles")
    op.execute("DELETE FROM organisations WHERE registry IS NULL")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("registry", existing_type=sa.String(length=2), nullable=False)
        batch_op.alter_column("id", existing_type=sa.String(length=64), type_=sa.String(length=20))
