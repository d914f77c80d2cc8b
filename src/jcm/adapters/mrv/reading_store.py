"""Readings in Parquet partitions (layout in ``jcm.adapters.mrv``). Owned by intake.

A call of intake writes **one file per partition** (project, UTC month) it touches, first
under ``<root>/incoming/<partition>/`` (fsynced, directory fsynced), and moves it to
``<root>/<partition>/`` once the receipts naming it have committed. The file's name (its
path relative to ``<root>``) is the same in both places, which is what receipts list.

Fault-injection points (``JCM_CRASH_AT``, see ``jcm.adapters.files``):

* ``mrv-intake:written``: one file written, its directory not yet fsynced (others not yet);
* ``mrv-intake:staged``: the files are durable in ``incoming``, the receipts not committed;
* ``mrv-intake:committed``: the receipts committed, nothing moved yet;
* ``mrv-intake:moved``: the first file moved, its directory not yet fsynced.

pyarrow is imported inside the functions that write (the API and CLI import this module at
start-up).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from jcm.adapters.files import crash_point, fsync_directory, private_directory
from jcm.domain.mrv.batches import Batch
from jcm.domain.mrv.intake_files import column_positions
from jcm.domain.mrv.intake_refusals import malformed_file
from jcm.service_layer.mrv.intake_ports import Recovery

INCOMING = "incoming"
SUFFIX = ".parquet"
COLUMNS = ("device", "seq", "pos", "ts", "offset_min", "wh")


def month_of(utc_seconds: int) -> str:
    tm = time.gmtime(utc_seconds)
    return f"{tm.tm_year:04d}-{tm.tm_mon:02d}"


def partition_of(project_id: str, month: str) -> str:
    # The name is a path segment and appears verbatim in the receipts' JSON (recovery
    # searches for it there): no separators, quotes or escapes.
    if not project_id or project_id.startswith(".") or any(c in project_id for c in '/\\"'):
        raise ValueError(f"project id {project_id!r} cannot name a partition")
    return f"project={project_id}/month={month}"


class _Columns:
    """The rows of one partition, column by column."""

    __slots__ = COLUMNS

    def __init__(self) -> None:
        self.device: list[str] = []
        self.seq: list[int] = []
        self.pos: list[int] = []
        self.ts: list[int] = []
        self.offset_min: list[int] = []
        self.wh: list[int] = []

    def add_whole(self, batch: Batch) -> None:
        readings = batch.readings
        n = len(readings)
        self.device.extend([batch.device] * n)
        self.seq.extend([batch.seq] * n)
        self.pos.extend(range(n))
        self.ts.extend([r.utc_seconds for r in readings])
        self.offset_min.extend([r.offset_minutes for r in readings])
        self.wh.extend([r.wh for r in readings])

    def add_one(self, batch: Batch, pos: int) -> None:
        r = batch.readings[pos]
        self.device.append(batch.device)
        self.seq.append(batch.seq)
        self.pos.append(pos)
        self.ts.append(r.utc_seconds)
        self.offset_min.append(r.offset_minutes)
        self.wh.append(r.wh)


def _schema() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa.schema(
        [
            ("device", pa.string()),
            ("seq", pa.int64()),
            ("pos", pa.int32()),
            ("ts", pa.int64()),
            ("offset_min", pa.int16()),
            ("wh", pa.int64()),
        ]
    )


def _write_file(path: Path, columns: _Columns) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    table = pa.table({name: getattr(columns, name) for name in COLUMNS}, schema=_schema())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        pq.write_table(table, handle)
        handle.flush()
        os.fsync(handle.fileno())


class ParquetReadings:
    def __init__(self, root: Path) -> None:
        self.root = root  # <data_dir>/mrv/readings

    @property
    def incoming(self) -> Path:
        return self.root / INCOMING

    def stage(self, batches: Sequence[tuple[str, Batch]]) -> list[tuple[str, ...]]:
        partitions: dict[str, _Columns] = {}
        per_batch: list[tuple[str, ...]] = []
        for project_id, batch in batches:
            per_batch.append(self._split(project_id, batch, partitions))
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        names = {p: f"{p}/{stamp}-{secrets.token_hex(8)}{SUFFIX}" for p in partitions}
        for partition, columns in partitions.items():
            directory = private_directory(self.incoming / partition)
            _write_file(self.incoming / names[partition], columns)
            crash_point("mrv-intake:written")
            fsync_directory(directory)
        crash_point("mrv-intake:staged")
        return [tuple(names[p] for p in parts) for parts in per_batch]

    @staticmethod
    def _split(project_id: str, batch: Batch, partitions: dict[str, _Columns]) -> tuple[str, ...]:
        stamps = [r.utc_seconds for r in batch.readings]
        first, last = month_of(min(stamps)), month_of(max(stamps))
        if first == last:  # the usual case: the whole batch in one partition
            partition = partition_of(project_id, first)
            partitions.setdefault(partition, _Columns()).add_whole(batch)
            return (partition,)
        touched: dict[str, None] = {}
        for pos, stamp in enumerate(stamps):
            partition = partition_of(project_id, month_of(stamp))
            partitions.setdefault(partition, _Columns()).add_one(batch, pos)
            touched[partition] = None
        return tuple(touched)

    def publish(self, names: Collection[str]) -> None:
        crash_point("mrv-intake:committed")
        for name in sorted(names):
            source, target = self.incoming / name, self.root / name
            directory = private_directory(target.parent)
            try:
                os.replace(source, target)
            except FileNotFoundError:
                if not target.exists():  # another process's recovery moved it otherwise
                    raise
            crash_point("mrv-intake:moved")
            fsync_directory(directory)

    def discard(self, names: Collection[str]) -> None:
        for name in names:
            (self.incoming / name).unlink(missing_ok=True)

    def recover(
        self, referenced: Callable[[Sequence[str]], Collection[str]], grace_seconds: float
    ) -> Recovery:
        if not self.incoming.is_dir():
            return Recovery(0, 0, 0)
        staged = sorted(
            str(path.relative_to(self.incoming)) for path in self.incoming.rglob(f"*{SUFFIX}")
        )
        named = set(referenced(staged)) if staged else set()
        self.publish(sorted(named))
        removed = kept = 0
        now = time.time()
        for name in staged:
            if name in named:
                continue
            path = self.incoming / name
            try:
                young = now - path.stat().st_mtime < grace_seconds
            except FileNotFoundError:
                continue
            if young:
                kept += 1
            else:
                path.unlink(missing_ok=True)
                removed += 1
        return Recovery(len(named), removed, kept)

    def file_rows(self, data: bytes) -> list[tuple[object, ...]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(pa.BufferReader(data))
        except (pa.ArrowException, OSError) as error:
            raise malformed_file(f"The Parquet file cannot be read: {error}.") from None
        where = column_positions(table.column_names)
        columns = [table.column(i).to_pylist() for i in where]
        return list(zip(*columns, strict=True))

    def locate(self, name: str) -> Path:
        target = self.root / name
        if target.exists():
            return target
        staged = self.incoming / name
        return staged if staged.exists() else target
