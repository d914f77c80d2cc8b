"""Every file the product owns is written the same way: private and atomic.

* :func:`private_directory` creates a directory (and any missing parent) with mode 0700,
  whatever the umask.
* :func:`write_atomic` writes a temporary file in the target's directory (mode set with
  ``fchmod``, so the umask cannot widen it), flushes and fsyncs it, renames it over the
  target and fsyncs the directory: after a crash the target is either the old file or the
  whole new one, never empty or half written.

Fault injection for tests: ``JCM_CRASH_AT`` names one or more points (comma-separated);
:func:`crash_point` ends the process at once with exit status 86 (``os._exit``: no cleanup,
no flush, as a kill would) when its name is listed. The points are listed in
``docs/architecture.md``; the variable is for tests only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
CRASH_ENV = "JCM_CRASH_AT"
CRASH_EXIT_STATUS = 86
TEMPORARY_PREFIX = ".tmp-"


def crash_point(name: str) -> None:
    """End the process here when ``JCM_CRASH_AT`` lists ``name`` (tests only)."""
    wanted = os.environ.get(CRASH_ENV)
    if wanted and name in {w.strip() for w in wanted.split(",")}:
        os._exit(CRASH_EXIT_STATUS)


def private_directory(
    path: Path, mode: int = DIRECTORY_MODE, *, tighten_existing: bool = False
) -> Path:
    """``path`` as a directory, created with its missing parents as ``mode`` (default 0700).

    An existing directory keeps its mode (it may be the user's own, e.g. ``--data-dir .``)
    unless ``tighten_existing`` (directories only the product uses, such as the keys').
    """
    path = Path(path)
    missing = []
    for parent in (path, *path.parents):
        if parent.exists():
            break
        missing.append(parent)
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir(mode=mode)
        os.chmod(directory, mode)  # mkdir's mode is filtered by the umask
    if not missing and tighten_existing:
        os.chmod(path, mode)
    return path


def fsync_directory(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE, *, crash_label: str = "") -> None:
    """Replace ``path`` with ``data`` atomically and durably, as a file of ``mode``.

    ``crash_label`` names the fault-injection points ``<label>:written`` (the temporary
    file is complete, not yet renamed) and ``<label>:renamed`` (renamed, the directory not
    yet synced).
    """
    path = Path(path)
    directory = path.parent
    temporary = directory / f"{TEMPORARY_PREFIX}{path.name}.{secrets.token_hex(6)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if crash_label:
            crash_point(f"{crash_label}:written")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if crash_label:
        crash_point(f"{crash_label}:renamed")
    fsync_directory(directory)


def create_private_file(path: Path, mode: int = FILE_MODE) -> None:
    """Create ``path`` empty with ``mode`` unless it exists; set ``mode`` either way.

    Used for the SQLite database before SQLite opens it: SQLite creates its ``-wal`` and
    ``-shm`` files with the database file's permissions.
    """
    path = Path(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), mode))
    os.chmod(path, mode)
    for suffix in ("-wal", "-shm", "-journal"):
        sibling = path.with_name(path.name + suffix)
        if sibling.exists():
            os.chmod(sibling, mode)
