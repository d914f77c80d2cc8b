"""The log's signing key on disk: created at first start (mode 0600), rotated on demand.

Layout under ``<data dir>/keys/``: ``log-signing.key`` (the active private key, PKCS#8
PEM, 0600), ``log-signing.pub`` (its verifier key string, public), and for every rotated
key ``retired/<key id>.pub``. The database's ``log_keys`` table also keeps every public
key, so checkpoints signed before a rotation stay verifiable.
"""

from __future__ import annotations

from pathlib import Path

from jcm.adapters.signing import (
    NoteSigner,
    read_private_key,
    write_private_key,
    write_verifier,
)

PRIVATE = "log-signing.key"
PUBLIC = "log-signing.pub"


def key_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def load_or_create_signer(data_dir: Path, origin: str) -> NoteSigner:
    directory = key_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / PRIVATE
    if private.exists():
        return NoteSigner(origin, read_private_key(private))
    signer = NoteSigner.generate(origin)
    write_private_key(private, signer.private_key)
    write_verifier(directory / PUBLIC, signer.verifier)
    return signer


def rotate(data_dir: Path, origin: str) -> tuple[NoteSigner, NoteSigner]:
    """Replace the active key with a new one; returns (old, new)."""
    directory = key_dir(data_dir)
    old = load_or_create_signer(data_dir, origin)
    retired = directory / "retired"
    retired.mkdir(exist_ok=True)
    write_verifier(retired / f"{old.key_id:08x}.pub", old.verifier)
    new = NoteSigner.generate(origin)
    write_private_key(directory / PRIVATE, new.private_key, overwrite=True)
    write_verifier(directory / PUBLIC, new.verifier)
    return old, new
