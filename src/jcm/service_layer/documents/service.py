"""Document use cases: store, attach to a step, read with rights, verify against the log.

What the log recorded is the truth about a document: the cycle aggregates (checked against
the log by its verification) hold every reference a committed step attached, with its
visibility and, since issue 8, the rest of the store's metadata. So:

* one stored object may carry several labels (visibility, media type, filename), one per
  distinct upload of the same bytes, so the same bytes may be public in one place and
  confidential in another; an upload answers with the reference as given, whatever was
  stored before, so it confirms no guess;
* a read treats attached bytes as public only when a logged reference says so, whatever
  the metadata file says; bytes not visible to the caller and absent bytes get one answer,
  ``K4_NOT_VISIBLE``, with the same message and details;
* verification compares every field of the metadata with the logged references (damage),
  and reports files no logged step refers to as **orphans** (left by a crash or a refused
  step; swept on request), never as damage;
* the uploads of a step are staged and promoted into the store only when the step commits;
  a refused step discards them, so it leaves nothing behind. A crash between the commit
  and the promotion leaves the staged batch, which verification promotes when asked to
  repair (``sweep``) because the log refers to it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jcm.domain.cycle.actors import Actor
from jcm.domain.cycle.documents import (
    DocumentKind,
    DocumentRef,
    StoredDocument,
    StoredObject,
    Visibility,
    check_distinct_versions,
    check_may_read,
    check_sha256,
    logged_metadata_problems,
    not_visible,
    published,
)
from jcm.domain.errors import DataCorruption, JcmError, NotFound
from jcm.domain.identity.principal import Principal
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.ports import DocumentStore, StagedBatch, UnitOfWorkFactory

# Who reads: an organisation id, or an authenticated Principal or cycle Actor standing for
# its organisation (None: anonymous).
Reader = str | Actor | Principal | None

STAGING_GRACE_SECONDS = 3600.0  # a staged batch younger than this may belong to a running step


@dataclass(frozen=True)
class Upload:
    """A file given for one document kind: its public version and optional confidential one."""

    kind: DocumentKind
    public: bytes
    media_type: str
    filename: str
    confidential: bytes | None = None
    confidential_filename: str | None = None


@dataclass
class DocumentReport:
    """What document verification found."""

    damaged: dict[str, list[str]] = field(default_factory=dict)  # sha256 → problems
    orphans: list[str] = field(default_factory=list)  # files no logged step refers to
    unreferenced: list[str] = field(default_factory=list)  # whole documents not attached yet
    pending: list[str] = field(default_factory=list)  # committed but not yet promoted
    swept: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.damaged and not self.pending,
            "damaged": [
                {"sha256": sha, "problems": problems} for sha, problems in self.damaged.items()
            ],
            "orphans": self.orphans,
            "unreferenced": self.unreferenced,
            "pending": self.pending,
            "swept": self.swept,
        }


def logged_references(
    uow_factory: UnitOfWorkFactory, sha256: str | None = None
) -> dict[str, list[DocumentRef]]:
    """Every document reference of a committed step (or only those to ``sha256``), by hash."""
    found: dict[str, list[DocumentRef]] = {}
    with uow_factory(read_only=True) as uow:
        if sha256 is None:
            bodies = [row[2] for row in uow.cycle.aggregate_rows()]
        else:
            bodies = uow.cycle.aggregate_bodies_mentioning(sha256)
        for body in bodies:
            for data in _reference_dicts(body):
                ref = _ref(data)
                if ref is not None and sha256 in (None, ref.sha256):
                    found.setdefault(ref.sha256, []).append(ref)
    return found


def _reference_dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if isinstance(value.get("sha256"), str) and "visibility" in value and "kind" in value:
            yield value
            return
        for item in value.values():
            yield from _reference_dicts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _reference_dicts(item)


def _ref(data: dict[str, Any]) -> DocumentRef | None:
    try:
        return DocumentRef(
            DocumentKind(data["kind"]),
            data["sha256"],
            Visibility(data["visibility"]),
            data.get("size"),
            data.get("media_type"),
            data.get("filename"),
        )
    except (ValueError, KeyError, TypeError):
        return None


class DocumentService:
    """The document store's use cases, one implementation for every entry point."""

    staging_grace = STAGING_GRACE_SECONDS

    def __init__(
        self,
        store: DocumentStore,
        uow_factory: UnitOfWorkFactory,
        cycle: CycleService,
        crash: Callable[[str], None] = lambda _point: None,
    ) -> None:
        self.store = store
        self.uow = uow_factory
        self.cycle = cycle
        self._crash = crash
        self._pending: list[str] = []

    # -- storing -------------------------------------------------------------------------------

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
        """Store a document now (to attach later by its hash)."""
        return self.store.put_document(
            kind,
            public,
            media_type=media_type,
            filename=filename,
            confidential=confidential,
            confidential_filename=confidential_filename,
        )

    def stage(self, upload: Upload) -> tuple[DocumentRef, ...]:
        """Keep a step's upload aside; it reaches the store when :meth:`settle` is told the
        step committed, and is discarded otherwise."""
        check_distinct_versions(upload.kind, upload.public, upload.confidential)
        batch = self._batch()
        versions = [(upload.public, upload.filename, Visibility.PUBLIC)]
        if upload.confidential is not None:
            name = upload.confidential_filename or upload.filename
            versions.append((upload.confidential, name, Visibility.CONFIDENTIAL))
        return tuple(
            self.store.stage(
                batch, data, media_type=upload.media_type, filename=name, visibility=visibility
            ).ref(upload.kind)
            for data, name, visibility in versions
        )

    def for_request(self) -> DocumentService:
        """The same store with staging of its own: one request's uploads, settled by that
        request alone, however many requests a server runs at once."""
        return DocumentService(self.store, self.uow, self.cycle, self._crash)

    def _batch(self) -> str:
        if not self._pending:
            self._pending.append(secrets.token_hex(16))
        return self._pending[-1]

    def settle(self, committed: bool) -> None:
        """After a step: promote its staged uploads if it committed, discard them if not."""
        batches, self._pending = self._pending, []
        for batch in batches:
            if committed:
                self._crash("documents:committed")
                self.store.promote(batch)
            else:
                self.store.discard(batch)

    @contextmanager
    def step(self) -> Iterator[None]:
        """Run a step that stages uploads: promote them if it returns, discard if it raises."""
        try:
            yield
        except BaseException:
            self.settle(committed=False)
            raise
        self.settle(committed=True)

    def reference(self, kind: DocumentKind, sha256: str) -> DocumentRef:
        """A reference, by its hash, to a stored document uploaded as a public version. Bytes
        stored only as confidential are answered as absent ones
        (``K4_NOT_VISIBLE``): attaching by hash never confirms a confidential document."""
        check_sha256(sha256)
        for label in self._labels(sha256):
            if label.visibility is Visibility.PUBLIC:
                return label.ref(kind)
        raise not_visible(sha256)

    def _labels(self, sha256: str) -> list[StoredObject]:
        try:
            return self.store.labels(sha256)
        except JcmError:  # absent or damaged: nothing is known of it
            return []

    def attachable(self, kind: DocumentKind, sha256: str) -> DocumentRef:
        """A stored version to attach to a step by its hash (uploaded before, as the HTTP
        API does): any public one; a confidential one only while no committed step refers to
        it, so a hash seen elsewhere gives no right to another project's confidential
        documents. Refused like an absent document (``K4_NOT_VISIBLE``) otherwise."""
        check_sha256(sha256)
        labels = self._labels(sha256)
        for label in labels:
            if label.visibility is Visibility.PUBLIC:
                return label.ref(kind)
        if labels and not logged_references(self.uow, sha256).get(sha256):
            return labels[0].ref(kind)
        raise not_visible(sha256)

    # -- reading -------------------------------------------------------------------------------

    def read(self, sha256: str, reader: Reader = None, project: str | None = None) -> bytes:
        """The bytes, re-hashed. Published bytes (see :func:`published`: by the log, never by
        a metadata file alone) are for everyone; others only for a reader whose organisation
        the domain rule admits for ``project``, which must have them attached. The reader is
        the caller's organisation (a ``Principal`` or an ``Actor`` stands for its
        organisation): any of its cycle roles may admit it. Every refusal is the same
        ``K4_NOT_VISIBLE`` as for bytes that are not stored at all, and the bytes are checked
        only once access is granted."""
        check_sha256(sha256)
        logged = logged_references(self.uow, sha256).get(sha256, [])
        if not published(logged, self._labels(sha256)):
            self._check_confidential(sha256, reader, project, logged)
        try:
            return self.store.read_unchecked(sha256)[1]
        except NotFound:
            if not logged:
                raise
            raise DataCorruption(
                "P9_DOCUMENT_CORRUPTED",
                f"Stored document {sha256} is damaged (its bytes and metadata are missing); "
                "restore it from a backup or store the original bytes again.",
                sha256=sha256,
                problem="its bytes and metadata are missing",
            ) from None

    def _check_confidential(
        self,
        sha256: str,
        reader: Reader,
        project: str | None,
        logged: list[DocumentRef],
    ) -> None:
        if reader is None or project is None or not logged:
            raise not_visible(sha256)
        organisation = reader if isinstance(reader, str) else reader.organisation_id
        try:
            access = self.cycle.document_access(project, sha256)
        except NotFound:
            raise not_visible(sha256) from None
        check_may_read(self.cycle.roles_of(organisation), Visibility.CONFIDENTIAL, access, sha256)

    # -- verifying -----------------------------------------------------------------------------

    def verify(self, sweep: bool = False, sweep_unreferenced: bool = False) -> DocumentReport:
        """Check every logged document against the store; list orphans; sweep on request."""
        report = DocumentReport()
        logged = logged_references(self.uow)
        inventory = self.store.inventory()
        batches = self.store.staged_batches()
        staged = {sha for batch in batches for sha in batch.sha256s}
        for sha, refs in sorted(logged.items()):
            if sha not in inventory.objects | inventory.metas and sha in staged:
                report.pending.append(sha)
                continue
            problems = self._problems(sha, refs, sha in inventory.objects)
            if problems:
                report.damaged[sha] = problems
        for sha in sorted((inventory.objects | inventory.metas) - logged.keys()):
            if sha not in inventory.objects or sha not in inventory.metas:
                report.orphans.append(sha)  # half an upload: a crash between its two files
            elif self.store.intact(sha):
                report.unreferenced.append(sha)
            else:
                report.damaged[sha] = ["its bytes do not match the hash or size"]
        report.orphans.extend(inventory.temporaries)
        report.orphans.extend(
            f"staging/{b.name}"
            for b in batches
            if not set(b.sha256s) & logged.keys() and b.age_seconds > self.staging_grace
        )
        if sweep:
            self._sweep(report, batches, logged.keys(), sweep_unreferenced)
        return report

    def _problems(self, sha: str, refs: list[DocumentRef], has_object: bool) -> list[str]:
        meta = self.store.metadata(sha)
        if meta is None:
            missing = "its bytes and metadata are" if not has_object else "its metadata is"
            return [f"{missing} missing or unreadable"]
        problems = [] if has_object else ["its bytes are missing"]
        labels = self._labels(sha)
        if meta.get("sha256") != sha:
            problems.append(f"metadata sha256: names {meta.get('sha256')!r}")
        for ref in refs:
            for name, as_logged, as_stored in logged_metadata_problems(ref, meta, labels):
                problems.append(
                    f"metadata {name}: the log says {as_logged!r}, the store holds {as_stored!r}"
                )
        if has_object and not self.store.intact(sha):
            problems.append("its bytes do not match the hash or size")
        return list(dict.fromkeys(problems))

    def _sweep(
        self,
        report: DocumentReport,
        batches: list[StagedBatch],
        logged: AbstractSet[str],
        sweep_unreferenced: bool,
    ) -> None:
        for batch in batches:
            if set(batch.sha256s) & logged:  # committed, not promoted: finish it
                self.store.promote(batch.name)
                report.swept.append(f"promoted staging/{batch.name}")
            elif batch.age_seconds > self.staging_grace:
                self.store.discard(batch.name)
                report.swept.append(f"staging/{batch.name}")
        report.pending.clear()
        for sha in [o for o in report.orphans if "/" not in o]:
            self.store.remove(sha)
            report.swept.append(sha)
        self.store.remove_temporaries()
        report.swept.extend(o for o in report.orphans if "/" in o and "staging" not in o)
        if sweep_unreferenced:
            for sha in report.unreferenced:
                self.store.remove(sha)
                report.swept.append(sha)
