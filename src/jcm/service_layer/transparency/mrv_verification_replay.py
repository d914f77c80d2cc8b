"""Replaying automatic verifications (``mrv_period_verified``) and comparing the rebuilt rows
with ``mrv_verifications``.

Each row is rebuilt column by column from its entry (the entry's time is the row's
``created_at``); the stored record text must hash to the digest the entry states and name
the same Merkle root, counts, QA reports and monitored values, so a record edited in the
database after the fact is caught. A second passing verification of an overlapping period
of a project is an entry the rules refuse.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jcm.domain.mrv.verification import PERIOD_VERIFIED
from jcm.service_layer.ports import RowSource
from jcm.service_layer.transparency.divergence import Divergence, TableSpec, compare_table

VERIFICATIONS = TableSpec("mrv_verifications", ("id",), lambda k: f"verification {k}")


@dataclass
class VerificationReplay:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)
    # A verification's expectations of its record beyond the columns (digest, counts …).
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @staticmethod
    def handles(kind: Any) -> bool:
        return bool(kind == PERIOD_VERIFIED)

    def apply(self, index: int, kind: str, change: dict[str, Any], now: datetime) -> None:
        """Raise ValueError (or KeyError) when the entry cannot be applied."""
        vid = change["verification"]
        if vid in self.rows:
            raise ValueError(f"verification {vid} is recorded twice")
        start = date.fromisoformat(change["period"]["start"])
        end = date.fromisoformat(change["period"]["end"])
        if change["passed"]:
            for other in self.rows.values():
                if (
                    other["project_id"] == change["project"]
                    and other["_passed"]
                    and other["period_start"] <= end
                    and other["period_end"] >= start
                ):
                    raise ValueError(
                        f"verification {vid} overlaps passed verification {other['id']}"
                    )
        self.rows[vid] = {
            "id": vid,
            "project_id": change["project"],
            "period_start": start,
            "period_end": end,
            "rule_set": change["rule_set"],
            "qa_rule_set": change["qa_rule_set"],
            "merkle_root": change["merkle_root"],
            "batches": change["batches"],
            "readings": change["readings"],
            "digest": change["record_digest"],
            "monitoring_id": change["monitoring_period"],
            "created_at": now,
            "_passed": bool(change["passed"]),
        }
        self.changes[vid] = change
        self.touched[f"verification {vid}"] = index

    def _record_problem(self, key: Any, _wanted: Any, row: Any) -> Divergence | None:
        change = self.changes[key]
        index = self.touched.get(f"verification {key}")
        text = str(row["record"])
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != change["record_digest"]:
            return _differs(index, key, "record digest", change["record_digest"], "another")
        record = json.loads(text)
        stated = {
            "merkle_root": record.get("merkle_root"),
            "batches": record.get("batches"),
            "readings": record.get("readings"),
            "passed": record.get("passed"),
            "qa_reports": {q["device"]: q["digest"] for q in record.get("qa_reports", ())},
            "monitored": {k: m["value"] for k, m in record.get("monitored", {}).items()},
        }
        for name, value in stated.items():
            if change.get(name) != value:
                return _differs(index, key, f"record {name}", change.get(name), value)
        return None

    def compare(self, ledger: RowSource) -> Divergence | None:
        """The first stored verification that differs from the replayed one."""
        return compare_table(
            VERIFICATIONS,
            self.rows,
            ledger.rows(VERIFICATIONS.table),
            lambda key: self.touched.get(f"verification {key}"),
            self._record_problem,
        )


def _differs(index: int | None, key: Any, what: str, expected: Any, found: Any) -> Divergence:
    return Divergence(
        index,
        VERIFICATIONS.entity(key),
        what,
        expected,
        found,
        VERIFICATIONS.table,
        str(key),
        "record",
    )
