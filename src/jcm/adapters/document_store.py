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
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jcm.domain.cycle.actors import Actor
from jcm.domain.cycle.documents import (
    DocumentAccess,
    DocumentKind,
    DocumentRef,
    Visibility,
    check_sha256,
    may_read,
)
from jcm.domain.errors import DataCorruption, InvalidInput, JcmError, NotFound, RuleViolation

DIRECTORY_MODE = 0o750
FILE_MODES = {Visibility.PUBLIC: 0o440, Visibility.CONFIDENTIAL: 0o400}
MAX_FILENAME_BYTES = 255
_TOKEN = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}$")


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A reference to one stored version: hash (hex), size, media type, original filename."""

    sha256: str
    size: int
    media_type: str
    filename: str
    visibility: Visibility

    def ref(self, kind: DocumentKind) -> DocumentRef:
        return DocumentRef(kind, self.sha256, self.visibility)

    def to_json(self) -> dict[str, str | int]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "filename": self.filename,
            "visibility": self.visibility.value,
        }


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document of one kind: its public version and, optionally, its confidential one."""

    kind: DocumentKind
    public: StoredObject
    confidential: StoredObject | None = None

    def refs(self) -> tuple[DocumentRef, ...]:
        """The references to attach to a project-cycle step."""
        versions = (self.public, self.confidential)
        return tuple(v.ref(self.kind) for v in versions if v is not None)


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


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        for directory in (self.root, self.root / "objects", self.root / "meta"):
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

    def _write_atomic(self, path: Path, data: bytes, mode: int) -> None:
        directory = path.parent
        if not directory.is_dir():
            directory.mkdir(exist_ok=True)
            directory.chmod(DIRECTORY_MODE)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(directory)

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
            if existing.visibility is not visibility:
                raise RuleViolation(
                    "P9_VISIBILITY_CONFLICT",
                    f"Document {stored.sha256} is already stored as "
                    f"{existing.visibility.value}; the same bytes cannot also be "
                    f"{visibility.value}. A public version must have the confidential parts "
                    "made illegible.",
                    sha256=stored.sha256,
                    stored=existing.visibility.value,
                    given=visibility.value,
                )
            if not self._object_intact(existing):
                self._write_atomic(self.object_path(stored.sha256), content, FILE_MODES[visibility])
            return existing
        # The object first, then its metadata: metadata on disk means the bytes were written.
        self._write_atomic(self.object_path(stored.sha256), content, FILE_MODES[visibility])
        meta = json.dumps(stored.to_json(), sort_keys=True).encode("utf-8")
        self._write_atomic(meta_path, meta, FILE_MODES[visibility])
        return stored

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
        if confidential is not None and bytes(confidential) == bytes(public):
            raise InvalidInput(
                "P8_SAME_VERSIONS",
                f"The public and confidential versions of the {kind.value} are identical; "
                "the public version must have the confidential parts made illegible, or "
                "submit only a public version.",
                kind=kind.value,
            )
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
        if stored.visibility is Visibility.PUBLIC:
            return
        if access is None or not may_read(reader, stored.visibility, access):
            who = reader.describe() if reader is not None else "An anonymous reader"
            raise RuleViolation(
                "P9_CONFIDENTIAL",
                f"{who} may not read confidential document {stored.sha256}; only the "
                "project's participants, the TPEs engaged on it, the secretariat and the JC "
                "members of its partnership may. The public version is open to everyone.",
                sha256=stored.sha256,
                reader=reader.organisation_id if reader is not None else None,
                role=reader.role.value if reader is not None else None,
            )

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
        stored = self.stat(sha256, reader=reader, access=access)
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

    def verify_all(self) -> list[str]:
        """The hashes of every stored object that is damaged or lacks its metadata."""
        damaged: set[str] = set()
        for path in sorted((self.root / "objects").glob("*/*")):
            if path.name.startswith(".tmp-"):
                continue
            sha256 = path.parent.name + path.name
            try:
                stored = self._load_meta(check_sha256(sha256))
            except JcmError:
                damaged.add(sha256)
                continue
            if not self._object_intact(stored):
                damaged.add(sha256)
        for path in sorted((self.root / "meta").glob("*/*.json")):
            sha256 = path.parent.name + path.name.removesuffix(".json")
            try:
                missing = not self.object_path(sha256).exists()
            except InvalidInput:
                missing = True
            if missing:
                damaged.add(sha256)
        return sorted(damaged)
