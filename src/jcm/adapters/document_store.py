"""A content-addressed document store on disk (SHA-256), with public and confidential versions.

Layout under ``root``::

    objects/ab/cdef…   the bytes, named by their SHA-256 (first two hex digits as directory)
    meta/ab/cdef….json size, media type, original filename and visibility of that object's
                       first upload, and under ``also`` every other (visibility, media type,
                       filename) the same bytes were uploaded under (its *labels*)

Every file is written to a temporary file in its final directory, flushed to disk and moved
into place with :func:`os.replace`, so a reader sees either nothing or the whole file.
Writing the same bytes again returns the reference as given (never the earlier upload's
metadata, so an upload tells nothing about what is stored) and adds its label if new; a
missing or damaged object is rewritten from the bytes given. Every read re-hashes the bytes, and a
damaged object is reported (``P9_DOCUMENT_CORRUPTED``), never returned.

A document submitted with confidential content has two versions `[C:S2]`: the public one
with those parts made illegible, and the full confidential one. Confidential objects are
returned only to readers that the domain rule :func:`jcm.domain.cycle.documents.may_read`
admits for the document's project; to anyone else a confidential version is answered
exactly as an absent one (``K4_NOT_VISIBLE``). Files are read-only once written; an object
with a confidential label is readable by the owner only, one only ever public by the owner
and its group; directories are closed to others.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

from jcm.adapters.files import TEMPORARY_PREFIX, crash_point, write_atomic
from jcm.domain.cycle.actors import Actor
from jcm.domain.cycle.documents import (
    DocumentAccess,
    DocumentKind,
    StoredDocument,
    StoredObject,
    Visibility,
    check_distinct_versions,
    check_may_read,
    check_sha256,
    not_visible,
    published,
)
from jcm.domain.errors import DataCorruption, InvalidInput, JcmError
from jcm.service_layer.ports import Inventory, StagedBatch

__all__ = ["DocumentStore", "Inventory", "StagedBatch", "StoredDocument", "StoredObject"]

DIRECTORY_MODE = 0o750
STAGING = "staging"
FILE_MODES = {Visibility.PUBLIC: 0o440, Visibility.CONFIDENTIAL: 0o400}
MAX_FILENAME_BYTES = 255
_TOKEN = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}$")


def _check_media_type(media_type: str) -> str:
    value = media_type.strip().lower() if isinstance(media_type, str) else ""
    if not _MEDIA_TYPE.match(value):
        raise InvalidInput(
            "P8_BAD_MEDIA_TYPE",
            f"Media type {media_type!r} must look like type/subtype, e.g. application/pdf.",
            media_type=repr(media_type),
        )
    return value


def _check_filename(filename: str) -> str:
    ok = (
        isinstance(filename, str)
        and filename.strip() == filename
        and filename not in ("", ".", "..")
        and not any(c in filename for c in "/\\\x00")
        and filename.isprintable()
        and len(filename.encode("utf-8", "surrogatepass")) <= MAX_FILENAME_BYTES
    )
    if not ok:
        raise InvalidInput(
            "P8_BAD_FILENAME",
            f"Original filename {filename!r} must be a plain file name of 1-255 bytes without "
            "path separators, control characters or surrounding spaces.",
            filename=repr(filename),
        )
    return filename


def _mode(labels: list[StoredObject]) -> int:
    """Owner-only once any label is confidential; owner and group while all are public."""
    if any(label.visibility is Visibility.CONFIDENTIAL for label in labels):
        return FILE_MODES[Visibility.CONFIDENTIAL]
    return FILE_MODES[Visibility.PUBLIC]


def _label(data: dict[str, Any], fields: dict[str, Any]) -> StoredObject:
    return StoredObject(
        data["sha256"],
        data["size"],
        fields["media_type"],
        fields["filename"],
        Visibility(fields["visibility"]),
    )


def _is_hex(path: Path, name: str | None = None) -> bool:
    text = name if name is not None else path.parent.name + path.name
    return bool(re.fullmatch(r"[0-9a-f]{64}", text))


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        for directory in (
            self.root,
            self.root / "objects",
            self.root / "meta",
            self.root / STAGING,
        ):
            directory.mkdir(parents=True, exist_ok=True)
            directory.chmod(DIRECTORY_MODE)

    # -- paths -------------------------------------------------------------------------------

    def object_path(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / "objects" / sha256[:2] / sha256[2:]

    def meta_path(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / "meta" / sha256[:2] / f"{sha256[2:]}.json"

    # -- writing -----------------------------------------------------------------------------

    def _write_atomic(self, path: Path, data: bytes, mode: int, label: str = "") -> None:
        directory = path.parent
        if not directory.is_dir():
            directory.mkdir(exist_ok=True)
            directory.chmod(DIRECTORY_MODE)
        write_atomic(path, data, mode, crash_label=label)

    def put(
        self,
        data: bytes,
        *,
        media_type: str,
        filename: str,
        visibility: Visibility = Visibility.PUBLIC,
    ) -> StoredObject:
        """Store ``data``; return the reference **as given** (hash, size and the caller's own
        media type, filename and visibility), whether or not the bytes were stored before.

        One object is kept per hash; each distinct (visibility, media type, filename) it was
        uploaded under is kept as a *label* of it, so the same bytes may be public in one
        place and confidential in another. Nothing in the answer depends on earlier uploads
        (no oracle: a guessed plaintext is answered exactly as a fresh upload).
        """
        content, stored = self._object(data, media_type, filename, visibility)
        if not self.meta_path(stored.sha256).exists():
            self._write(stored, content)
            return stored
        labels = self._labels_or_none(stored.sha256)
        if labels is None:  # unreadable metadata: the upload repairs it
            self._write(stored, content)
            return stored
        if not self._object_intact(labels[0]):
            self._write_atomic(self.object_path(stored.sha256), content, _mode([*labels, stored]))
        if stored not in labels:
            self._write_labels([*labels, stored])
        return stored

    def _object(
        self, data: bytes, media_type: str, filename: str, visibility: Visibility
    ) -> tuple[bytes, StoredObject]:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidInput("P8_BAD_DOCUMENT", "A document's content must be bytes.")
        content = bytes(data)
        return content, StoredObject(
            hashlib.sha256(content).hexdigest(),
            len(content),
            _check_media_type(media_type),
            _check_filename(filename),
            Visibility(visibility),
        )

    def _write(self, stored: StoredObject, content: bytes) -> None:
        # The object first, then its metadata: metadata on disk means the bytes were written;
        # an object without metadata is an orphan of a crash (reported, swept), not damage.
        mode = FILE_MODES[stored.visibility]
        self._write_atomic(self.object_path(stored.sha256), content, mode, "document-object")
        crash_point("document:between-object-and-metadata")
        self._write_labels([stored])

    def _write_labels(self, labels: list[StoredObject]) -> None:
        """The metadata file: the first upload's fields at the top (the format of issue 8),
        and the further labels, if any, under ``also``. A confidential label makes the
        object and its metadata readable by the owner only."""
        first, *more = labels
        data: dict[str, object] = dict(first.to_json())
        if more:
            data["also"] = [
                {k: v for k, v in label.to_json().items() if k not in ("sha256", "size")}
                for label in more
            ]
        mode = _mode(labels)
        meta = json.dumps(data, sort_keys=True).encode("utf-8")
        self._write_atomic(self.meta_path(first.sha256), meta, mode, "document-meta")
        if more:
            self.object_path(first.sha256).chmod(mode)

    def put_document(
        self,
        kind: DocumentKind,
        public: bytes,
        *,
        media_type: str,
        filename: str,
        confidential: bytes | None = None,
        confidential_filename: str | None = None,
    ) -> StoredDocument:
        """Store a document's public version and, if it has one, its confidential version."""
        kind = DocumentKind(kind)
        check_distinct_versions(kind, public, confidential)
        public_object = self.put(public, media_type=media_type, filename=filename)
        confidential_object = None
        if confidential is not None:
            confidential_object = self.put(
                confidential,
                media_type=media_type,
                filename=confidential_filename or filename,
                visibility=Visibility.CONFIDENTIAL,
            )
        return StoredDocument(kind, public_object, confidential_object)

    # -- reading -----------------------------------------------------------------------------

    def _corrupted(self, sha256: str, why: str) -> DataCorruption:
        return DataCorruption(
            "P9_DOCUMENT_CORRUPTED",
            f"Stored document {sha256} is damaged ({why}); restore it from a backup or "
            "store the original bytes again.",
            sha256=sha256,
            problem=why,
        )

    def _load_meta(self, sha256: str) -> StoredObject:
        return self.labels(sha256)[0]

    def labels(self, sha256: str) -> list[StoredObject]:
        """Every (visibility, media type, filename) the bytes were uploaded under, first
        upload first. Absent: ``K4_NOT_VISIBLE`` (the one answer for absent and hidden)."""
        path = self.meta_path(sha256)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            if self.object_path(sha256).exists():
                raise self._corrupted(sha256, "its metadata is missing") from None
            raise not_visible(sha256) from None
        try:
            data = json.loads(raw)
            first = _label(data, data)
            labels = [first, *(_label(data, extra) for extra in data.get("also", []))]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise self._corrupted(sha256, "its metadata is unreadable") from None
        if first.sha256 != sha256 or not isinstance(first.size, int):
            raise self._corrupted(sha256, "its metadata names another object")
        return labels

    def _labels_or_none(self, sha256: str) -> list[StoredObject] | None:
        try:
            return self.labels(sha256)
        except DataCorruption:
            return None

    def _object_intact(self, stored: StoredObject) -> bool:
        try:
            content = self.object_path(stored.sha256).read_bytes()
        except FileNotFoundError:
            return False
        return len(content) == stored.size and hashlib.sha256(content).hexdigest() == stored.sha256

    def stat(
        self,
        sha256: str,
        *,
        reader: Actor | None = None,
        access: DocumentAccess | None = None,
    ) -> StoredObject:
        """The first label of a stored version the reader may see (any uploaded as public;
        confidential ones only for ``may_read``); ``K4_NOT_VISIBLE`` alike for absent ones."""
        labels = self.labels(check_sha256(sha256))
        if not published((), labels):
            check_may_read([reader] if reader else [], Visibility.CONFIDENTIAL, access, sha256)
        return labels[0]

    def read(
        self,
        sha256: str,
        *,
        reader: Actor | None = None,
        access: DocumentAccess | None = None,
    ) -> bytes:
        """The bytes of a stored version, re-hashed; confidential ones only for ``may_read``."""
        return self._verified_bytes(self.stat(sha256, reader=reader, access=access))

    def _verified_bytes(self, stored: StoredObject) -> bytes:
        sha256 = stored.sha256
        try:
            content = self.object_path(sha256).read_bytes()
        except FileNotFoundError:
            raise self._corrupted(sha256, "its bytes are missing") from None
        if len(content) != stored.size:
            raise self._corrupted(sha256, f"{len(content)} bytes instead of {stored.size}")
        actual = hashlib.sha256(content).hexdigest()
        if actual != sha256:
            raise self._corrupted(sha256, f"its bytes hash to {actual}")
        return content

    def read_unchecked(self, sha256: str) -> tuple[StoredObject, bytes]:
        """Metadata and re-hashed bytes, with no access check (the service decides)."""
        stored = self._load_meta(check_sha256(sha256))
        return stored, self._verified_bytes(stored)

    def metadata(self, sha256: str) -> dict[str, str | int] | None:
        """The metadata file's fields as stored, or None if it is missing or unreadable."""
        try:
            data = json.loads(self.meta_path(sha256).read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def inventory(self) -> Inventory:
        """What is on disk: objects, metadata files, temporary files, staged batches."""
        objects = {
            path.parent.name + path.name
            for path in (self.root / "objects").glob("*/*")
            if not path.name.startswith(TEMPORARY_PREFIX) and _is_hex(path)
        }
        metas = {
            path.parent.name + path.name.removesuffix(".json")
            for path in (self.root / "meta").glob("*/*.json")
            if not path.name.startswith(TEMPORARY_PREFIX)
        }
        temporaries = sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob(f"{TEMPORARY_PREFIX}*")
            if STAGING not in p.relative_to(self.root).parts
        )
        return Inventory(frozenset(objects), frozenset(metas), tuple(temporaries))

    def intact(self, sha256: str) -> bool:
        """Whether the object's bytes match its metadata (and its name)."""
        try:
            return self._object_intact(self._load_meta(sha256))
        except JcmError:
            return False

    def remove(self, sha256: str) -> None:
        """Remove an object and its metadata (sweeping an orphan)."""
        for path in (self.object_path(sha256), self.meta_path(sha256)):
            path.unlink(missing_ok=True)

    def remove_temporaries(self) -> None:
        for name in self.inventory().temporaries:
            (self.root / name).unlink(missing_ok=True)

    # -- staging: uploads of a step, promoted only when the step commits -----------------------

    def _batch(self, batch: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{16,64}", batch):
            raise ValueError(f"not a staging batch name: {batch!r}")
        return self.root / STAGING / batch

    def stage(
        self,
        batch: str,
        data: bytes,
        *,
        media_type: str,
        filename: str,
        visibility: Visibility = Visibility.PUBLIC,
    ) -> StoredObject:
        """Keep an upload aside under ``batch`` until :meth:`promote` or :meth:`discard`;
        the answer is the reference as given, as from :meth:`put`."""
        content, stored = self._object(data, media_type, filename, visibility)
        if self.meta_path(stored.sha256).exists():
            labels = self._labels_or_none(stored.sha256)
            if labels and stored in labels and self._object_intact(labels[0]):
                return stored  # already stored under this label: nothing to stage
        directory = self._batch(batch)
        directory.mkdir(mode=0o700, exist_ok=True)
        write_atomic(directory / stored.sha256, content, 0o600)
        meta = json.dumps(stored.to_json(), sort_keys=True).encode("utf-8")
        write_atomic(directory / f"{stored.sha256}.json", meta, 0o600)
        return stored

    def staged_batches(self) -> list[StagedBatch]:
        batches = []
        for directory in sorted((self.root / STAGING).iterdir()):
            if not directory.is_dir():
                continue
            shas = sorted(p.stem for p in directory.glob("*.json") if _is_hex(p, p.stem))
            age = time.time() - directory.stat().st_mtime
            batches.append(StagedBatch(directory.name, tuple(shas), age))
        return batches

    def promote(self, batch: str) -> None:
        """Move a batch's uploads into the store (after the step committed)."""
        directory = self._batch(batch)
        if not directory.is_dir():
            return
        for meta_file in sorted(directory.glob("*.json")):
            sha256 = meta_file.stem
            data = json.loads(meta_file.read_bytes())
            content = (directory / sha256).read_bytes()
            self.put(
                content,
                media_type=data["media_type"],
                filename=data["filename"],
                visibility=Visibility(data["visibility"]),
            )
        self.discard(batch)

    def discard(self, batch: str) -> None:
        """Forget a batch's uploads (the step was refused)."""
        directory = self._batch(batch)
        if directory.is_dir():
            shutil.rmtree(directory)
