"""The SQL store of automatic verifications (table mrv_verifications). Owned by verification.

It also finds a verification's log entry (table ``events``, kind ``mrv_period_verified``)
for its evidence bundle.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select

from jcm.adapters import schema as t
from jcm.domain.mrv.devices import DEVICE_REGISTERED, DEVICE_REPLACED
from jcm.domain.mrv.verification import PERIOD_VERIFIED

_V = t.mrv_verifications.c
_E = t.events.c


class SqlVerificationStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def count(self, project_id: str) -> int:
        found = self._connection.execute(
            select(func.count()).select_from(t.mrv_verifications).where(_V.project_id == project_id)
        ).scalar_one()
        return int(found)

    def passed_overlapping(self, project_id: str, start: date, end: date) -> list[str]:
        """Ids of the project's passed verifications whose period overlaps start..end."""
        rows = self._connection.execute(
            select(_V.id, _V.record).where(
                and_(_V.project_id == project_id, _V.period_start <= end, _V.period_end >= start)
            )
        )
        return [r.id for r in rows if json.loads(r.record).get("passed")]

    def add(
        self,
        record: dict[str, Any],
        text: str,
        digest: str,
        monitoring_id: str | None,
        now: datetime,
    ) -> None:
        self._connection.execute(
            insert(t.mrv_verifications).values(
                id=record["id"],
                project_id=record["project"],
                period_start=date.fromisoformat(record["period"]["start"]),
                period_end=date.fromisoformat(record["period"]["end"]),
                rule_set=record["rule_set"]["version"],
                qa_rule_set=record["rule_set"]["qa_rule_set"],
                merkle_root=record["merkle_root"],
                batches=record["batches"],
                readings=record["readings"],
                record=text,
                digest=digest,
                monitoring_id=monitoring_id,
                created_at=now,
            )
        )

    def get(self, verification_id: str) -> dict[str, Any] | None:
        row = self._connection.execute(
            select(t.mrv_verifications).where(_V.id == verification_id)
        ).one_or_none()
        if row is None:
            return None
        return {
            "id": row.id,
            "record": row.record,
            "digest": row.digest,
            "monitoring_id": row.monitoring_id,
            "created_at": row.created_at,
        }

    def log_index(self, verification_id: str) -> int | None:
        """The log index of the verification's ``mrv_period_verified`` entry (None until
        the log has placed it, or when the log is disabled)."""
        rows = self._connection.execute(
            select(_E.log_index, _E.entry).where(_E.kind == PERIOD_VERIFIED).order_by(_E.seq)
        )
        for row in rows:
            change = json.loads(row.entry).get("change") or {}
            if change.get("verification") == verification_id:
                return None if row.log_index is None else int(row.log_index)
        return None

    def device_keys(self, device_ids: set[str]) -> dict[str, list[dict[str, Any]]]:
        """Each device's public keys in order, from its registration and replacement events
        (a replaced meter's batches stay checkable with the key it signed with)."""
        rows = self._connection.execute(
            select(_E.entry)
            .where(_E.kind.in_([DEVICE_REGISTERED, DEVICE_REPLACED]))
            .order_by(_E.seq)
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            entry = json.loads(row.entry)
            change = entry.get("change") or {}
            device = change.get("device") or {}
            if device.get("id") not in device_ids:
                continue
            replacement = change.get("replacement")
            since = replacement.get("at") if isinstance(replacement, dict) else None
            out.setdefault(device["id"], []).append(
                {"from": since, "public_key": device["public_key"]}
            )
        return out
