"""What the QA/QC use case needs: the vectorised job, local or on a Dask cluster, and the
unit of work that reads devices and receipts and keeps reports and daily aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DailyAggregate, DeviceQaReport, QaRuleSet
from jcm.service_layer.mrv.intake_ports import Receipt
from jcm.service_layer.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class BatchReceipt:
    """An accepted batch as the QA job needs it: when it arrived (Q04 future timestamps)
    and the Parquet files holding its readings (only receipted files are read)."""

    device: str
    seq: int
    received_at: datetime
    files: tuple[str, ...]
    # The batch's earliest and latest reading (UTC seconds), when known: each month's task
    # then gets only the receipts of batches with readings in it.
    first_ts: int | None = None
    last_ts: int | None = None


@dataclass(frozen=True, slots=True)
class QaJob:
    """One run: a project's devices and receipted batches over [start, end] (UTC days,
    inclusive). The receipts also cover ``rules.carry_lookback_days`` before ``start``
    (a cumulative register's first reading is differenced against the one before)."""

    project_id: str
    start: date
    end: date
    devices: tuple[Device, ...]
    receipts: tuple[BatchReceipt, ...]
    rules: QaRuleSet


@dataclass(frozen=True, slots=True)
class QaOutput:
    days: tuple[DailyAggregate, ...]  # one per device and day of the period, sorted
    flags: int  # flag rows the job produced (per interval, and per missing interval)


class QaEngine(Protocol):
    """Runs the QA/QC and aggregation job over Parquet partitions: in-process, or on the
    Dask scheduler at ``scheduler`` (host:port); the output is the same either way."""

    def run(self, job: QaJob, scheduler: str | None = None) -> QaOutput: ...


@dataclass(frozen=True, slots=True)
class StoredReport:
    project_id: str
    report: DeviceQaReport
    digest: str  # SHA-256 of the report's canonical JSON
    created_at: datetime


class QaStore(Protocol):
    def replace(
        self,
        project_id: str,
        reports: Sequence[tuple[DeviceQaReport, str, str]],
        days: Sequence[DailyAggregate],
        now: datetime,
    ) -> None:
        """Store (report, canonical JSON, digest) and daily rows, replacing those of the
        same (device, period, rule set) and (device, day, rule set)."""
        ...

    def reports(self, project_id: str, start: date, end: date) -> list[StoredReport]:
        """Stored reports of periods within [start, end], by device, period, rule set."""
        ...


class ProjectDevices(Protocol):
    def list(self, project_id: str | None = None) -> list[Device]: ...


class ProjectReceipts(Protocol):
    def receipts(self, project_id: str, start_ts: int, end_ts: int) -> list[Receipt]:
        """Receipts of a project with a reading in [start_ts, end_ts), by device and seq."""
        ...


class QaUnitOfWork(UnitOfWork, Protocol):
    """What a run reads (devices, receipts) and writes (``SqlUnitOfWork`` has all three)."""

    @property
    def mrv_qa(self) -> QaStore: ...
    @property
    def mrv_devices(self) -> ProjectDevices: ...
    @property
    def mrv_receipts(self) -> ProjectReceipts: ...


class QaUnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> QaUnitOfWork: ...
