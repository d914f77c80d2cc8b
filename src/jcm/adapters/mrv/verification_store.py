"""The SQL store of automatic verifications (table mrv_verifications). Owned by verification.

It also reads, never writes, the receipts of a period's accepted batches (``mrv_batches``,
written by intake): the verification's Merkle root and bundle cover exactly those.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select

from jcm.adapters import schema as t
from jcm.service_layer.mrv.verification_ports import BatchReceipt

_V = t.mrv_verifications.c
_B = t.mrv_batches.c


class SqlVerificationStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def period_receipts(
        self, project_id: str, device_id: str, first_ts: int, after_ts: int
    ) -> list[BatchReceipt]:
        """Receipts of ``device_id``'s batches with a reading in [first_ts, after_ts)."""
        rows = self._connection.execute(
            select(_B.device_id, _B.seq, _B.digest, _B.signature, _B.readings)
            .add_columns(_B.first_ts, _B.last_ts, _B.files)
            .where(
                and_(
                    _B.project_id == project_id,
                    _B.device_id == device_id,
                    _B.first_ts < after_ts,
                    _B.last_ts >= first_ts,
                )
            )
            .order_by(_B.seq)
        )
        return [
            BatchReceipt(
                r.device_id,
                int(r.seq),
                r.digest,
                r.signature,
                int(r.readings),
                int(r.first_ts),
                int(r.last_ts),
                tuple(json.loads(r.files)),
            )
            for r in rows
        ]

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
