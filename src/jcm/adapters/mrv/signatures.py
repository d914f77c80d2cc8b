"""Ed25519 signatures over RFC 8785 canonical batches (the device side and the registry side).

A batch's signed bytes are the canonical JSON of its ``batch`` object
(:func:`jcm.adapters.canonical.canonical_json`); its digest is their SHA-256. Keys travel as
base64 of the raw 32-byte Ed25519 public key; signatures as base64 of the 64-byte signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from jcm.adapters.canonical import canonical_json
from jcm.domain.errors import InvalidInput


def canonical_batch(batch: dict[str, object]) -> bytes:
    return canonical_json(batch)


def batch_digest(signed_bytes: bytes) -> str:
    return hashlib.sha256(signed_bytes).hexdigest()


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def new_device_key() -> tuple[Ed25519PrivateKey, str]:
    """A fresh device key and its public key text (what registration stores)."""
    key = Ed25519PrivateKey.generate()
    return key, public_key_text(key)


def sign_batch(batch: dict[str, object], key: Ed25519PrivateKey) -> dict[str, object]:
    """The envelope a device sends: the batch and its signature."""
    signature = key.sign(canonical_batch(batch))
    return {"batch": batch, "signature": base64.b64encode(signature).decode("ascii")}


def load_public_key(text: str) -> Ed25519PublicKey:
    """A stored public key; ``D2_BAD_KEY`` when it is not base64 of 32 bytes."""
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "D2_BAD_KEY",
            "A device public key must be base64 of a raw 32-byte Ed25519 key.",
            rule="D2_BAD_KEY",
        ) from None


class Ed25519Batches:
    """Verifies batch signatures, caching parsed public keys by their text."""

    def __init__(self) -> None:
        self._keys: dict[str, Ed25519PublicKey] = {}

    def canonical(self, batch: dict[str, object]) -> bytes:
        return canonical_batch(batch)

    def digest(self, signed_bytes: bytes) -> str:
        return batch_digest(signed_bytes)

    def verify(self, signed_bytes: bytes, signature: str, public_key: str) -> bool:
        """True when ``signature`` (base64) signs ``signed_bytes`` with ``public_key``."""
        key = self._keys.get(public_key)
        if key is None:
            key = load_public_key(public_key)
            if len(self._keys) > 100_000:
                self._keys.clear()
            self._keys[public_key] = key
        try:
            raw = base64.b64decode(signature, validate=True)
            key.verify(raw, signed_bytes)
        except (binascii.Error, ValueError, InvalidSignature):
            return False
        return True
