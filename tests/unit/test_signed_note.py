"""Signed notes and checkpoints (jcm.domain.transparency.signed_note) and their Ed25519 keys
(jcm.adapters.signing)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from jcm.adapters.signing import (
    KeyFileError,
    NoteSigner,
    NoteVerifier,
    read_private_key,
    read_verifier,
    write_private_key,
    write_verifier,
)
from jcm.domain.transparency.checkpoint import Checkpoint, open_checkpoint
from jcm.domain.transparency.note_keys import (
    format_verifier_key,
    parse_signer_key,
    parse_verifier_key,
)
from jcm.domain.transparency.signed_note import (
    BadSignature,
    MalformedCheckpoint,
    MalformedKey,
    MalformedNote,
    Note,
    NoteStatus,
    Signature,
    UnverifiedNote,
    check_note,
    ed25519_key_id,
    format_note,
    key_id,
    parse_note,
)

# The example of Go's golang.org/x/mod/sumdb/note documentation: a signer key, its verifier
# key, a text and the exact signed note. Ed25519 is deterministic, so signing the text with
# the key must give this note byte for byte.
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

# The examples of the C2SP signed-note and tlog-checkpoint specifications.
SPEC_NOTE = (
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed è subito sera.\n"
    "\n"
    "— quasimodo.example/salvatore "
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)
SPEC_CHECKPOINT = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)

ROOT = hashlib.sha256(b"root").digest()


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate("registry.example/jcm-log")


# -- known answers --------------------------------------------------------------------------


def test_the_go_signer_key_signs_the_go_text_into_the_documented_note_byte_for_byte() -> None:
    signer = NoteSigner.from_signer_key(GO_SIGNER_KEY)

    assert signer.sign_note(GO_TEXT) == GO_NOTE
    assert signer.verifier_key() == GO_VERIFIER_KEY
    assert signer.signer_key() == GO_SIGNER_KEY
    assert f"{signer.key_id:08x}" == "c74f20a3"


def test_the_go_verifier_key_verifies_the_documented_note() -> None:
    verifier = NoteVerifier.from_verifier_key(GO_VERIFIER_KEY)

    result = verifier.check(GO_NOTE)

    assert result.ok
    assert result.status is NoteStatus.VERIFIED
    assert result.note is not None
    assert result.note.text == GO_TEXT
    assert verifier.open(GO_NOTE).text == GO_TEXT


def test_the_key_id_is_the_first_four_bytes_of_the_hash_of_name_newline_type_and_key() -> None:
    public_key = parse_verifier_key(GO_VERIFIER_KEY).public_key
    digest = hashlib.sha256(b"PeterNeumann\n\x01" + public_key).digest()

    assert ed25519_key_id("PeterNeumann", public_key) == int.from_bytes(digest[:4], "big")
    assert key_id("PeterNeumann", 0x01, public_key) == 0xC74F20A3
    assert key_id("PeterNeumann", 0x02, public_key) != 0xC74F20A3


def test_the_signed_note_spec_example_splits_at_the_last_blank_line() -> None:
    note = parse_note(SPEC_NOTE)

    assert note.text == (
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\n"
        "ed è subito sera.\n"
    )
    assert [s.name for s in note.signatures] == ["quasimodo.example/salvatore"]
    assert len(note.signatures[0].signature) == 64
    assert format_note(note) == SPEC_NOTE


def test_the_checkpoint_spec_example_parses_and_formats_back() -> None:
    note = parse_note(SPEC_CHECKPOINT)
    checkpoint = Checkpoint.parse(note.text)

    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.extensions == ()
    assert checkpoint.body() == note.text
    assert format_note(note) == SPEC_CHECKPOINT


# -- round trips ----------------------------------------------------------------------------


def test_a_note_with_several_signatures_round_trips() -> None:
    note = Note(
        "line one\n\nline three after a blank line\n",
        (Signature("a.example/one", 1, b"\x01" * 64), Signature("b.example", 0xFFFFFFFF, b"s")),
    )

    message = format_note(note)

    assert message.endswith("\n— b.example /////3M=\n")
    assert parse_note(message) == note
    assert parse_note(message.encode("utf-8")) == note


def test_a_checkpoint_with_extension_lines_round_trips() -> None:
    checkpoint = Checkpoint("registry.example/jcm-log", 0, ROOT, ("ext one", "ext two"))

    body = checkpoint.body()

    assert body == (
        f"registry.example/jcm-log\n0\n{base64.b64encode(ROOT).decode()}\next one\next two\n"
    )
    assert Checkpoint.parse(body) == checkpoint


@given(
    origin=st.text(
        alphabet=st.characters(
            min_codepoint=0x21, exclude_characters="\x7f", exclude_categories=["Cs"]
        ),
        min_size=1,
        max_size=40,
    ),
    size=st.integers(min_value=0, max_value=2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
)
def test_any_checkpoint_round_trips_through_its_body_and_a_signed_note(
    origin: str, size: int, root: bytes
) -> None:
    checkpoint = Checkpoint(origin, size, root)
    signer = NoteSigner.from_signer_key(GO_SIGNER_KEY)

    assert Checkpoint.parse(checkpoint.body()) == checkpoint
    assert signer.verifier.open_checkpoint(signer.sign_checkpoint(checkpoint)) == checkpoint


# -- malformed notes ------------------------------------------------------------------------

SIG = "— name.example AAAAAAEC\n"  # key id 0, signature b"\x01\x02"


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("text\n" + SIG, "no blank line between its text and its signatures"),
        ("text\n\n", "no signature line after its blank line"),
        ("text\n\n" + SIG.rstrip("\n"), "does not end with a newline"),
        ("text\n\n" + SIG + "garbage", "trailing data 'garbage'"),
        ("text\n\n" + SIG + "garbage\n", "signature line 2 does not start with an em dash"),
        ("text\n\n-- name.example AAAAAAEC\n", "signature line 1 does not start with an em dash"),
        ("text\n\n— name.example !!!!\n", "not valid base64: '!!!!'"),
        ("text\n\n— name.example AAAAAAE\n", "not valid base64"),  # missing padding
        ("text\n\n— name.example AAAAAAF=\n", "not valid base64"),  # non-canonical bits
        ("text\n\n— name.example AAAAAA==\n", "decodes to 4 bytes"),
        ("text\n\n— name.example AAAAAAEC extra\n", "3 space-separated fields"),
        ("text\n\n— name+plus AAAAAAEC\n", "contains '+'"),
        ("text\n\n—  AAAAAAEC\n", "a key name must be a non-empty string"),
        ("te\txt\n\n" + SIG, "control character U+0009 at offset 2"),
        ("text\r\n\n" + SIG, "control character U+000D"),
        ("text\n\n" + SIG * 101, "101 signature lines; at most 100"),
    ],
)
def test_a_malformed_note_is_refused_with_a_message_naming_the_problem(
    message: str, problem: str
) -> None:
    with pytest.raises(MalformedNote) as refused:
        parse_note(message)

    assert problem in str(refused.value)


def test_a_note_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(MalformedNote, match="not valid UTF-8"):
        parse_note(b"caf\xe9\n\n" + SIG.encode())


def test_sixteen_signatures_are_accepted_as_the_spec_requires() -> None:
    assert len(parse_note("text\n\n" + SIG * 16).signatures) == 16


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        (Note("", (Signature("n", 0, b"s"),)), "the note text is empty"),
        (Note("no newline", (Signature("n", 0, b"s"),)), "does not end with a newline"),
        (Note("text\n", ()), "at least one signature"),
        (Note("text\n", (Signature("a b", 0, b"s"),)), "contains a space"),
        (Note("text\n", (Signature("n", 2**32, b"s"),)), "is not a uint32"),
        (Note("text\n", (Signature("n", 0, b""),)), "is empty"),
        (Note("bell\a\n", (Signature("n", 0, b"s"),)), "control character U+0007"),
    ],
)
def test_a_note_that_cannot_be_written_is_refused(note: Note, problem: str) -> None:
    with pytest.raises(MalformedNote, match=re.escape(problem)):
        format_note(note)


# -- malformed checkpoints ------------------------------------------------------------------

B64_ROOT = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (f"log\n12a\n{B64_ROOT}\n", "not a decimal number without leading zeros: '12a'"),
        (f"log\n0x10\n{B64_ROOT}\n", "not a decimal number"),
        (f"log\n012\n{B64_ROOT}\n", "not a decimal number"),
        (f"log\n-1\n{B64_ROOT}\n", "not a decimal number"),
        (f"log\n+1\n{B64_ROOT}\n", "not a decimal number"),
        (f"log\n 1\n{B64_ROOT}\n", "not a decimal number"),
        (f"log\n١٢\n{B64_ROOT}\n", "not a decimal number"),  # Arabic-Indic digits
        (f"log\n{2**64}\n{B64_ROOT}\n", "above 2^64 - 1"),
        ("log\n1\nnot base64!\n", "root hash (line 3) is not valid base64"),
        (f"log\n1\n{base64.b64encode(ROOT[:31]).decode()}\n", "is 31 bytes; expected 32"),
        (f"log\n1\n{B64_ROOT}", "does not end with a newline"),
        ("log\n1\n", "at least 3 lines"),
        (f"\n1\n{B64_ROOT}\n", "origin (line 1) is empty"),
        (f"log\n1\n{B64_ROOT}\n\nafter empty\n", "line 4 (an extension) is empty"),
    ],
)
def test_a_malformed_checkpoint_is_refused_with_a_message_naming_the_problem(
    body: str, problem: str
) -> None:
    with pytest.raises(MalformedCheckpoint) as refused:
        Checkpoint.parse(body)

    assert problem in str(refused.value)
    assert isinstance(refused.value, MalformedNote)


@pytest.mark.parametrize(
    ("origin", "size", "root", "problem"),
    [
        ("", 1, ROOT, "origin is empty"),
        ("two\nlines", 1, ROOT, "contains a newline"),
        ("log", -1, ROOT, "integer in"),
        ("log", True, ROOT, "integer in"),
        ("log", 1, ROOT[:16], "must be 32 bytes"),
    ],
)
def test_a_checkpoint_that_cannot_be_written_is_refused(
    origin: str, size: int, root: bytes, problem: str
) -> None:
    with pytest.raises(MalformedCheckpoint, match=problem):
        Checkpoint(origin, size, root)


# -- verification ---------------------------------------------------------------------------


def test_a_note_signed_by_the_trusted_key_verifies(signer: NoteSigner) -> None:
    message = signer.sign_note("hello\n")

    result = signer.verifier.check(message)

    assert result.status is NoteStatus.VERIFIED
    assert result.reason == f"verified by {signer.name}+{signer.key_id:08x}"
    assert [s.name for s in result.verified] == [signer.name]


def test_an_altered_text_is_a_bad_signature_not_a_traceback(signer: NoteSigner) -> None:
    message = signer.sign_note("size 10\n").replace("size 10", "size 11")

    result = signer.verifier.check(message)

    assert result.status is NoteStatus.BAD_SIGNATURE
    assert "does not verify" in result.reason
    with pytest.raises(BadSignature, match="does not verify"):
        signer.verifier.open(message)


def test_a_signature_of_the_wrong_length_by_the_trusted_key_is_a_bad_signature(
    signer: NoteSigner,
) -> None:
    note = Note("hello\n", (Signature(signer.name, signer.key_id, b"\x00" * 10),))

    result = signer.verifier.check(format_note(note))

    assert result.status is NoteStatus.BAD_SIGNATURE


def test_a_note_signed_by_another_key_of_the_same_name_is_refused_as_unknown_key(
    signer: NoteSigner,
) -> None:
    impostor = NoteSigner.generate(signer.name)
    message = impostor.sign_note("hello\n")

    result = signer.verifier.check(message)

    assert result.status is NoteStatus.UNKNOWN_KEY
    assert "another key id" in result.reason
    assert f"{impostor.key_id:08x}" in result.reason
    with pytest.raises(UnverifiedNote, match="no signature by a trusted key"):
        signer.verifier.open(message)


def test_the_same_key_under_another_name_is_not_trusted(signer: NoteSigner) -> None:
    renamed = NoteSigner("other.example", signer.private_key)

    result = signer.verifier.check(renamed.sign_note("hello\n"))

    assert result.status is NoteStatus.UNKNOWN_KEY
    assert isinstance(UnverifiedNote("x"), MalformedNote)


def test_a_malformed_note_is_reported_by_the_verifier_without_raising(
    signer: NoteSigner,
) -> None:
    result = signer.verifier.check("no blank line\n— x AAAAAAEC\n")

    assert result.status is NoteStatus.MALFORMED
    assert not result.ok
    assert "no blank line" in result.reason
    assert signer.verifier.check(b"\xff\xfe").status is NoteStatus.MALFORMED


def test_unknown_signatures_are_ignored_next_to_a_trusted_one(signer: NoteSigner) -> None:
    witness = NoteSigner.generate("witness.example")
    text = "hello\n"
    note = Note(text, (witness.sign(text), signer.sign(text)))

    result = check_note(format_note(note), [signer.verifier])

    assert result.ok
    assert [s.name for s in result.verified] == [signer.name]


def test_one_failing_trusted_signature_rejects_the_note_even_if_another_verifies(
    signer: NoteSigner,
) -> None:
    witness = NoteSigner.generate("witness.example")
    text = "hello\n"
    forged = Signature(witness.name, witness.key_id, witness.sign("other\n").signature)
    note = Note(text, (signer.sign(text), forged))

    result = check_note(format_note(note), [signer.verifier, witness.verifier])

    assert result.status is NoteStatus.BAD_SIGNATURE
    assert witness.name in result.reason


def test_a_checkpoint_from_another_origin_is_refused(signer: NoteSigner) -> None:
    message = signer.sign_checkpoint(Checkpoint("other.example/log", 3, ROOT))

    assert open_checkpoint(message, [signer.verifier]).size == 3
    with pytest.raises(MalformedCheckpoint, match=re.escape("not from 'registry.example/jcm-log'")):
        signer.verifier.open_checkpoint(message, origin="registry.example/jcm-log")


def test_signing_refuses_a_text_without_its_final_newline(signer: NoteSigner) -> None:
    with pytest.raises(MalformedNote, match="does not end with a newline"):
        signer.sign_note("hello")


# -- keys -----------------------------------------------------------------------------------


def test_a_verifier_key_round_trips_through_its_string(signer: NoteSigner) -> None:
    text = signer.verifier_key()
    parsed = parse_verifier_key(text)

    assert text.startswith(f"{signer.name}+{signer.key_id:08x}+")
    assert format_verifier_key(parsed.name, parsed.public_key) == text
    assert NoteVerifier.from_verifier_key(text) == signer.verifier


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GO_VERIFIER_KEY.replace("c74f20a3", "c74f20a4"), "does not match the key"),
        (GO_VERIFIER_KEY.replace("PeterNeumann", "PaulNeumann"), "does not match the key"),
        (GO_VERIFIER_KEY.replace("c74f20a3", "c74f20"), "is not 8 hex digits"),
        (GO_VERIFIER_KEY.replace("c74f20a3", "c74f20zz"), "is not 8 hex digits"),
        ("PeterNeumann+c74f20a3", "is not '<name>+<key id>+<base64 key>'"),
        (GO_VERIFIER_KEY.replace("+ARpc", "+AhpC"), "signature type 0x02 is not supported"),
        (GO_VERIFIER_KEY[:-1], "not valid base64"),
        (GO_VERIFIER_KEY[:-4], "32 bytes; got 29"),
        ("PeterNeumann+c74f20a3+AQID", "32 bytes; got 2"),
        ("Peter Neumann+c74f20a3+" + GO_VERIFIER_KEY.split("+", 2)[2], "contains a space"),
        ("+c74f20a3+" + GO_VERIFIER_KEY.split("+", 2)[2], "non-empty"),
    ],
)
def test_a_malformed_verifier_key_is_refused_with_the_problem_named(
    text: str, problem: str
) -> None:
    with pytest.raises(MalformedKey, match=re.escape(problem)):
        NoteVerifier.from_verifier_key(text)


def test_a_signer_key_whose_key_id_does_not_match_is_refused() -> None:
    assert parse_signer_key(GO_SIGNER_KEY).name == "PeterNeumann"
    with pytest.raises(MalformedKey, match="key id 00000000 does not match"):
        NoteSigner.from_signer_key(GO_SIGNER_KEY.replace("c74f20a3", "00000000"))
    with pytest.raises(MalformedKey, match="starts with 'PRIVATE\\+KEY\\+'"):
        NoteSigner.from_signer_key(GO_VERIFIER_KEY)


def test_the_signer_key_is_not_shown_in_reprs() -> None:
    signer = NoteSigner.from_signer_key(GO_SIGNER_KEY)
    secret = GO_SIGNER_KEY.rsplit("+", 1)[1]

    assert secret not in repr(signer)
    assert secret not in repr(parse_signer_key(GO_SIGNER_KEY))


# -- key files ------------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
@pytest.mark.parametrize("encoding", ["pem", "raw"])
def test_a_private_key_file_is_created_with_mode_0600_even_with_an_open_umask(
    tmp_path: Path, signer: NoteSigner, encoding: Literal["pem", "raw"]
) -> None:
    path = tmp_path / "log.key"

    write_private_key(path, signer.private_key, encoding=encoding)

    assert mode(path) == 0o600
    loaded = NoteSigner(signer.name, read_private_key(path))
    assert loaded.verifier_key() == signer.verifier_key()
    if encoding == "raw":
        assert path.stat().st_size == 32
    else:
        assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_an_existing_key_file_is_kept_unless_overwrite_is_asked(
    tmp_path: Path, signer: NoteSigner
) -> None:
    path = tmp_path / "log.key"
    path.write_bytes(b"old")
    path.chmod(0o644)

    with pytest.raises(FileExistsError):
        write_private_key(path, signer.private_key)
    assert path.read_bytes() == b"old"

    write_private_key(path, signer.private_key, overwrite=True)

    assert mode(path) == 0o600
    assert NoteSigner(signer.name, read_private_key(path)).key_id == signer.key_id
    assert [p.name for p in tmp_path.iterdir()] == ["log.key"]


def test_a_key_file_with_something_else_is_refused_with_a_reason(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.key"
    garbage.write_bytes(b"not a key")
    other = tmp_path / "ec.key"
    other.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    broken = tmp_path / "broken.key"
    broken.write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")

    with pytest.raises(KeyFileError, match="neither a PEM private key nor a raw 32-byte"):
        read_private_key(garbage)
    with pytest.raises(KeyFileError, match="not Ed25519"):
        read_private_key(other)
    with pytest.raises(KeyFileError, match="not an unencrypted PEM private key"):
        read_private_key(broken)


def test_a_verifier_file_holds_the_verifier_key_string(tmp_path: Path, signer: NoteSigner) -> None:
    path = tmp_path / "log.pub"

    write_verifier(path, signer.verifier)

    assert path.read_text() == signer.verifier_key() + "\n"
    assert read_verifier(path) == signer.verifier


def test_a_raw_seed_gives_the_same_signer_as_the_key_it_came_from() -> None:
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )

    again = Ed25519PrivateKey.from_private_bytes(seed)

    assert NoteSigner("n", again).verifier_key() == NoteSigner("n", key).verifier_key()
