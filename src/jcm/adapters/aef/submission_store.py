"""AEF submissions in SQL: drafts, submitted and superseded versions (``aef_submissions``).

``tables`` holds the report's JSON form (:func:`jcm.domain.aef.formats.json_bytes`, the
very bytes its digest covers after the CSV), ``checks`` the JSON list of the failures found
when it was built. A draft is the working copy of its Party and year: at most one, replaced
by each build and by the submission made from it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from jcm.adapters.aef.tables import aef_submissions
from jcm.domain.aef.formats import ReportTables, json_bytes
from jcm.domain.aef.submissions import SubmissionStatus
from jcm.service_layer.aef.ports import StoredReport

_S = aef_submissions
_DRAFT = SubmissionStatus.DRAFT.value
_SUBMITTED = SubmissionStatus.SUBMITTED.value


def _row(report: StoredReport) -> dict[str, Any]:
    return {
        "party": report.party,
        "year": report.year,
        "version": report.version,
        "status": report.status.value,
        "tables": json_bytes(report.tables).decode("utf-8"),
        "checks": json.dumps(list(report.checks), sort_keys=True, separators=(",", ":")),
        "digest": report.digest,
        "created_at": report.created_at,
        "submitted_at": report.submitted_at,
        "superseded_at": report.superseded_at,
        "log_index": report.log_index,
    }


def _report(row: Any) -> StoredReport:
    return StoredReport(
        row.party,
        int(row.year),
        row.version,
        SubmissionStatus(row.status),
        ReportTables.from_json_value(json.loads(row.tables)),
        tuple(json.loads(row.checks)),
        row.digest,
        row.created_at,
        row.submitted_at,
        row.superseded_at,
        None if row.log_index is None else int(row.log_index),
    )


class SqlSubmissionStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _of(self, party: str, year: int) -> Any:
        return and_(_S.c.party == party, _S.c.year == year)

    def put_draft(self, report: StoredReport) -> None:
        self._c.execute(
            delete(_S).where(self._of(report.party, report.year), _S.c.status == _DRAFT)
        )
        self._c.execute(insert(_S).values(**_row(report)))

    def submit(self, report: StoredReport) -> None:
        where = self._of(report.party, report.year)
        self._c.execute(delete(_S).where(where, _S.c.status == _DRAFT))
        self._c.execute(
            update(_S)
            .where(where, _S.c.status == _SUBMITTED)
            .values(status=SubmissionStatus.SUPERSEDED.value, superseded_at=report.submitted_at)
        )
        self._c.execute(insert(_S).values(**_row(report)))

    def get(self, party: str, year: int, version: str) -> StoredReport | None:
        row = self._c.execute(
            select(_S).where(self._of(party, year), _S.c.version == version)
        ).first()
        return None if row is None else _report(row)

    def draft(self, party: str, year: int) -> StoredReport | None:
        row = self._c.execute(
            select(_S).where(self._of(party, year), _S.c.status == _DRAFT)
        ).first()
        return None if row is None else _report(row)

    def current(self, party: str, year: int) -> StoredReport | None:
        row = self._c.execute(
            select(_S).where(self._of(party, year), _S.c.status == _SUBMITTED)
        ).first()
        return None if row is None else _report(row)

    def versions(self, party: str, year: int) -> list[StoredReport]:
        rows = self._c.execute(
            select(_S)
            .where(self._of(party, year), _S.c.status != _DRAFT)
            .order_by(_S.c.created_at, _S.c.version)
        )
        return [_report(r) for r in rows]

    def list(
        self,
        party: str | None = None,
        year: int | None = None,
        status: SubmissionStatus | None = None,
    ) -> list[StoredReport]:
        query = select(_S).order_by(_S.c.party, _S.c.year, _S.c.created_at, _S.c.version)
        if party is not None:
            query = query.where(_S.c.party == party)
        if year is not None:
            query = query.where(_S.c.year == year)
        if status is not None:
            query = query.where(_S.c.status == status.value)
        return [_report(r) for r in self._c.execute(query)]
