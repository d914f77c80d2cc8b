"""Webhook signing secrets, encrypted at rest with a key kept in the key directory.

A subscription's secret must be kept in a usable form (the registry signs with it), so it
cannot be hashed like a password or an API token. It is stored encrypted (Fernet:
AES-128-CBC with HMAC-SHA256) under ``webhook-secrets.key`` in the key directory (0700, the
file 0600, made at the first subscription and said once on stderr, never its content). A
copy of the database alone therefore reveals no secret. Losing the key file makes the
stored secrets unusable: deliveries record ``W5_WEBHOOK_SECRET_UNREADABLE`` and keep being
retried until it is restored (or the subscriptions are replaced).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from jcm.adapters.files import fsync_directory, private_directory, write_atomic
from jcm.domain.errors import DataCorruption

KEY_FILE = "webhook-secrets.key"
_MAX_KEY_FILE = 1024


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


class FernetSecretBox:
    """Implements ``service_layer.webhooks.ports.SecretBox``."""

    def __init__(self, directory: Path, announce: Callable[[str], None] | None = None) -> None:
        self.directory = Path(directory)
        self._announce = announce
        self._fernet: tuple[str, Fernet] | None = None

    @property
    def path(self) -> Path:
        return self.directory / KEY_FILE

    def _load(self) -> tuple[str, Fernet] | None:
        if self._fernet is not None:
            return self._fernet
        try:
            with open(self.path, "rb") as handle:
                key = handle.read(_MAX_KEY_FILE).strip()
            self._fernet = (_key_id(key), Fernet(key))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise DataCorruption(
                "W5_WEBHOOK_SECRET_UNREADABLE",
                f"The webhook secrets key {self.path} cannot be read; restore it from a backup.",
                location=str(self.path),
            ) from None
        return self._fernet

    def _create(self) -> tuple[str, Fernet]:
        directory = private_directory(self.directory, tighten_existing=True)
        key = Fernet.generate_key()
        temporary = directory / f".webhook-first-{os.getpid()}-{_key_id(key)}"
        write_atomic(temporary, key + b"\n")
        try:
            os.link(temporary, self.path)  # exclusive: never replaces a key
        except FileExistsError:  # another process made it meanwhile: use theirs
            pass
        else:
            fsync_directory(directory)
            if self._announce is not None:
                self._announce(
                    f"created the webhook secrets key in {self.path} (keep a backup of it)"
                )
        finally:
            temporary.unlink(missing_ok=True)
        loaded = self._load()
        if loaded is None:  # pragma: no cover - the file vanished between two calls
            raise RuntimeError("the webhook secrets key vanished")
        return loaded

    def seal(self, secret: str) -> tuple[str, str]:
        key_id, fernet = self._load() or self._create()
        return fernet.encrypt(secret.encode("utf-8")).decode("ascii"), key_id

    def open(self, sealed: str) -> str:
        loaded = self._load()
        try:
            if loaded is None:
                raise InvalidToken
            return loaded[1].decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise DataCorruption(
                "W5_WEBHOOK_SECRET_UNREADABLE",
                f"A webhook signing secret cannot be opened with the key in {self.path} "
                "(missing or another key); restore the key file from a backup.",
                location=str(self.path),
            ) from None
