"""Running QA/QC and aggregation over a project's readings for a period; QA reports.

A run reads the project's devices and the receipts of its batches (only receipted Parquet
files are read), hands them to the QA engine (in-process, or on a Dask cluster with
``scheduler``), and stores, in one unit of work, a report per device (its canonical JSON
and SHA-256 digest) and the daily aggregates, replacing those of an earlier run of the same
(device, period, rule set): running twice changes nothing but the timestamps. The run is a
logged event (``mrv_qa_run``) naming every report's digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast

from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.methodologies.record import canonical_bytes
from jcm.domain.mrv.qa import (
    DEFAULT_QA_RULES,
    QA_RUN,
    DeviceQaReport,
    QaRuleSet,
    report_json,
    reports_from_days,
)
from jcm.service_layer.mrv.intake_ports import ReadingStore
from jcm.service_layer.mrv.qa_ports import (
    BatchReceipt,
    QaEngine,
    QaJob,
    QaStore,
    QaUnitOfWork,
    StoredReport,
)
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory

MAX_PERIOD_DAYS = 366
TOTALS = (
    "expected_intervals",
    "readings",
    "measured_wh",
    "excluded_wh",
    "calibration_reduction_wh",
    "credited_wh",
)


@dataclass(frozen=True, slots=True)
class QaRun:
    project_id: str
    start: date
    end: date
    rule_set: str
    reports: tuple[DeviceQaReport, ...]  # by device id
    digests: tuple[str, ...]  # each report's SHA-256, in the same order
    flags: int

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(r, k) for r in self.reports) for k in TOTALS}


class QaService:
    def __init__(self, uow: UnitOfWorkFactory, readings: ReadingStore, engine: QaEngine) -> None:
        self._uow = uow
        self._readings = readings
        self._engine = engine

    def run(
        self,
        project_id: str,
        start: date,
        end: date,
        *,
        scheduler: str | None = None,
        rules: QaRuleSet = DEFAULT_QA_RULES,
    ) -> QaRun:
        check_period(start, end)
        job = self._job(project_id, start, end, rules)
        output = self._engine.run(job, scheduler)
        reports = reports_from_days(output.days, start.isoformat(), end.isoformat())
        texts = [canonical_bytes(report_json(r)) for r in reports]
        digests = [hashlib.sha256(text).hexdigest() for text in texts]
        with self._uow() as uow:
            _store(uow).replace(
                project_id,
                [(r, x.decode(), d) for r, x, d in zip(reports, texts, digests, strict=True)],
                output.days,
                uow.now,
            )
            uow.ledger.add_event(
                QA_RUN,
                None,
                {
                    "project": project_id,
                    "period": [start.isoformat(), end.isoformat()],
                    "rule_set": rules.as_json(),
                    "reports": {r.device: d for r, d in zip(reports, digests, strict=True)},
                    "flags": output.flags,
                },
                uow.now,
            )
            uow.commit()
        return QaRun(
            project_id, start, end, rules.version, tuple(reports), tuple(digests), output.flags
        )

    def _job(self, project_id: str, start: date, end: date, rules: QaRuleSet) -> QaJob:
        with self._uow(read_only=True) as uow:
            _check_project(uow, project_id, participant=True)
            qa_uow = cast(QaUnitOfWork, uow)
            devices = qa_uow.mrv_devices.list(project_id)
            if not devices:
                raise InvalidInput(
                    "D9_NO_DEVICES",
                    f"Project {project_id} has no registered devices to run QA/QC on.",
                    project=project_id,
                )
            lo = _ts(start) - rules.carry_lookback_days * 86_400
            receipts = qa_uow.mrv_receipts.receipts(project_id, lo, _ts(end + timedelta(days=1)))
        # Only receipted files are read, where they are now (published or still staged).
        batches = tuple(
            BatchReceipt(
                r.device,
                r.seq,
                r.received_at,
                tuple(str(self._readings.locate(name)) for name in r.files),
                r.first_ts,
                r.last_ts,
            )
            for r in receipts
        )
        return QaJob(project_id, start, end, tuple(devices), batches, rules)

    def reports(self, project_id: str, start: date, end: date) -> list[StoredReport]:
        """Stored reports of periods within [start, end], by device, period and rule set."""
        check_period(start, end)
        with self._uow(read_only=True) as uow:
            _check_project(uow, project_id)
            return _store(uow).reports(project_id, start, end)


def check_period(start: date, end: date) -> None:
    if end < start or (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            "D9_BAD_PERIOD",
            f"A QA/QC period runs from a day to the same or a later day, at most "
            f"{MAX_PERIOD_DAYS} days (got {start} to {end}).",
            start=start.isoformat(),
            end=end.isoformat(),
        )


def _check_project(uow: UnitOfWork, project_id: str, *, participant: bool = False) -> None:
    """The project exists and, with ``participant``, an organisation's principal takes part
    in it (otherwise it is not found: its existence is not disclosed). Reading reports is
    left to the access rule (the cycle's roles read the projects in their queues)."""
    project = uow.cycle.get_project(project_id)
    principal = uow.principal
    outsider = (
        participant
        and project is not None
        and principal is not None
        and bool(principal.organisation_id)
        and principal.organisation_id not in project.participant_ids()
    )
    if project is None or outsider:
        raise NotFound(
            "D9_UNKNOWN_PROJECT", f"There is no project {project_id!r}.", project=project_id[:40]
        )


def _store(uow: UnitOfWork) -> QaStore:
    return cast(QaUnitOfWork, uow).mrv_qa


def _ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def run_json(run: QaRun) -> dict[str, object]:
    """A run as JSON: what the command line and the API print for it."""
    return {
        "project": run.project_id,
        "period_start": run.start.isoformat(),
        "period_end": run.end.isoformat(),
        "rule_set": run.rule_set,
        "totals": run.totals(),
        "flags": run.flags,
        "reports": [
            {**report_json(r), "digest": d} for r, d in zip(run.reports, run.digests, strict=True)
        ],
    }


def stored_json(project_id: str, stored: list[StoredReport]) -> dict[str, object]:
    return {
        "project": project_id,
        "reports": [
            {**report_json(s.report), "digest": s.digest, "created_at": s.created_at.isoformat()}
            for s in stored
        ],
    }
