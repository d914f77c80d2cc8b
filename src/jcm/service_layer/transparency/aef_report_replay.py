"""Replaying AEF submissions (``aef.report_submitted``) and comparing the rebuilt rows with
``aef_submissions``.

Each entry makes its version's row (status submitted, the entry's time its ``created_at``
and ``submitted_at``, its index its ``log_index``, no check failures) and turns the
Party's previously submitted version of that year superseded at the same time. The stored
tables must hash, with the exported forms' digest, to the digest the entry states.

Drafts are working copies, rebuilt at will and never logged: rows with status ``draft``
are left out of the comparison (and the row id, a storage detail, is not compared).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jcm.domain.aef.formats import ReportTables, digest
from jcm.domain.aef.submissions import SubmissionStatus, next_version
from jcm.service_layer.aef.report_verify import REPORT_SUBMITTED
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import Divergence, TableSpec, compare_table

SUBMISSIONS = TableSpec(
    "aef_submissions",
    ("party", "year", "version"),
    lambda k: f"AEF report {k[0]} {k[1]} version {k[2]}",
)
Key = tuple[str, int, str]


@dataclass
class SubmissionReplay:
    rows: dict[Key, dict[str, Any]] = field(default_factory=dict)
    touched: dict[Key, int] = field(default_factory=dict)

    @staticmethod
    def handles(kind: Any) -> bool:
        return bool(kind == REPORT_SUBMITTED)

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """Raise ValueError (or KeyError) when the entry cannot be applied."""
        party, year, version = str(change["party"]), int(change["year"]), str(change["version"])
        earlier = [k for k in self.rows if k[:2] == (party, year)]
        wanted = next_version([k[2] for k in earlier])
        if version != wanted:
            raise ValueError(f"{party} {year}: version {version} follows, not {wanted}")
        for key in earlier:
            row = self.rows[key]
            if row["status"] == SubmissionStatus.SUBMITTED.value:
                row["status"] = SubmissionStatus.SUPERSEDED.value
                row["superseded_at"] = now
                self.touched[key] = index
        key = (party, year, version)
        self.rows[key] = {
            "party": party,
            "year": year,
            "version": version,
            "status": SubmissionStatus.SUBMITTED.value,
            "digest": str(change["digest"]),
            "checks": "[]",
            "created_at": now,
            "submitted_at": now,
            "superseded_at": None,
            "log_index": index,
        }
        self.touched[key] = index

    def _tables_problem(
        self, key: Any, wanted: Mapping[str, Any], row: Mapping[str, Any]
    ) -> Divergence | None:
        try:
            kept = digest(ReportTables.from_json_value(json.loads(str(row["tables"]))))
        except (KeyError, TypeError, ValueError) as error:
            kept = f"unreadable tables ({error})"
        if kept == wanted["digest"]:
            return None
        return Divergence(
            self.touched.get(key),
            SUBMISSIONS.entity(key),
            "tables digest",
            wanted["digest"],
            kept,
            SUBMISSIONS.table,
            "/".join(str(k) for k in key),
            "tables",
        )

    def compare(self, ledger: RowSource) -> Divergence | None:
        """The first stored submission that differs from the replayed one (drafts aside)."""
        return compare_table(
            SUBMISSIONS,
            self.rows,
            _not_drafts(ledger.rows(SUBMISSIONS.table)),
            self.touched.get,
            self._tables_problem,
        )


def _not_drafts(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        if row["status"] != SubmissionStatus.DRAFT.value:
            yield {**row, "year": int(row["year"])}
