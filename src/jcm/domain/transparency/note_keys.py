"""Verifier and signer keys of C2SP signed notes: their text forms, parsed and checked.

A verifier key is ``<name>+<key id>+<base64(0x01 || public key)>``; a signer key is the same
behind ``PRIVATE+KEY+`` with the private seed. Split from ``signed_note`` (notes and their
signatures), whose name, key id and base64 rules these reuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jcm.domain.transparency.signed_note import (
    _ED25519_KEY_SIZE,
    _KEY_ID_HEX,
    _SIGNER_KEY_PREFIX,
    ED25519,
    MalformedKey,
    _b64decode,
    _b64encode,
    _key_name_problem,
    check_key_name,
    ed25519_key_id,
)

__all__ = [
    "SignerKey",
    "VerifierKey",
    "format_signer_key",
    "format_verifier_key",
    "parse_signer_key",
    "parse_verifier_key",
]


@dataclass(frozen=True)
class VerifierKey:
    """A parsed verifier key ``<name>+<key id>+<base64(type || public key)>``."""

    name: str
    key_id: int
    signature_type: int
    public_key: bytes

    def __str__(self) -> str:
        return (
            f"{self.name}+{self.key_id:08x}+"
            f"{_b64encode(bytes([self.signature_type]) + self.public_key)}"
        )


@dataclass(frozen=True)
class SignerKey:
    """A parsed signer key ``PRIVATE+KEY+<name>+<key id>+<base64(type || seed)>``.

    The key id cannot be checked without deriving the public key: the signing adapter does.
    """

    name: str
    key_id: int
    signature_type: int
    seed: bytes = field(repr=False)

    def __str__(self) -> str:
        return format_signer_key(self.name, self.key_id, self.seed)


def format_verifier_key(name: str, public_key: bytes) -> str:
    """The standard verifier key string of an Ed25519 public key."""
    return str(VerifierKey(name, ed25519_key_id(name, public_key), ED25519, public_key))


def format_signer_key(name: str, key_id: int, seed: bytes) -> str:
    """The signer key string of an Ed25519 private key ``seed`` (keep it secret)."""
    check_key_name(name)
    if len(seed) != _ED25519_KEY_SIZE:
        raise MalformedKey(f"an Ed25519 private key is 32 bytes; got {len(seed)}")
    return f"{_SIGNER_KEY_PREFIX}{name}+{key_id:08x}+{_b64encode(bytes([ED25519]) + seed)}"


def _split_key(text: str, what: str) -> tuple[str, int, int, bytes]:
    name, plus1, rest = text.partition("+")
    hex_id, plus2, encoded = rest.partition("+")
    if not (plus1 and plus2):
        raise MalformedKey(f"{what} is not '<name>+<key id>+<base64 key>': {text!r}")
    problem = _key_name_problem(name)
    if problem:
        raise MalformedKey(f"{what}: {problem}")
    if not _KEY_ID_HEX.fullmatch(hex_id):
        raise MalformedKey(f"{what}: key id {hex_id!r} is not 8 hex digits")
    data = _b64decode(encoded)
    if data is None:
        raise MalformedKey(f"{what}: the key data is not valid base64: {encoded!r}")
    if not data:
        raise MalformedKey(f"{what}: the key data is empty")
    signature_type, key = data[0], data[1:]
    if signature_type != ED25519:
        raise MalformedKey(
            f"{what}: signature type 0x{signature_type:02x} is not supported; only Ed25519 (0x01)"
        )
    if len(key) != _ED25519_KEY_SIZE:
        raise MalformedKey(f"{what}: an Ed25519 key is 32 bytes; got {len(key)}")
    return name, int(hex_id, 16), signature_type, key


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse ``<name>+<key id>+<base64(0x01 || public key)>`` and check the key id."""
    if not isinstance(text, str):
        raise MalformedKey(f"a verifier key is text; got {type(text).__name__}")
    name, claimed, signature_type, public_key = _split_key(text.strip(), "verifier key")
    actual = ed25519_key_id(name, public_key)
    if claimed != actual:
        raise MalformedKey(
            f"verifier key: key id {claimed:08x} does not match the key, whose id is {actual:08x}"
        )
    return VerifierKey(name, claimed, signature_type, public_key)


def parse_signer_key(text: str) -> SignerKey:
    """Parse ``PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>``."""
    if not isinstance(text, str) or not text.strip().startswith(_SIGNER_KEY_PREFIX):
        raise MalformedKey("a signer key starts with 'PRIVATE+KEY+'")
    name, claimed, signature_type, seed = _split_key(
        text.strip()[len(_SIGNER_KEY_PREFIX) :], "signer key"
    )
    return SignerKey(name, claimed, signature_type, seed)
