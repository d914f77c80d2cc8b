"""The log's signing key on disk, in the key directory of the configuration.

Where: ``--key-dir``/``JCM_KEY_DIR``, by default ``<data dir>/keys`` (also with
``--database-url``: the data directory is ``./jcm-data`` unless ``--data-dir`` says
otherwise). Layout: ``log-signing.key`` (the active private key, PKCS#8 PEM, 0600),
``log-signing.pub`` (its verifier key string), ``log-signing.key.next`` while a rotation is
under way, and ``retired/<key id>.pub`` for every rotated key. The directory is 0700 and
every file 0600, whatever the umask; every file is written atomically (temporary file,
fsync, rename, fsync of the directory), so a crash never leaves an empty or partial key.

This adapter only reads and writes the files. Which key may sign is decided against the
database's record of the chain (:func:`jcm.domain.transparency.key_chain.choose_signing_key`);
the first key is created only when the database records none, never to replace one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from jcm.adapters.files import (
    TEMPORARY_PREFIX,
    crash_point,
    fsync_directory,
    private_directory,
    write_atomic,
)
from jcm.adapters.signing import (
    KeyFileError,
    NoteSigner,
    NoteVerifier,
    encode_private_key,
    read_private_key,
)
from jcm.domain.errors import DataCorruption

PRIVATE = "log-signing.key"
PUBLIC = "log-signing.pub"
NEXT = "log-signing.key.next"


def key_dir(data_dir: Path) -> Path:
    """The default key directory of a data directory."""
    return data_dir / "keys"


def _hex(signer: NoteSigner) -> str:
    return f"{signer.key_id:08x}"


class KeyFiles:
    """The signing-key files of one log (implements ``service_layer.ports.SigningKeys``)."""

    def __init__(
        self, directory: Path, origin: str, announce: Callable[[str], None] | None = None
    ) -> None:
        self.directory = Path(directory)
        self.origin = origin
        self._announce = announce
        self._cache: dict[str, tuple[float, NoteSigner]] = {}

    @property
    def location(self) -> str:
        return str(self.directory)

    def _dir(self) -> Path:
        return private_directory(self.directory, tighten_existing=True)

    def _read(self, name: str) -> NoteSigner | None:
        path = self.directory / name
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._cache.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            signer = NoteSigner(self.origin, read_private_key(path))
        except (KeyFileError, OSError) as error:
            raise DataCorruption(
                "L6_SIGNING_KEY_UNREADABLE",
                f"The log's key file {path} cannot be used ({type(error).__name__}); restore "
                "it from a backup.",
                location=str(path),
            ) from None
        self._cache[name] = (stamp, signer)
        return signer

    def load(self) -> NoteSigner | None:
        """The key in ``log-signing.key``, or None when there is no such file."""
        return self._read(PRIVATE)

    def staged(self) -> NoteSigner | None:
        """The next key of a rotation under way, or None."""
        return self._read(NEXT)

    def create_first(self) -> NoteSigner:
        """Make the log's first key; the file must not exist (another process may have just
        made it: then that key is returned). Says where it is, once, never the key."""
        directory = self._dir()
        _remove_leftovers(directory)
        signer = NoteSigner.generate(self.origin)
        temporary = directory / f".first-{os.getpid()}-{_hex(signer)}"
        write_atomic(temporary, encode_private_key(signer.private_key), crash_label="key-first")
        try:
            os.link(temporary, directory / PRIVATE)  # exclusive: never replaces a key
            crash_point("key-first:linked")
        except FileExistsError:
            found = self.load()
            if found is None:  # pragma: no cover - the file vanished between two calls
                raise
            return found
        finally:
            temporary.unlink(missing_ok=True)
        fsync_directory(directory)
        self._write_public(signer)
        if self._announce is not None:
            self._announce(
                f"created the log signing key {_hex(signer)} in {directory / PRIVATE} "
                "(keep a backup of it; publish its public key)"
            )
        return signer

    def stage_next(self) -> NoteSigner:
        """Make the next key of a rotation (``log-signing.key.next``)."""
        signer = NoteSigner.generate(self.origin)
        write_atomic(
            self._dir() / NEXT, encode_private_key(signer.private_key), crash_label="key-next"
        )
        return signer

    def install_staged(self) -> None:
        """Move the staged next key into place (after the rotation committed)."""
        directory = self._dir()
        old, new = self.load(), self.staged()
        if new is None:
            return
        if old is not None:
            retired = private_directory(directory / "retired", tighten_existing=True)
            write_atomic(retired / f"{_hex(old)}.pub", _public_text(old))
        os.replace(directory / NEXT, directory / PRIVATE)
        fsync_directory(directory)
        self._cache.clear()
        self._write_public(new)

    def discard_staged(self) -> None:
        (self.directory / NEXT).unlink(missing_ok=True)
        self._cache.pop(NEXT, None)

    def _write_public(self, signer: NoteSigner) -> None:
        write_atomic(self.directory / PUBLIC, _public_text(signer))

    @staticmethod
    def verifier(verifier_key: str) -> NoteVerifier:
        return NoteVerifier.from_verifier_key(verifier_key)


_FIRST = re.compile(rf"^(?:{re.escape(TEMPORARY_PREFIX)})?\.first-(\d+)-")


def _remove_leftovers(directory: Path) -> None:
    """Remove the temporary first-key files of starts that crashed (their process is gone)."""
    for path in directory.iterdir():
        match = _FIRST.match(path.name)
        if match is None:
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except PermissionError:  # alive, another user's
            continue


def _public_text(signer: NoteSigner) -> bytes:
    return (signer.verifier_key() + "\n").encode("utf-8")
