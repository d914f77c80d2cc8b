"""Credits per flow, decision and fiscal year, kept between requests and brought up to date
from what was committed since.

The ledger is append-only and every transaction is a log entry; the log numbers entries
gap-free in commit order, so the entries [covered, size) are exactly the transactions not
yet counted, and a read that sees the log's size sees every entry before it. Counting only
those keeps the dashboard cheap on a large ledger (a full count of 10^5 transactions takes
seconds on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from threading import Lock

from jcm.domain.programme.figures import Flow, fiscal_year
from jcm.service_layer.public.dashboard_ports import CreditFlowRow, DashboardQueries, Watermark

Sums = dict[tuple[Flow, int, int], int]  # (flow, decision, fiscal year) → credits


@dataclass(frozen=True, slots=True)
class ProjectFlow:
    """Credits of one project that went through ``flow`` in one fiscal year."""

    flow: Flow
    project: str
    partner: str
    fiscal_year: int
    quantity: int


class FlowTally:
    def __init__(self) -> None:
        self._lock = Lock()
        self._covered = 0  # log entries counted
        self._sums: Sums = {}
        self._decisions: dict[int, tuple[str, str]] = {}  # decision → (project, partner)

    def flows(self, q: DashboardQueries, mark: Watermark) -> list[ProjectFlow]:
        with self._lock:
            if mark.log_size == 0 and mark.last_event > 0:
                sums = _add({}, q.credit_flows(None))  # no log (only ever to measure it)
            else:
                if mark.log_size < self._covered:  # not the database counted before
                    self._covered, self._sums = 0, {}
                if mark.log_size > self._covered:
                    _add(self._sums, q.credit_flows((self._covered, mark.log_size)))
                    self._covered = mark.log_size
                sums = self._sums
            missing = {decision for _, decision, _ in sums} - self._decisions.keys()
            if missing:
                self._decisions.update(q.decision_projects(missing))
            return [
                ProjectFlow(flow, *self._decisions[decision], fy, quantity)
                for (flow, decision, fy), quantity in sums.items()
                if decision in self._decisions
            ]


def _add(sums: Sums, rows: Iterable[CreditFlowRow]) -> Sums:
    for row in rows:
        key = (row.flow, row.decision, fiscal_year(row.year, row.month))
        sums[key] = sums.get(key, 0) + row.quantity
    return sums
