"""Signed notes (C2SP signed-note) and transparency-log checkpoints (C2SP tlog-checkpoint).

A signed note is a text ending in a newline, a blank line, then one or more signature lines::

    example.org/jcm-log
    42
    8+rD6u0N6sVfh8Zg0iW2tCQXhdq9+cg8vA2Ul3m3oXw=

    — example.org/jcm-log Ab3xRf...base64(4-byte key id || signature)...=

* the text is everything up to and including the newline before the LAST blank line;
* a signature line is an em dash (U+2014), a space, the key name, a space, and the standard
  base64 of the big-endian uint32 key id followed by the signature bytes;
* key names are non-empty and contain no Unicode space and no ``+``;
* the whole note is UTF-8 with no control character other than newline.

For Ed25519 (signature type ``0x01``) the signature is over the note text and the key id is
``SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4]``. A verifier key is written
``<name>+<8 hex key id>+<base64(0x01 || public key)>`` and, as in Go's ``sumdb/note``, a signer
key ``PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>``.

This module is pure text handling. Signing and signature checks need cryptography and live in
:mod:`jcm.adapters.signing`; the verification *rules* of the spec (unknown keys are ignored, a
known key's failing signature rejects the note, at least one known key must sign) are here,
against the small :class:`Verifier` protocol.

Errors: :class:`MalformedNote` (a ``ValueError``) is every refusal of a note, with a message
naming what is wrong; :class:`MalformedCheckpoint`, :class:`UnverifiedNote` and
:class:`BadSignature` refine it. :class:`MalformedKey` (a ``ValueError``) refuses a key string.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "ED25519",
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "SIGNATURE_PREFIX",
    "BadSignature",
    "MalformedCheckpoint",
    "MalformedKey",
    "MalformedNote",
    "Note",
    "NoteCheck",
    "NoteStatus",
    "Signature",
    "UnverifiedNote",
    "VerifiedNote",
    "Verifier",
    "check_key_name",
    "check_note",
    "check_note_text",
    "ed25519_key_id",
    "format_note",
    "key_id",
    "open_note",
    "parse_note",
]

ED25519 = 0x01
"""The signed-note signature type of Ed25519."""

SIGNATURE_PREFIX = "\u2014 "
"""Em dash and space: how every signature line starts."""

MAX_SIGNATURES = 100
"""Signature lines accepted in one note (the spec asks for at least 16)."""

MAX_NOTE_BYTES = 1 << 20
"""Largest note accepted, in UTF-8 bytes."""

_ED25519_KEY_SIZE = 32
_ROOT_HASH_SIZE = 32
_MAX_TREE_SIZE = 2**64 - 1
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_SIGNER_KEY_PREFIX = "PRIVATE+KEY+"


class MalformedNote(ValueError):
    """The note is refused; the message names what is wrong."""


class MalformedCheckpoint(MalformedNote):
    """The note text is not a well-formed tlog checkpoint."""


class UnverifiedNote(MalformedNote):
    """No signature in the note is by a key the verifier knows."""


class BadSignature(MalformedNote):
    """A signature by a known key (same name and key id) does not verify."""


class MalformedKey(ValueError):
    """A verifier or signer key string is not in the standard form."""


# -- names, key ids, base64 -----------------------------------------------------------------


def _key_name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return "a key name must be a non-empty string"
    for char in name:
        if char.isspace():
            return f"key name {name!r} contains a space character (U+{ord(char):04X})"
        if char == "+":
            return f"key name {name!r} contains '+'"
        if ord(char) < 0x20:
            return f"key name {name!r} contains a control character (U+{ord(char):04X})"
    return None


def check_key_name(name: str) -> None:
    """Refuse (:class:`MalformedKey`) a name that is empty or has a space or a ``+``."""
    problem = _key_name_problem(name)
    if problem:
        raise MalformedKey(problem)


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """``SHA-256(name || 0x0A || signature type || public key)[:4]`` as a big-endian uint32."""
    check_key_name(name)
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    ).digest()
    return int.from_bytes(digest[:4], "big")


def ed25519_key_id(name: str, public_key: bytes) -> int:
    """The key id of the 32-byte Ed25519 ``public_key`` under ``name``."""
    if len(public_key) != _ED25519_KEY_SIZE:
        raise MalformedKey(f"an Ed25519 public key is 32 bytes; got {len(public_key)}")
    return key_id(name, ED25519, public_key)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Standard base64 with padding, canonical only; ``None`` for anything else."""
    if not text.isascii():
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if _b64encode(data) == text else None


def _text_problem(text: str, what: str) -> str | None:
    """Why ``text`` cannot appear in a note (UTF-8, no control character but newline)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"{what} is not valid UTF-8 (position {error.start})"
    for position, char in enumerate(text):
        if ord(char) < 0x20 and char != "\n":
            return (
                f"{what} contains the control character U+{ord(char):04X} at offset {position}; "
                "only newline is allowed"
            )
    return None


# -- notes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: the key's name and id and the signature bytes (id excluded)."""

    name: str
    key_id: int
    signature: bytes

    def encoded(self) -> str:
        """``base64(key id || signature)``."""
        return _b64encode(self.key_id.to_bytes(4, "big") + self.signature)

    def line(self) -> str:
        """The signature line, newline included."""
        return f"{SIGNATURE_PREFIX}{self.name} {self.encoded()}\n"

    def problem(self) -> str | None:
        name_problem = _key_name_problem(self.name)
        if name_problem:
            return name_problem
        if not isinstance(self.key_id, int) or not 0 <= self.key_id < 2**32:
            return f"key id {self.key_id!r} is not a uint32"
        if not isinstance(self.signature, bytes) or not self.signature:
            return f"the signature by {self.name} is empty"
        return None


@dataclass(frozen=True)
class Note:
    """A note text (ending in a newline) and its signatures, in order."""

    text: str
    signatures: tuple[Signature, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "signatures", tuple(self.signatures))


def check_note_text(text: str) -> None:
    """Refuse (:class:`MalformedNote`) a text that cannot be signed: empty, not ending in a
    newline, not UTF-8, or with a control character other than newline."""
    if not isinstance(text, str) or not text:
        raise MalformedNote("the note text is empty")
    if not text.endswith("\n"):
        raise MalformedNote("the note text does not end with a newline")
    problem = _text_problem(text, "the note text")
    if problem:
        raise MalformedNote(problem)


def format_note(note: Note) -> str:
    """The signed note: text, blank line, signature lines. Refuses (:class:`MalformedNote`) a
    text :func:`check_note_text` refuses and a note without signatures."""
    text = note.text
    check_note_text(text)
    if not note.signatures:
        raise MalformedNote("a signed note needs at least one signature")
    if len(note.signatures) > MAX_SIGNATURES:
        raise MalformedNote(
            f"the note has {len(note.signatures)} signatures; at most {MAX_SIGNATURES} allowed"
        )
    for signature in note.signatures:
        sig_problem = signature.problem()
        if sig_problem:
            raise MalformedNote(sig_problem)
    return text + "\n" + "".join(signature.line() for signature in note.signatures)


def _parse_signature_line(number: int, line: str) -> Signature:
    where = f"signature line {number}"
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNote(f"{where} does not start with an em dash and a space: {line!r}")
    parts = line[len(SIGNATURE_PREFIX) :].split(" ")
    if len(parts) != 2:
        raise MalformedNote(
            f"{where} is not '— <key name> <base64 signature>' (found {len(parts)} "
            f"space-separated fields): {line!r}"
        )
    name, encoded = parts
    name_problem = _key_name_problem(name)
    if name_problem:
        raise MalformedNote(f"{where}: {name_problem}")
    raw = _b64decode(encoded)
    if raw is None:
        raise MalformedNote(f"{where}: the signature of {name} is not valid base64: {encoded!r}")
    if len(raw) < 5:
        raise MalformedNote(
            f"{where}: the signature of {name} decodes to {len(raw)} bytes; a key id (4 bytes) "
            "and a signature are needed"
        )
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse_note(message: str | bytes) -> Note:
    """Split a signed note into text and signatures, refusing anything malformed.

    Refusals (:class:`MalformedNote`) name the problem: not UTF-8, control characters, no
    blank line, no signature line, a missing final newline (trailing data), a line that is
    not a signature line, a bad key name, bad base64, a signature too short, too many.
    """
    if isinstance(message, bytes):
        if len(message) > MAX_NOTE_BYTES:
            raise MalformedNote(f"the note is {len(message)} bytes; at most {MAX_NOTE_BYTES}")
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedNote(f"the note is not valid UTF-8 (byte {error.start})") from None
    if not isinstance(message, str):
        raise MalformedNote(f"a note is text; got {type(message).__name__}")
    if len(message) > MAX_NOTE_BYTES:  # more characters than bytes allowed: too long
        raise MalformedNote(f"the note is longer than {MAX_NOTE_BYTES} bytes")
    problem = _text_problem(message, "the note")
    if problem:
        raise MalformedNote(problem)
    if len(message.encode("utf-8")) > MAX_NOTE_BYTES:
        raise MalformedNote(f"the note is longer than {MAX_NOTE_BYTES} bytes")
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedNote("the note has no blank line between its text and its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block:
        raise MalformedNote("the note has no signature line after its blank line")
    if not block.endswith("\n"):
        last = block.rsplit("\n", 1)[-1]
        raise MalformedNote(
            f"the note does not end with a newline after its last signature line "
            f"(trailing data {last!r})"
        )
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(
            f"the note has {len(lines)} signature lines; at most {MAX_SIGNATURES} accepted"
        )
    return Note(
        text, tuple(_parse_signature_line(n, line) for n, line in enumerate(lines, start=1))
    )


# -- verification rules ---------------------------------------------------------------------


class Verifier(Protocol):
    """One trusted key. ``verify`` must return ``False`` (never raise) on a bad signature."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> bool: ...


class NoteStatus(enum.Enum):
    VERIFIED = "verified"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True)
class NoteCheck:
    """The outcome of checking a note against trusted keys; ``reason`` says why in words."""

    status: NoteStatus
    reason: str
    note: Note | None = None
    verified: tuple[Signature, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is NoteStatus.VERIFIED


@dataclass(frozen=True)
class VerifiedNote:
    """A note at least one trusted key signed, with the signatures that verified."""

    note: Note
    verified: tuple[Signature, ...]

    @property
    def text(self) -> str:
        return self.note.text


def _key_label(name: str, identifier: int) -> str:
    return f"{name}+{identifier:08x}"


def check_note(message: str | bytes, verifiers: Iterable[Verifier]) -> NoteCheck:
    """Check a signed note against trusted keys, per the signed-note rules. Never raises
    (unless a verifier does).

    Signatures whose (name, key id) is not a trusted key are ignored, even if the name or the
    id alone matches. Every signature by a trusted key must verify (else ``BAD_SIGNATURE``),
    and at least one must be present (else ``UNKNOWN_KEY``).
    """
    try:
        note = parse_note(message)
    except MalformedNote as error:
        return NoteCheck(NoteStatus.MALFORMED, str(error))
    known = {(v.name, v.key_id): v for v in verifiers}
    text = note.text.encode("utf-8")
    verified: list[Signature] = []
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None or signature in verified:
            continue
        if not verifier.verify(text, signature.signature):
            return NoteCheck(
                NoteStatus.BAD_SIGNATURE,
                f"the signature by {_key_label(signature.name, signature.key_id)} does not "
                "verify: the note was altered or signed by another key",
                note,
            )
        verified.append(signature)
    if not verified:
        found = ", ".join(_key_label(s.name, s.key_id) for s in note.signatures)
        trusted = ", ".join(_key_label(*key) for key in known) or "none"
        reason = f"no signature by a trusted key (signed by {found}; trusted: {trusted})"
        mismatched = sorted({s.name for s in note.signatures} & {name for name, _ in known})
        if mismatched:
            reason += (
                f"; the signature named {', '.join(mismatched)} has another key id, so it was "
                "made by a different key"
            )
        return NoteCheck(NoteStatus.UNKNOWN_KEY, reason, note)
    signers = ", ".join(_key_label(s.name, s.key_id) for s in verified)
    return NoteCheck(NoteStatus.VERIFIED, f"verified by {signers}", note, tuple(verified))


_REFUSALS: dict[NoteStatus, type[MalformedNote]] = {
    NoteStatus.MALFORMED: MalformedNote,
    NoteStatus.UNKNOWN_KEY: UnverifiedNote,
    NoteStatus.BAD_SIGNATURE: BadSignature,
}


def open_note(message: str | bytes, verifiers: Iterable[Verifier]) -> VerifiedNote:
    """:func:`check_note`, raising the matching :class:`MalformedNote` subclass on refusal."""
    result = check_note(message, verifiers)
    if result.note is None or not result.ok:
        raise _REFUSALS.get(result.status, MalformedNote)(result.reason)
    return VerifiedNote(result.note, result.verified)
