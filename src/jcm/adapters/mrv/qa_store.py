"""The SQL store of QA reports and daily aggregates (tables mrv_qa_reports, mrv_aggregates).
Owned by QA."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, delete, insert, select, tuple_

from jcm.adapters import schema as t
from jcm.domain.mrv.qa import DailyAggregate, DeviceQaReport, report_from_json
from jcm.service_layer.mrv.qa_ports import StoredReport

T = TypeVar("T")
_CHUNK = 500  # rows per statement: far below every backend's parameter limit


class SqlQaStore:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # -- what a run writes ---------------------------------------------------------------------

    def replace(
        self,
        project_id: str,
        reports: Sequence[tuple[DeviceQaReport, str, str]],
        days: Sequence[DailyAggregate],
        now: datetime,
    ) -> None:
        r, a = t.mrv_qa_reports.c, t.mrv_aggregates.c
        keys = [
            (
                rep.device,
                date.fromisoformat(rep.period_start),
                date.fromisoformat(rep.period_end),
                rep.rule_set,
            )
            for rep, _text, _digest in reports
        ]
        day_keys = [(d.device, date.fromisoformat(d.day), d.rule_set) for d in days]
        for report_keys in _chunks(keys):
            self._connection.execute(
                delete(t.mrv_qa_reports).where(
                    tuple_(r.device_id, r.period_start, r.period_end, r.rule_set).in_(report_keys)
                )
            )
        for aggregate_keys in _chunks(day_keys):
            self._connection.execute(
                delete(t.mrv_aggregates).where(
                    tuple_(a.device_id, a.day, a.rule_set).in_(aggregate_keys)
                )
            )
        report_rows = [
            {
                "project_id": project_id,
                "device_id": device,
                "period_start": start,
                "period_end": end,
                "rule_set": rule_set,
                "report": text,
                "digest": digest,
                "created_at": now,
            }
            for (device, start, end, rule_set), (_rep, text, digest) in zip(
                keys, reports, strict=True
            )
        ]
        day_rows = [_day_row(project_id, d, now) for d in days]
        for rows, table in ((report_rows, t.mrv_qa_reports), (day_rows, t.mrv_aggregates)):
            for chunk in _chunks(rows):
                self._connection.execute(insert(table), list(chunk))

    def reports(self, project_id: str, start: date, end: date) -> list[StoredReport]:
        r = t.mrv_qa_reports.c
        rows = self._connection.execute(
            select(r.project_id, r.report, r.digest, r.created_at)
            .where(and_(r.project_id == project_id, r.period_start >= start, r.period_end <= end))
            .order_by(r.device_id, r.period_start, r.period_end, r.rule_set)
        )
        return [
            StoredReport(
                row.project_id,
                report_from_json(json.loads(row.report)),
                row.digest,
                _utc(row.created_at),
            )
            for row in rows
        ]

    def aggregates(self, project_id: str, start: date, end: date) -> list[dict[str, Any]]:
        """Stored daily rows of the project's devices in [start, end] (tests, exports)."""
        a = t.mrv_aggregates.c
        rows = self._connection.execute(
            select(t.mrv_aggregates)
            .where(a.project_id == project_id, a.day >= start, a.day <= end)
            .order_by(a.device_id, a.day, a.rule_set)
        ).mappings()
        return [dict(row) for row in rows]


def _day_row(project_id: str, d: DailyAggregate, now: datetime) -> dict[str, Any]:
    return {
        "device_id": d.device,
        "day": date.fromisoformat(d.day),
        "rule_set": d.rule_set,
        "project_id": project_id,
        "expected_intervals": d.expected_intervals,
        "readings": d.readings,
        "measured_wh": d.measured_wh,
        "excluded_wh": d.excluded_wh,
        "calibration_reduction_wh": d.calibration_reduction_wh,
        "credited_wh": d.credited_wh,
        "exclusions": json.dumps([[c.rule.value, c.intervals, c.wh] for c in d.exclusions]),
        "computed_at": now,
    }


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
