"""Ed25519 signatures on signed notes and checkpoints, and the key files that hold the keys.

The note format and the verification rules are in
:mod:`jcm.domain.transparency.signed_note`; this module
adds the cryptography (the ``cryptography`` package):

* :class:`NoteSigner` signs a note text (the signature covers exactly the text, final newline
  included, per C2SP signed-note) under a key name; its key id is
  ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.
* :class:`NoteVerifier` is one trusted public key. :meth:`NoteVerifier.check` never raises: it
  returns a :class:`~jcm.domain.transparency.signed_note.NoteCheck` whose status says whether
  the note is
  verified, malformed, signed only by other keys (another name or key id) or carries a bad
  signature by this key, and whose ``reason`` says it in words.
  :meth:`NoteVerifier.open` raises the matching ``MalformedNote`` subclass instead.
* Private key files are created with mode 0600 (``os.open(..., 0o600)`` and ``fchmod``, so the
  umask cannot widen it), as unencrypted PKCS#8 PEM or the raw 32-byte seed. The public side
  travels as the verifier key string ``<name>+<key id>+<base64(0x01 || public key)>``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from jcm.domain.transparency.checkpoint import Checkpoint, open_checkpoint
from jcm.domain.transparency.note_keys import (
    format_signer_key,
    format_verifier_key,
    parse_signer_key,
    parse_verifier_key,
)
from jcm.domain.transparency.signed_note import (
    MalformedKey,
    Note,
    NoteCheck,
    Signature,
    VerifiedNote,
    check_key_name,
    check_note,
    check_note_text,
    ed25519_key_id,
    format_note,
    open_note,
)

__all__ = [
    "PRIVATE_KEY_MODE",
    "KeyFileError",
    "NoteSigner",
    "NoteVerifier",
    "encode_private_key",
    "read_private_key",
    "read_verifier",
    "write_private_key",
    "write_verifier",
]

PRIVATE_KEY_MODE = 0o600
_SIGNATURE_SIZE = 64
_SEED_SIZE = 32
_PEM_MARKER = b"-----BEGIN"

KeyEncoding = Literal["pem", "raw"]


class KeyFileError(ValueError):
    """A key file that does not hold a key of the expected kind; the message says why."""


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_seed(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


class NoteVerifier:
    """A trusted Ed25519 key under a name; satisfies the domain's ``Verifier`` protocol."""

    __slots__ = ("_key", "_key_id", "_name", "_raw")

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        check_key_name(name)
        if not isinstance(public_key, Ed25519PublicKey):
            raise MalformedKey(f"expected an Ed25519 public key; got {type(public_key).__name__}")
        self._name = name
        self._key = public_key
        self._raw = _raw_public(public_key)
        self._key_id = ed25519_key_id(name, self._raw)

    @classmethod
    def from_verifier_key(cls, text: str) -> NoteVerifier:
        """From ``<name>+<key id>+<base64(0x01 || key)>``; :class:`MalformedKey` if it is not
        one, including when the key id does not match the key."""
        parsed = parse_verifier_key(text)
        try:
            public_key = Ed25519PublicKey.from_public_bytes(parsed.public_key)
        except ValueError as error:
            raise MalformedKey(f"verifier key: not an Ed25519 public key ({error})") from None
        return cls(parsed.name, public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._key_id

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key

    def verifier_key(self) -> str:
        return format_verifier_key(self._name, self._raw)

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (key id excluded) is this key's over ``text``. Never raises."""
        if not isinstance(text, bytes) or not isinstance(signature, bytes):
            return False
        if len(signature) != _SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, text)
        except InvalidSignature:
            return False
        return True

    def check(self, message: str | bytes) -> NoteCheck:
        """Check a signed note against this key alone; never raises."""
        return check_note(message, [self])

    def open(self, message: str | bytes) -> VerifiedNote:
        """The note if this key signed it; otherwise ``MalformedNote`` or a subclass."""
        return open_note(message, [self])

    def open_checkpoint(self, message: str | bytes, *, origin: str | None = None) -> Checkpoint:
        """The checkpoint if this key signed it (and it is from ``origin``, when given)."""
        return open_checkpoint(message, [self], origin=origin)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NoteVerifier):
            return NotImplemented
        return (self._name, self._raw) == (other._name, other._raw)

    def __hash__(self) -> int:
        return hash((self._name, self._raw))

    def __repr__(self) -> str:
        return f"NoteVerifier({self.verifier_key()!r})"

    def __str__(self) -> str:
        return self.verifier_key()


class NoteSigner:
    """An Ed25519 private key under a name, signing note texts."""

    __slots__ = ("_key", "_name", "_verifier")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        check_key_name(name)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise MalformedKey(f"expected an Ed25519 private key; got {type(private_key).__name__}")
        self._name = name
        self._key = private_key
        self._verifier = NoteVerifier(name, private_key.public_key())

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        """A signer with a fresh random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_signer_key(cls, text: str) -> NoteSigner:
        """From ``PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>``; :class:`MalformedKey`
        if it is not one, including when the key id does not match the key."""
        parsed = parse_signer_key(text)
        signer = cls(parsed.name, Ed25519PrivateKey.from_private_bytes(parsed.seed))
        if signer.key_id != parsed.key_id:
            raise MalformedKey(
                f"signer key: key id {parsed.key_id:08x} does not match the key, whose id is "
                f"{signer.key_id:08x}"
            )
        return signer

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._verifier.key_id

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return self._key

    @property
    def verifier(self) -> NoteVerifier:
        return self._verifier

    def verifier_key(self) -> str:
        return self._verifier.verifier_key()

    def signer_key(self) -> str:
        """The secret ``PRIVATE+KEY+...`` string of this signer."""
        return format_signer_key(self._name, self.key_id, _raw_seed(self._key))

    def sign(self, text: str) -> Signature:
        """The signature line of ``text`` (``MalformedNote`` if the text cannot be signed)."""
        check_note_text(text)
        return Signature(self._name, self.key_id, self._key.sign(text.encode("utf-8")))

    def sign_note(self, text: str) -> str:
        """The signed note: ``text``, a blank line and this key's signature line."""
        return format_note(Note(text, (self.sign(text),)))

    def sign_checkpoint(self, checkpoint: Checkpoint) -> str:
        return self.sign_note(checkpoint.body())

    def __repr__(self) -> str:
        return f"NoteSigner({self.verifier_key()!r})"


# -- key files ------------------------------------------------------------------------------


def _encode_private(private_key: Ed25519PrivateKey, encoding: KeyEncoding) -> bytes:
    if encoding == "pem":
        return private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    if encoding == "raw":
        return _raw_seed(private_key)
    raise ValueError(f"key encoding must be 'pem' or 'raw'; got {encoding!r}")


def encode_private_key(private_key: Ed25519PrivateKey) -> bytes:
    """The key as unencrypted PKCS#8 PEM (the key files' format)."""
    return _encode_private(private_key, "pem")


def _write_exclusive(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, PRIVATE_KEY_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), PRIVATE_KEY_MODE)  # whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_private_key(
    path: str | os.PathLike[str],
    private_key: Ed25519PrivateKey,
    *,
    encoding: KeyEncoding = "pem",
    overwrite: bool = False,
) -> None:
    """Write the key to a new file of mode 0600, as PKCS#8 PEM or the raw 32-byte seed.

    An existing file is refused (``FileExistsError``) unless ``overwrite``, which replaces it
    atomically with a new 0600 file (never writing through the old file's permissions).
    """
    target = Path(path)
    data = _encode_private(private_key, encoding)
    if not overwrite:
        _write_exclusive(target, data)
        return
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    _write_exclusive(temporary, data)
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """The Ed25519 key in a PEM (PKCS#8, unencrypted) or raw 32-byte key file.

    :class:`KeyFileError` names the problem when the file holds anything else.
    """
    data = Path(path).read_bytes()
    if data.lstrip().startswith(_PEM_MARKER):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as error:
            raise KeyFileError(f"{path}: not an unencrypted PEM private key ({error})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{path}: the PEM key is {type(key).__name__}, not Ed25519")
        return key
    if len(data) == _SEED_SIZE:
        return Ed25519PrivateKey.from_private_bytes(data)
    raise KeyFileError(
        f"{path}: neither a PEM private key nor a raw {_SEED_SIZE}-byte Ed25519 key "
        f"({len(data)} bytes)"
    )


def write_verifier(path: str | os.PathLike[str], verifier: NoteVerifier) -> None:
    """Write the verifier key string and a newline, atomically (public: mode 0644)."""
    from jcm.adapters.files import write_atomic

    write_atomic(Path(path), (verifier.verifier_key() + "\n").encode("utf-8"), 0o644)


def read_verifier(path: str | os.PathLike[str]) -> NoteVerifier:
    """The verifier key string in a file; :class:`MalformedKey` if it is not one."""
    return NoteVerifier.from_verifier_key(Path(path).read_text(encoding="utf-8").strip())
