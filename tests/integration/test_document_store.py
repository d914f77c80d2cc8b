"""The content-addressed document store on a real directory: round trip, idempotency, atomic
writes, corruption detection, confidential access and file permissions."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from jcm.adapters.document_store import DocumentStore, StoredDocument, StoredObject
from jcm.domain.cycle import (
    Actor,
    DocumentAccess,
    DocumentKind,
    DocumentRef,
    Role,
    Side,
    TpeFunction,
    Visibility,
    designations,
)
from jcm.domain.errors import InvalidInput, JcmError, NotFound

PDD = b"%PDF-1.7 project design document, public version (costs redacted)"
PDD_FULL = b"%PDF-1.7 project design document, confidential version with costs"
PARTICIPANT = Actor("JP-ORG-0010", Role.PROJECT_PARTICIPANT, Side.JAPAN)
OUTSIDER = Actor("JP-ORG-0099", Role.PROJECT_PARTICIPANT, Side.JAPAN)
VALIDATOR = Actor("TPE-A", Role.TPE, designations=designations("KE", [1], TpeFunction.VALIDATION))
JC_MEMBER = Actor("KE-MOE", Role.JC_MEMBER, Side.PARTNER, partner="KE")
OTHER_JC = Actor("TH-ONEP", Role.JC_MEMBER, Side.PARTNER, partner="TH")
REGISTRY_MANAGER = Actor("JP-REGISTRY", Role.REGISTRY_MANAGER, Side.JAPAN)
ACCESS = DocumentAccess("KE", frozenset({"JP-ORG-0010"}), frozenset({"TPE-A"}))


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def pdd(store: DocumentStore) -> StoredDocument:
    return store.put_document(
        DocumentKind.PDD,
        PDD,
        media_type="application/pdf",
        filename="PDD_KE001_public.pdf",
        confidential=PDD_FULL,
        confidential_filename="PDD_KE001_full.pdf",
    )


def test_a_document_round_trips_by_its_sha256(store: DocumentStore) -> None:
    stored = store.put(PDD, media_type="Application/PDF", filename="pdd.pdf")

    assert stored == StoredObject(
        hashlib.sha256(PDD).hexdigest(), len(PDD), "application/pdf", "pdd.pdf", Visibility.PUBLIC
    )
    assert store.read(stored.sha256) == PDD
    assert store.stat(stored.sha256) == stored


def test_objects_are_laid_out_by_the_first_two_hex_digits(store: DocumentStore) -> None:
    stored = store.put(PDD, media_type="application/pdf", filename="pdd.pdf")
    digest = stored.sha256

    assert (store.root / "objects" / digest[:2] / digest[2:]).read_bytes() == PDD
    assert (store.root / "meta" / digest[:2] / f"{digest[2:]}.json").is_file()
    assert store.object_path(digest) == store.root / "objects" / digest[:2] / digest[2:]


def test_storing_the_same_bytes_again_keeps_one_object_and_answers_as_given(
    store: DocumentStore,
) -> None:
    first = store.put(PDD, media_type="application/pdf", filename="pdd.pdf")
    path = store.object_path(first.sha256)
    before = path.stat()

    again = store.put(PDD, media_type="text/plain", filename="renamed.txt")

    # The answer is the caller's own metadata: nothing of the first upload shows through.
    assert again == StoredObject(
        first.sha256, first.size, "text/plain", "renamed.txt", first.visibility
    )
    assert store.labels(first.sha256) == [first, again]
    assert path.stat().st_ino == before.st_ino
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert len(list((store.root / "objects").rglob("*"))) == 2  # one directory, one file


def test_no_temporary_files_are_left_behind(store: DocumentStore, pdd: StoredDocument) -> None:
    leftovers = [p for p in store.root.rglob("*") if p.name.startswith(".tmp-")]

    assert leftovers == []
    assert store.inventory().temporaries == ()


def test_a_document_has_a_public_and_a_confidential_version(
    store: DocumentStore, pdd: StoredDocument
) -> None:
    assert pdd.public.visibility is Visibility.PUBLIC
    assert pdd.confidential is not None
    assert pdd.confidential.filename == "PDD_KE001_full.pdf"
    assert pdd.refs() == (
        DocumentRef(DocumentKind.PDD, hashlib.sha256(PDD).hexdigest()),
        DocumentRef(
            DocumentKind.PDD, hashlib.sha256(PDD_FULL).hexdigest(), Visibility.CONFIDENTIAL
        ),
    )
    assert store.read(pdd.public.sha256) == PDD


@pytest.mark.parametrize("reader", [PARTICIPANT, VALIDATOR, JC_MEMBER], ids=lambda a: a.role)
def test_those_engaged_read_the_confidential_version(
    store: DocumentStore, pdd: StoredDocument, reader: Actor
) -> None:
    assert pdd.confidential is not None

    assert store.read(pdd.confidential.sha256, reader=reader, access=ACCESS) == PDD_FULL


@pytest.mark.parametrize(
    "reader",
    [None, OUTSIDER, OTHER_JC, REGISTRY_MANAGER],
    ids=lambda a: a.organisation_id if a else "anonymous",
)
def test_the_confidential_version_is_refused_to_anyone_else(
    store: DocumentStore, pdd: StoredDocument, reader: Actor | None
) -> None:
    assert pdd.confidential is not None
    sha = pdd.confidential.sha256

    with pytest.raises(NotFound) as caught:
        store.read(sha, reader=reader, access=ACCESS)
    absent = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(NotFound) as never:
        store.read(absent, reader=reader, access=ACCESS)

    assert caught.value.code == "K4_NOT_VISIBLE"
    assert caught.value.message.replace(sha, absent) == never.value.message
    assert caught.value.details == {"sha256": sha}
    with pytest.raises(NotFound):
        store.stat(sha, reader=reader, access=ACCESS)
    assert store.read(pdd.public.sha256, reader=reader) == PDD


def test_without_an_access_context_nobody_reads_a_confidential_version(
    store: DocumentStore, pdd: StoredDocument
) -> None:
    assert pdd.confidential is not None

    with pytest.raises(NotFound) as caught:
        store.read(pdd.confidential.sha256, reader=JC_MEMBER)

    assert caught.value.code == "K4_NOT_VISIBLE"


def test_identical_public_and_confidential_versions_are_refused(store: DocumentStore) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.put_document(
            DocumentKind.PDD, PDD, media_type="application/pdf", filename="p.pdf", confidential=PDD
        )

    assert caught.value.code == "P8_SAME_VERSIONS"
    assert not any((store.root / "objects").iterdir())


def test_uploading_a_confidential_documents_bytes_as_public_answers_as_a_fresh_upload(
    store: DocumentStore, pdd: StoredDocument, tmp_path: Path
) -> None:
    fresh_store = DocumentStore(tmp_path / "fresh")

    guess = store.put(PDD_FULL, media_type="application/pdf", filename="guess.pdf")
    fresh = fresh_store.put(PDD_FULL, media_type="application/pdf", filename="guess.pdf")

    assert guess == fresh  # no conflict, no earlier filename: the guess is not confirmed
    assert guess.visibility is Visibility.PUBLIC
    # One object, two labels; the upload does not publish the bytes to the store's readers
    # beyond what the log decides (the service's read), and the object stays owner-only.
    assert [label.visibility for label in store.labels(guess.sha256)] == [
        Visibility.CONFIDENTIAL,
        Visibility.PUBLIC,
    ]
    assert mode(store.object_path(guess.sha256)) == 0o400


def test_the_same_bytes_may_be_public_in_one_place_and_confidential_in_another(
    store: DocumentStore,
) -> None:
    public = store.put(PDD, media_type="application/pdf", filename="a.pdf")
    confidential = store.put(
        PDD, media_type="application/pdf", filename="b.pdf", visibility=Visibility.CONFIDENTIAL
    )

    assert confidential.visibility is Visibility.CONFIDENTIAL
    assert store.labels(public.sha256) == [public, confidential]
    assert store.read(public.sha256) == PDD
    assert mode(store.object_path(public.sha256)) == 0o400


def make_writable(path: Path) -> None:
    path.chmod(0o600)


def test_a_corrupted_object_is_detected_on_read(store: DocumentStore) -> None:
    stored = store.put(PDD, media_type="application/pdf", filename="pdd.pdf")
    path = store.object_path(stored.sha256)
    make_writable(path)
    path.write_bytes(PDD.replace(b"public", b"PUBLIC"))

    with pytest.raises(JcmError) as caught:
        store.read(stored.sha256)

    assert caught.value.code == "P9_DOCUMENT_CORRUPTED"
    assert stored.sha256 in caught.value.message
    assert "its bytes hash to" in caught.value.message
    assert not store.intact(stored.sha256)


def test_a_truncated_or_missing_object_is_detected(store: DocumentStore) -> None:
    short = store.put(PDD, media_type="application/pdf", filename="a.pdf")
    gone = store.put(b"another document", media_type="text/plain", filename="b.txt")
    make_writable(store.object_path(short.sha256))
    store.object_path(short.sha256).write_bytes(PDD[:10])
    store.object_path(gone.sha256).unlink()

    for sha, problem in ((short.sha256, "10 bytes instead of"), (gone.sha256, "bytes are missing")):
        with pytest.raises(JcmError) as caught:
            store.read(sha)
        assert caught.value.code == "P9_DOCUMENT_CORRUPTED"
        assert problem in caught.value.message
    assert not store.intact(short.sha256)
    assert not store.intact(gone.sha256)


def test_damaged_metadata_is_detected(store: DocumentStore) -> None:
    stored = store.put(PDD, media_type="application/pdf", filename="a.pdf")
    meta = store.meta_path(stored.sha256)
    make_writable(meta)
    meta.write_text("{not json")

    with pytest.raises(JcmError) as caught:
        store.read(stored.sha256)

    assert caught.value.code == "P9_DOCUMENT_CORRUPTED"
    assert "metadata is unreadable" in caught.value.message


def test_storing_the_original_bytes_again_repairs_a_damaged_object(store: DocumentStore) -> None:
    stored = store.put(PDD, media_type="application/pdf", filename="pdd.pdf")
    path = store.object_path(stored.sha256)
    make_writable(path)
    path.write_bytes(b"garbage")

    again = store.put(PDD, media_type="application/pdf", filename="pdd.pdf")

    assert again == stored
    assert store.read(stored.sha256) == PDD
    assert store.intact(stored.sha256)


def test_an_unknown_hash_is_not_found(store: DocumentStore) -> None:
    sha = hashlib.sha256(b"never stored").hexdigest()

    with pytest.raises(NotFound) as caught:
        store.read(sha)

    assert caught.value.code == "K4_NOT_VISIBLE"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ab", "A" * 64, "g" * 64])
def test_a_malformed_hash_never_reaches_the_file_system(store: DocumentStore, bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.read(bad)

    assert caught.value.code == "P8_BAD_HASH"


@pytest.mark.parametrize(
    ("media_type", "filename", "code"),
    [
        ("pdf", "a.pdf", "P8_BAD_MEDIA_TYPE"),
        ("application/pdf; charset=x", "a.pdf", "P8_BAD_MEDIA_TYPE"),
        ("application/pdf", "../a.pdf", "P8_BAD_FILENAME"),
        ("application/pdf", "", "P8_BAD_FILENAME"),
        ("application/pdf", "a\nb.pdf", "P8_BAD_FILENAME"),
        ("application/pdf", "x" * 256, "P8_BAD_FILENAME"),
    ],
)
def test_media_type_and_filename_are_checked(
    store: DocumentStore, media_type: str, filename: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.put(PDD, media_type=media_type, filename=filename)

    assert caught.value.code == code


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_read_only_and_closed_to_others(
    store: DocumentStore, pdd: StoredDocument
) -> None:
    assert pdd.confidential is not None
    public_files = [store.object_path(pdd.public.sha256), store.meta_path(pdd.public.sha256)]
    confidential_files = [
        store.object_path(pdd.confidential.sha256),
        store.meta_path(pdd.confidential.sha256),
    ]

    assert [mode(p) for p in public_files] == [0o440, 0o440]
    assert [mode(p) for p in confidential_files] == [0o400, 0o400]
    directories = [store.root, *(p for p in store.root.rglob("*") if p.is_dir())]
    assert {mode(d) for d in directories} == {0o750}


def test_permissions_do_not_depend_on_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o000)
    try:
        store = DocumentStore(tmp_path / "open-umask")
        stored = store.put(PDD, media_type="application/pdf", filename="pdd.pdf")
    finally:
        os.umask(previous)

    assert mode(store.object_path(stored.sha256)) == 0o440
    assert mode(store.object_path(stored.sha256).parent) == 0o750


def test_a_store_reopened_on_the_same_directory_sees_its_documents(
    tmp_path: Path, pdd: StoredDocument, store: DocumentStore
) -> None:
    reopened = DocumentStore(store.root)

    assert reopened.read(pdd.public.sha256) == PDD
    assert reopened.stat(pdd.public.sha256) == pdd.public
