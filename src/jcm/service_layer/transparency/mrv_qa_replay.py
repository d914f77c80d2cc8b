"""Replaying QA/QC runs (``mrv_qa_run``) and comparing the rebuilt rows with
``mrv_qa_reports``.

A run's entry names the project, the period, the whole rule set and each device's report
digest; a later run of the same (device, period, rule set) replaces the row, as the service
does. Each stored row must be the one its latest entry gives (project, device, period,
rule-set version, digest, the entry's time as ``created_at``) and its report text must hash
to that digest, so a report edited in the database after the fact is caught.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jcm.domain.mrv.qa import QA_RUN
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import Divergence, TableSpec, compare_table

REPORTS = TableSpec(
    "mrv_qa_reports",
    ("device_id", "period_start", "period_end", "rule_set"),
    lambda k: f"QA report {k[0]} {k[1]}..{k[2]} {k[3]}",
)
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass
class QaReplay:
    rows: dict[tuple[str, date, date, str], dict[str, Any]] = field(default_factory=dict)
    touched: dict[tuple[str, date, date, str], int] = field(default_factory=dict)

    @staticmethod
    def handles(kind: Any) -> bool:
        return bool(kind == QA_RUN)

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """Raise ValueError (or KeyError, TypeError) when the entry cannot be applied."""
        project = change["project"]
        start, end = (date.fromisoformat(d) for d in change["period"])
        version = change["rule_set"]["version"]
        if not isinstance(project, str) or not isinstance(version, str) or end < start:
            raise ValueError("a QA run names a project, a rule set and a period")
        for device, digest in change["reports"].items():
            if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
                raise ValueError(f"report digest of {device} is not SHA-256 hex")
            key = (device, start, end, version)
            self.rows[key] = {
                "project_id": project,
                "device_id": device,
                "period_start": start,
                "period_end": end,
                "rule_set": version,
                "digest": digest,
                "created_at": now,
            }
            self.touched[key] = index

    def _report_problem(self, key: Any, wanted: Any, row: Any) -> Divergence | None:
        text = str(row["report"])
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == wanted["digest"]:
            return None
        return Divergence(
            self.touched.get(key),
            REPORTS.entity(key),
            "report digest",
            wanted["digest"],
            "another",
            REPORTS.table,
            "/".join(str(k) for k in key),
            "report",
        )

    def compare(self, ledger: RowSource) -> Divergence | None:
        """The first stored report that differs from the replayed runs."""
        return compare_table(
            REPORTS,
            self.rows,
            ledger.rows(REPORTS.table),
            self.touched.get,
            self._report_problem,
        )
