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
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from jcm.adapters.files import private_directory, write_atomic
from jcm.adapters.mrv.signatures import Ed25519Batches, canonical_batch
from jcm.adapters.signing import NoteVerifier
from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.mrv.batches import Batch, Reading, batch_object
from jcm.domain.mrv.devices import Device
from jcm.domain.mrv.qa import DeviceQaReport
from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.mrv.verification_ports import BatchKey

if TYPE_CHECKING:
    import polars as pl

BUNDLE_JSON = "bundle.json"
READINGS = "readings"
MAX_BUNDLE_JSON_BYTES = 256 * 1024 * 1024
COLUMNS = ["device", "seq", "pos", "ts", "offset_min", "wh"]


def _unreadable(message: str, **details: object) -> InvalidInput:
    return InvalidInput("D10_BUNDLE_UNREADABLE", message, **details)


def _safe_relative(name: str) -> str:
    """A file name from a receipt or a bundle: relative, no ``..`` (never outside the tree)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise _unreadable(f"The file name {name!r} is not a relative path inside the bundle.")
    return path.as_posix()


class _Readings:
    """Reads Parquet files by their relative names through ``source`` (path or bytes)."""

    def _source(self, name: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _frame(self, files: Sequence[str], devices: set[str]) -> pl.DataFrame:
        import polars as pl

        frames = []
        for name in sorted(set(files)):
            try:
                frame = pl.read_parquet(self._source(_safe_relative(name)), columns=COLUMNS)
            except (OSError, pl.exceptions.PolarsError) as error:
                raise _unreadable(f"Readings file {name} cannot be read: {error}", file=name)
            frames.append(frame.filter(pl.col("device").is_in(sorted(devices))))
        if not frames:
            return pl.DataFrame(
                schema={
                    "device": pl.String,
                    "seq": pl.Int64,
                    "pos": pl.Int32,
                    "ts": pl.Int64,
                    "offset_min": pl.Int16,
                    "wh": pl.Int64,
                }
            )
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
        for (device, seq), readings in self._rows(files, batches):
            out[(device, seq)] = canonical_batch(batch_object(Batch(device, seq, tuple(readings))))
        return out

    def qa_report(
        self,
        device: Device,
        files: Sequence[str],
        batches: Sequence[BatchKey],
        start: date,
        end: date,
        qa_rules: Mapping[str, object],
    ) -> DeviceQaReport:
        import polars as pl

        wanted = [key for key in batches if key[0] == device.id]
        pairs = pl.DataFrame(
            {"device": [d for d, _ in wanted], "seq": [s for _, s in wanted]},
            schema={"device": pl.String, "seq": pl.Int64},
        )
        frame = self._frame(files, {device.id}).join(pairs, on=["device", "seq"], how="semi")
        return run_device_qa(device, frame, start, end, qa_rules)


def run_device_qa(
    device: Device,
    frame: pl.DataFrame,
    start: date,
    end: date,
    qa_rules: Mapping[str, object],
) -> DeviceQaReport:
    """The QA/QC job's pure function on one device's rows (the QA part's implementation)."""
    from jcm.adapters.mrv.qa_engine import device_report

    return device_report(device, frame, start, end, qa_rules)


class _DirectoryReadings(_Readings):
    def __init__(self, root: Path) -> None:
        self.root = root

    def _source(self, name: str) -> Any:
        return self.root / name


class _OpenedDirectory(_DirectoryReadings):
    def __init__(self, root: Path, document: bytes) -> None:
        super().__init__(root / READINGS)
        self.document = document


class _OpenedZip(_Readings):
    def __init__(self, archive: zipfile.ZipFile, document: bytes) -> None:
        self.archive = archive
        self.document = document

    def _source(self, name: str) -> Any:
        try:
            return io.BytesIO(self.archive.read(f"{READINGS}/{name}"))
        except KeyError:
            raise _unreadable(f"The bundle has no readings file {name}.", file=name) from None


class BundleDirectory(_DirectoryReadings):
    """Writes and opens evidence bundles; reads the platform's readings under
    ``root.parent / "readings"`` (``root`` is ``<data_dir>/mrv/bundles``)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root.parent / READINGS)
        self.bundles = root
        self._signatures = Ed25519Batches()

    def write(self, path: Path, document: bytes, files: Sequence[str]) -> None:
        names = sorted({_safe_relative(f) for f in files})
        for name in names:
            if not (self.root / name).is_file():
                raise NotFound("D10_FILE_MISSING", f"Readings file {name} is missing.", file=name)
        if path.suffix == ".zip":
            self._write_zip(path, document, names)
        else:
            self._write_directory(path, document, names)

    def _write_zip(self, path: Path, document: bytes, names: list[str]) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(BUNDLE_JSON, document)
            for name in names:
                archive.write(self.root / name, f"{READINGS}/{name}")
        private_directory(path.parent)
        write_atomic(path, buffer.getvalue(), crash_label="bundle")

    def _write_directory(self, path: Path, document: bytes, names: list[str]) -> None:
        if path.exists() and any(path.iterdir()):
            raise InvalidInput(
                "D10_BUNDLE_EXISTS",
                f"{path} exists and is not empty; choose a new directory or a .zip name.",
                path=str(path),
            )
        private_directory(path.parent)
        staging = Path(tempfile.mkdtemp(prefix=".bundle-", dir=path.parent))
        try:
            for name in names:
                target = staging / READINGS / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.root / name, target)
            (staging / BUNDLE_JSON).write_bytes(document)
            if path.exists():
                path.rmdir()
            staging.rename(path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def open(self, path: Path) -> _OpenedDirectory | _OpenedZip:
        if path.is_dir():
            document = _bounded(path / BUNDLE_JSON)
            return _OpenedDirectory(path, document)
        if not path.is_file():
            raise _unreadable(f"There is no bundle at {path}.", path=str(path))
        try:
            archive = zipfile.ZipFile(path)
            info = archive.getinfo(BUNDLE_JSON)
            if info.file_size > MAX_BUNDLE_JSON_BYTES:
                raise _unreadable(f"{BUNDLE_JSON} in {path} is too large.")
            return _OpenedZip(archive, archive.read(BUNDLE_JSON))
        except (zipfile.BadZipFile, KeyError, OSError) as error:
            raise _unreadable(
                f"{path} is neither a bundle directory nor a zip holding {BUNDLE_JSON}: {error}",
                path=str(path),
            ) from None

    def verify_signature(self, signed_bytes: bytes, signature: str, public_key: str) -> bool:
        try:
            return self._signatures.verify(signed_bytes, signature, public_key)
        except InvalidInput:  # a malformed key signs nothing
            return False

    def log_verifier(self, key_text: str) -> Verifier:
        return NoteVerifier.from_verifier_key(key_text)


def _bounded(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BUNDLE_JSON_BYTES:
            raise _unreadable(f"{path} is too large.")
        return path.read_bytes()
    except OSError as error:
        raise _unreadable(f"{path} cannot be read: {error.strerror}", path=str(path)) from None
