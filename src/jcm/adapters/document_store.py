"""A content-addressed document store on disk (SHA-256), with public and confidential versions.

Layout under ``root``::

    objects/ab/cdef…   the bytes, named by their SHA-256 (first two hex digits as directory)
    meta/ab/cdef….json size, media type, original filename and visibility of that object

Every file is written to a temporary file in its final directory, flushed to disk and moved
into place with :func:`os.replace`, so a reader sees either nothing or the whole file.
Writing the same bytes again changes nothing and returns the same reference; a missing or
damaged object is rewritten from the bytes given. Every read re-hashes the bytes, and a
damaged object is reported (``P9_DOCUMENT_CORRUPTED``), never returned.

A document submitted with confidential content has two versions `[C:S2]`: the public one
with those parts made illegible, and the full confidential one. Confidential objects are
returned only to readers that the domain rule :func:`jcm.domain.cycle.documents.may_read`
admits for the document's project. Files are read-only once written; confidential files
are readable by the owner only, public ones by the owner and its group; directories are
closed to others.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

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
)
from jcm.domain.errors import DataCorruption, InvalidInput, JcmError, NotFound, RuleViolation
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
        """Store ``data``; storing the same bytes again returns the first reference.

        The first upload's media type and filename stay with the bytes; a later upload of
        the same bytes under another visibility is refused (``P9_VISIBILITY_CONFLICT``).
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidInput("P8_BAD_DOCUMENT", "A document's content must be bytes.")
        content = bytes(data)
        visibility = Visibility(visibility)
        stored = StoredObject(
            hashlib.sha256(content).hexdigest(),
            len(content),
            _check_media_type(media_type),
            _check_filename(filename),
            visibility,
        )
        meta_path = self.meta_path(stored.sha256)
        if meta_path.exists():
            existing = self._load_meta(stored.sha256)
            self._refuse_other_visibility(existing, visibility)
            if not self._object_intact(existing):
                self._write_atomic(self.object_path(stored.sha256), content, FILE_MODES[visibility])
            return existing
        self._write(stored, content)
        return stored

    def _refuse_other_visibility(self, existing: StoredObject, visibility: Visibility) -> None:
        if existing.visibility is not visibility:
            raise RuleViolation(
                "P9_VISIBILITY_CONFLICT",
                f"Document {existing.sha256} is already stored as "
                f"{existing.visibility.value}; the same bytes cannot also be "
                f"{visibility.value}. A public version must have the confidential parts "
                "made illegible.",
                sha256=existing.sha256,
                stored=existing.visibility.value,
                given=visibility.value,
            )

    def _write(self, stored: StoredObject, content: bytes) -> None:
        # The object first, then its metadata: metadata on disk means the bytes were written;
        # an object without metadata is an orphan of a crash (reported, swept), not damage.
        mode = FILE_MODES[stored.visibility]
        self._write_atomic(self.object_path(stored.sha256), content, mode, "document-object")
        crash_point("document:between-object-and-metadata")
        meta = json.dumps(stored.to_json(), sort_keys=True).encode("utf-8")
        self._write_atomic(self.meta_path(stored.sha256), meta, mode, "document-meta")

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
        path = self.meta_path(sha256)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            if self.object_path(sha256).exists():
                raise self._corrupted(sha256, "its metadata is missing") from None
            raise NotFound(
                "P9_UNKNOWN_DOCUMENT",
                f"No document with SHA-256 {sha256} is stored.",
                sha256=sha256,
            ) from None
        try:
            data = json.loads(raw)
            stored = StoredObject(
                data["sha256"],
                data["size"],
                data["media_type"],
                data["filename"],
                Visibility(data["visibility"]),
            )
        except (ValueError, KeyError, TypeError):
            raise self._corrupted(sha256, "its metadata is unreadable") from None
        if stored.sha256 != sha256 or not isinstance(stored.size, int):
            raise self._corrupted(sha256, "its metadata names another object")
        return stored

    def _object_intact(self, stored: StoredObject) -> bool:
        try:
            content = self.object_path(stored.sha256).read_bytes()
        except FileNotFoundError:
            return False
        return len(content) == stored.size and hashlib.sha256(content).hexdigest() == stored.sha256

    def _check_access(
        self, stored: StoredObject, reader: Actor | None, access: DocumentAccess | None
    ) -> None:
        check_may_read(reader, stored.visibility, access, stored.sha256)

    def stat(
        self,
        sha256: str,
        *,
        reader: Actor | None = None,
        access: DocumentAccess | None = None,
    ) -> StoredObject:
        stored = self._load_meta(check_sha256(sha256))
        self._check_access(stored, reader, access)
        return stored

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
        """Keep an upload aside under ``batch`` until :meth:`promote` or :meth:`discard`."""
        content = bytes(data)
        stored = StoredObject(
            hashlib.sha256(content).hexdigest(),
            len(content),
            _check_media_type(media_type),
            _check_filename(filename),
            Visibility(visibility),
        )
        if self.meta_path(stored.sha256).exists():
            existing = self._load_meta(stored.sha256)
            self._refuse_other_visibility(existing, stored.visibility)
            if self._object_intact(existing):
                return existing  # already stored: nothing to stage
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
