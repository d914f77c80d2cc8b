"""Evidence bundles on disk: JSON plus the Parquet files they cover. Owned by verification.

A bundle is a directory, or a zip file of the same tree::

    bundle.json                 the record, receipts, log entry, proof and checkpoint
    readings/<relative path>    every Parquet file a receipt of the period names, as stored

The same class reads the platform's own Parquet store (``<data_dir>/mrv/readings``, the
layout in :mod:`jcm.adapters.mrv`) to rebuild a period's batches, so the platform and an
offline checker compute the Merkle root and QA with one implementation. Polars is imported
inside the functions that need it (the CLI and the API start without it).
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from jcm.adapters.files import private_directory, write_atomic
from jcm.adapters.mrv.signatures import Ed25519Batches, canonical_batch
from jcm.adapters.signing import NoteVerifier
from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.mrv.batches import Reading, format_timestamp
from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DEFAULT_QA_RULES, DeviceQaReport, QaRuleSet, reports_from_days
from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.mrv.intake_ports import Receipt
from jcm.service_layer.mrv.verification_ports import BatchKey

if TYPE_CHECKING:
    import polars as pl

BUNDLE_JSON = "bundle.json"
READINGS = "readings"
MAX_BUNDLE_JSON_BYTES = 256 * 1024 * 1024
MAX_EXTRACTED_BYTES = 64 * 1024**3  # a year of 1,000 meters is well under 1 GiB of Parquet
COLUMNS = ["device", "seq", "pos", "ts", "offset_min", "wh"]
INCOMING = "incoming"  # intake's staging directory under the readings root


def _unreadable(message: str, **details: object) -> InvalidInput:
    return InvalidInput("D10_BUNDLE_UNREADABLE", message, **details)


def _safe_relative(name: str) -> str:
    """A file name from a receipt or a bundle: relative, no ``..`` (never outside the tree)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise _unreadable(f"The file name {name!r} is not a relative path inside the bundle.")
    return path.as_posix()


class _Readings:
    """Reads Parquet files by their receipt names under ``root`` (the readings root)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        relative = _safe_relative(name)
        path = self.root / relative
        staged = self.root / INCOMING / relative  # intake publishes after its commit
        return staged if not path.exists() and staged.exists() else path

    def _frame(self, files: Sequence[str], devices: set[str]) -> pl.DataFrame:
        import polars as pl

        frames = []
        for name in sorted(set(files)):
            try:
                frame = pl.read_parquet(self._path(name), columns=COLUMNS)
            except (OSError, pl.exceptions.PolarsError) as error:
                raise _unreadable(
                    f"Readings file {name} cannot be read: {error}", file=name
                ) from None
            frames.append(frame.filter(pl.col("device").is_in(sorted(devices))))
        if not frames:
            return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.Int64) | {"device": pl.String})
        return pl.concat(frames, how="vertical_relaxed")

    def _rows(
        self, files: Sequence[str], batches: Sequence[BatchKey]
    ) -> Iterator[tuple[BatchKey, list[Reading]]]:
        wanted = set(batches)
        frame = self._frame(files, {d for d, _ in wanted}).sort(["device", "seq", "pos"])
        current: BatchKey | None = None
        readings: list[Reading] = []
        for device, seq, _pos, ts, offset, wh in frame.iter_rows():
            key = (device, seq)
            if key not in wanted:
                continue
            if key != current:
                if current is not None:
                    yield current, readings
                current, readings = key, []
            readings.append(Reading(ts, offset, wh))
        if current is not None:
            yield current, readings

    def canonical_batches(
        self, files: Sequence[str], batches: Sequence[BatchKey]
    ) -> dict[BatchKey, bytes]:
        out = {}
        texts = TimestampTexts()
        for (device, seq), readings in self._rows(files, batches):
            out[(device, seq)] = canonical_batch(signed_object(device, seq, readings, texts))
        return out

    def qa_reports(
        self,
        devices: Sequence[Device],
        receipts: Sequence[Receipt],
        start: date,
        end: date,
        qa_rules: Mapping[str, object],
    ) -> dict[str, DeviceQaReport]:
        for name in {n for r in receipts for n in r.files}:
            if not self._path(name).is_file():
                raise _unreadable(f"Readings file {name} is missing.", file=name)
        return run_qa(self.root, devices, receipts, start, end, qa_rules)


class TimestampTexts:
    """``format_timestamp`` with the date and offset part kept per local day: the same text
    (a unit test compares them), about four times faster on a period's readings."""

    def __init__(self) -> None:
        self._days: dict[tuple[int, int], tuple[str, str]] = {}

    def text(self, utc_seconds: int, offset_minutes: int) -> str:
        day, seconds = divmod(utc_seconds + offset_minutes * 60, 86_400)
        parts = self._days.get((day, offset_minutes))
        if parts is None:
            midnight = format_timestamp(day * 86_400 - offset_minutes * 60, offset_minutes)
            parts = (midnight[:11], midnight[19:])
            self._days[(day, offset_minutes)] = parts
        hours, rest = divmod(seconds, 3600)
        minutes, second = divmod(rest, 60)
        return f"{parts[0]}{hours:02d}:{minutes:02d}:{second:02d}{parts[1]}"


def signed_object(
    device: str, seq: int, readings: Sequence[Reading], texts: TimestampTexts
) -> dict[str, object]:
    """:func:`~jcm.domain.mrv.batches.batch_object` of the batch (the object its device
    signed), its timestamps written by ``texts``."""
    return {
        "device": device,
        "seq": seq,
        "readings": [[texts.text(r.utc_seconds, r.offset_minutes), r.wh] for r in readings],
    }


def run_qa(
    root: Path,
    devices: Sequence[Device],
    receipts: Sequence[Receipt],
    start: date,
    end: date,
    qa_rules: Mapping[str, object],
) -> dict[str, DeviceQaReport]:
    """The QA part's job (the same code as ``jcm mrv qa``) over receipted files under root."""
    from jcm.adapters.mrv.qa_engine import PolarsQaEngine
    from jcm.service_layer.mrv.qa_ports import BatchReceipt, QaJob

    project = devices[0].project_id if devices else ""
    job = QaJob(
        project,
        start,
        end,
        tuple(devices),
        tuple(BatchReceipt(r.device, r.seq, r.received_at, r.files) for r in receipts),
        qa_rule_set(qa_rules),
    )
    output = PolarsQaEngine(root).run(job)
    reports = reports_from_days(output.days, start.isoformat(), end.isoformat())
    return {r.device: r for r in reports}


def qa_rule_set(data: Mapping[str, object]) -> QaRuleSet:
    """A QA rule set from its ``as_json`` (Decimals as text)."""
    values: dict[str, Any] = {}
    for f in fields(QaRuleSet):
        if f.name in data:
            default = getattr(DEFAULT_QA_RULES, f.name)
            raw = data[f.name]
            values[f.name] = Decimal(str(raw)) if isinstance(default, Decimal) else raw
    return QaRuleSet(**values)


class _OpenedBundle(_Readings):
    def __init__(
        self,
        root: Path,
        document: bytes,
        keep: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        super().__init__(root / READINGS)
        self.document = document
        self._keep = keep  # a temporary directory a zip was extracted to

    def close(self) -> None:
        if isinstance(self._keep, tempfile.TemporaryDirectory):
            self._keep.cleanup()


class BundleDirectory(_Readings):
    """Writes and opens evidence bundles, and reads the platform's own readings under
    ``<data_dir>/mrv/readings`` (``root`` is ``<data_dir>/mrv/bundles``)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root.parent / READINGS)
        self.bundles = root
        self._signatures = Ed25519Batches()

    def write(self, path: Path, document: bytes, files: Mapping[str, Path]) -> None:
        names = {_safe_relative(name): source for name, source in files.items()}
        for name, source in names.items():
            if not source.is_file():
                raise NotFound("D10_FILE_MISSING", f"Readings file {name} is missing.", file=name)
        if path.suffix == ".zip":
            self._write_zip(path, document, names)
        else:
            self._write_directory(path, document, names)

    def zipped(self, document: bytes, files: Mapping[str, Path]) -> bytes:
        names = {_safe_relative(name): source for name, source in files.items()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(BUNDLE_JSON, document)
            for name, source in sorted(names.items()):
                if not source.is_file():
                    raise NotFound(
                        "D10_FILE_MISSING", f"Readings file {name} is missing.", file=name
                    )
                archive.write(source, f"{READINGS}/{name}")
        return buffer.getvalue()

    def _write_zip(self, path: Path, document: bytes, names: Mapping[str, Path]) -> None:
        data = self.zipped(document, names)
        private_directory(path.parent)
        write_atomic(path, data, crash_label="bundle")

    def _write_directory(self, path: Path, document: bytes, names: Mapping[str, Path]) -> None:
        if path.exists() and any(path.iterdir()):
            raise InvalidInput(
                "D10_BUNDLE_EXISTS",
                f"{path} exists and is not empty; choose a new directory or a .zip name.",
                path=str(path),
            )
        private_directory(path.parent)
        staging = Path(tempfile.mkdtemp(prefix=".bundle-", dir=path.parent))
        try:
            for name, source in sorted(names.items()):
                target = staging / READINGS / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            (staging / BUNDLE_JSON).write_bytes(document)
            if path.exists():
                path.rmdir()
            staging.rename(path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def open(self, path: Path) -> _OpenedBundle:
        if path.is_dir():
            return _OpenedBundle(path, _bounded(path / BUNDLE_JSON))
        if not path.is_file():
            raise _unreadable(f"There is no bundle at {path}.", path=str(path))
        keep = tempfile.TemporaryDirectory(prefix="jcm-bundle-")
        root = Path(keep.name)
        try:
            with zipfile.ZipFile(path) as archive:
                document = _extract(archive, root)
        except (zipfile.BadZipFile, OSError) as error:
            keep.cleanup()
            raise _unreadable(
                f"{path} is neither a bundle directory nor a zip holding {BUNDLE_JSON}: {error}",
                path=str(path),
            ) from None
        except BaseException:
            keep.cleanup()
            raise
        return _OpenedBundle(root, document, keep)

    def verify_signature(self, signed_bytes: bytes, signature: str, public_key: str) -> bool:
        try:
            return self._signatures.verify(signed_bytes, signature, public_key)
        except InvalidInput:  # a malformed key signs nothing
            return False

    def log_verifier(self, key_text: str) -> Verifier:
        return NoteVerifier.from_verifier_key(key_text)


def _extract(archive: zipfile.ZipFile, root: Path) -> bytes:
    """bundle.json's bytes; the readings extracted under ``root`` (names checked)."""
    try:
        info = archive.getinfo(BUNDLE_JSON)
    except KeyError:
        raise _unreadable(f"The zip holds no {BUNDLE_JSON}.") from None
    if info.file_size > MAX_BUNDLE_JSON_BYTES:
        raise _unreadable(f"{BUNDLE_JSON} is too large.")
    if sum(member.file_size for member in archive.infolist()) > MAX_EXTRACTED_BYTES:
        raise _unreadable(f"The zip would extract to more than {MAX_EXTRACTED_BYTES:,} bytes.")
    for member in archive.infolist():
        name = _safe_relative(member.filename)
        if member.is_dir() or not name.startswith(f"{READINGS}/"):
            continue
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
    return archive.read(BUNDLE_JSON)


def _bounded(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BUNDLE_JSON_BYTES:
            raise _unreadable(f"{path} is too large.")
        return path.read_bytes()
    except OSError as error:
        raise _unreadable(f"{path} cannot be read: {error.strerror}", path=str(path)) from None
