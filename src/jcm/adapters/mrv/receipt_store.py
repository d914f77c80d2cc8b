"""The SQL store of batch receipts and refusals (tables mrv_batches, mrv_refusals).
Owned by intake.

A call's receipts go in with one ``executemany`` INSERT; the replay lookup is one query
per 400 keys (row-value ``IN``, which SQLite ≥ 3.15 and PostgreSQL both support).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, tuple_, update

from jcm.adapters import schema as t
from jcm.service_layer.mrv.intake_ports import IntakeCounts, Receipt, RefusalRecord

_B = t.mrv_batches.c
_R = t.mrv_refusals.c
_D = t.mrv_devices.c
_CHUNK = 400

_BUMP = (
    update(t.mrv_batches)
    .where(_B.device_id == bindparam("d"), _B.seq == bindparam("s"))
    .values(duplicates=_B.duplicates + 1)
)


def _receipt_of(row: Any) -> Receipt:
    return Receipt(
        row.device_id,
        row.seq,
        row.project_id,
        row.digest,
        row.signature,
        row.readings,
        row.first_ts,
        row.last_ts,
        tuple(json.loads(row.files)),
        row.channel,
        row.received_at,
    )


class SqlReceiptStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def digests(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        found: dict[tuple[str, int], str] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            query = select(_B.device_id, _B.seq, _B.digest).where(
                tuple_(_B.device_id, _B.seq).in_(chunk)
            )
            for device, seq, digest in self._connection.execute(query):
                found[(device, seq)] = digest
        return found

    def add(self, receipts: Sequence[Receipt]) -> None:
        rows = [
            {
                "device_id": r.device,
                "seq": r.seq,
                "project_id": r.project_id,
                "digest": r.digest,
                "signature": r.signature,
                "readings": r.readings,
                "first_ts": r.first_ts,
                "last_ts": r.last_ts,
                "files": json.dumps(list(r.files), separators=(",", ":"), ensure_ascii=False),
                "channel": r.channel,
                "received_at": r.received_at,
                "duplicates": 0,
            }
            for r in receipts
        ]
        self._connection.execute(insert(t.mrv_batches), rows)

    def count_duplicates(self, keys: Sequence[tuple[str, int]]) -> None:
        self._connection.execute(_BUMP, [{"d": d, "s": s} for d, s in keys])

    def add_refusals(self, refusals: Sequence[RefusalRecord]) -> list[int]:
        rows = [
            {
                "device_id": r.device,
                "seq": r.seq,
                "code": r.code,
                "message": r.message[:500],
                "channel": r.channel,
                "digest": r.digest,
                "received_at": r.received_at,
            }
            for r in refusals
        ]
        # RETURNING in parameter order: the ids as assigned, one per refusal, in order.
        query = insert(t.mrv_refusals).returning(_R.id, sort_by_parameter_order=True)
        return [int(i) for i in self._connection.execute(query, rows).scalars()]

    def referenced(self, names: Sequence[str]) -> set[str]:
        """Looked up one by one: only files left by a crash are asked about."""
        found = set()
        for name in names:
            query = select(_B.seq).where(_B.files.contains(f'"{name}"', autoescape=True)).limit(1)
            if self._connection.execute(query).first() is not None:
                found.add(name)
        return found

    def receipts(self, project_id: str, start_ts: int, end_ts: int) -> list[Receipt]:
        query = (
            select(t.mrv_batches)
            .where(_B.project_id == project_id, _B.first_ts < end_ts, _B.last_ts >= start_ts)
            .order_by(_B.device_id, _B.seq)
        )
        return [_receipt_of(row) for row in self._connection.execute(query)]

    def counts(self, project_id: str | None) -> IntakeCounts:
        totals = select(
            func.count(),
            func.coalesce(func.sum(_B.readings), 0),
            func.coalesce(func.sum(_B.duplicates), 0),
        )
        by_code = select(_R.code, func.count()).group_by(_R.code)
        if project_id is not None:
            totals = totals.where(_B.project_id == project_id)
            devices = select(_D.id).where(_D.project_id == project_id)
            by_code = by_code.where(_R.device_id.in_(devices))
        batches, readings, duplicates = self._connection.execute(totals).one()
        refusals = {code: n for code, n in self._connection.execute(by_code)}
        return IntakeCounts(
            int(batches), int(readings), int(duplicates), dict(sorted(refusals.items()))
        )

    def refusals(self, device: str | None, limit: int) -> list[RefusalRecord]:
        query = select(t.mrv_refusals).order_by(_R.id.desc()).limit(limit)
        if device is not None:
            query = query.where(_R.device_id == device)
        return [
            RefusalRecord(
                row.device_id,
                row.seq,
                row.code,
                row.message,
                row.channel,
                row.digest,
                row.received_at,
            )
            for row in self._connection.execute(query)
        ]
