"""Composition root: settings → engine → unit of work → services."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from jcm.adapters import migrate
from jcm.adapters.database import BUSY_TIMEOUT_MS, make_engine, sqlite_url
from jcm.adapters.document_store import DocumentStore
from jcm.adapters.files import crash_point, private_directory, write_atomic
from jcm.adapters.log_keys import KeyFiles, key_dir
from jcm.adapters.log_store import LogSettings
from jcm.adapters.signing import NoteVerifier
from jcm.adapters.unit_of_work import SqlUnitOfWork
from jcm.domain.errors import InvalidInput
from jcm.domain.registry.issuance import IssuanceDecision
from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.documents.service import DocumentService
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.transparency.service import LogService, ProofChecker

DEFAULT_DATA_DIR = Path("jcm-data")


@dataclass(frozen=True)
class Settings:
    """Where everything lives. The key directory is ``key_dir`` (``JCM_KEY_DIR``), by default
    ``<data_dir>/keys``: with ``--database-url`` and no data directory that is
    ``./jcm-data/keys``, said on stderr when the first key is made."""

    data_dir: Path
    database_url: str
    log_origin: str = "jcm-registry/log"
    checkpoint_every: int = 1000
    transparency_log: bool = True  # False only to measure the log's cost in benchmarks
    key_dir: Path | None = None  # None: <data_dir>/keys
    # Seconds any statement may wait for a lock held elsewhere before G9_BUSY.
    lock_timeout: float = BUSY_TIMEOUT_MS / 1000

    @property
    def log_key_dir(self) -> Path:
        return self.key_dir if self.key_dir is not None else key_dir(self.data_dir)

    @classmethod
    def from_env(
        cls,
        data_dir: Path | None = None,
        database_url: str | None = None,
        key_directory: Path | None = None,
    ) -> Settings:
        directory = data_dir or Path(os.environ.get("JCM_DATA_DIR", DEFAULT_DATA_DIR))
        url = database_url or os.environ.get("JCM_DATABASE_URL") or sqlite_url(directory)
        keys = key_directory or os.environ.get("JCM_KEY_DIR")
        return cls(
            directory,
            url,
            log_origin=os.environ.get("JCM_LOG_ORIGIN", cls.log_origin),
            checkpoint_every=int(os.environ.get("JCM_CHECKPOINT_EVERY", cls.checkpoint_every)),
            key_dir=Path(keys) if keys else None,
            lock_timeout=_lock_timeout(os.environ.get("JCM_LOCK_TIMEOUT")),
        )


def _lock_timeout(text: str | None) -> float:
    """JCM_LOCK_TIMEOUT: seconds, 0.01 to 600 (default 5)."""
    if text is None:
        return BUSY_TIMEOUT_MS / 1000
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.01 <= seconds <= 600:  # also refuses nan and inf
        raise InvalidInput(
            "G1_BAD_LOCK_TIMEOUT",
            f"JCM_LOCK_TIMEOUT must be a number of seconds from 0.01 to 600, got {text!r}.",
            lock_timeout=text[:40],
        )
    return seconds


def announce_on_stderr(message: str) -> None:
    sys.stderr.write(f"jcm: {message}\n")
    sys.stderr.flush()


def proof_checker() -> ProofChecker:
    """Offline proof checks (no database): what ``log verify-proof`` needs."""
    return ProofChecker(NoteVerifier.from_verifier_key)


def write_output(path: Path, data: bytes) -> None:
    """Write a file the product exports (a proof, a document copy) atomically, mode 0600."""
    write_atomic(path, data, crash_label="output")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    engine: Engine
    registry: RegistryService
    log: LogService
    unit_of_work: Callable[..., SqlUnitOfWork]
    cycle: CycleService
    documents: DocumentService

    def log_verifiers(self) -> dict[str, Verifier]:
        """Every public key the log has recorded, by key id (the chain check judges them)."""
        return self.log.verifiers()

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    run_migrations: bool = True,
    announce: Callable[[str], None] | None = announce_on_stderr,
) -> App:
    private_directory(settings.data_dir)
    engine = make_engine(settings.database_url, round(settings.lock_timeout * 1000))
    if run_migrations:
        migrate.upgrade(engine)
    keys = KeyFiles(settings.log_key_dir, settings.log_origin, announce)
    log = LogSettings(
        enabled=settings.transparency_log,
        keys=keys,
        origin=settings.log_origin,
        checkpoint_every=settings.checkpoint_every,
    )
    decisions: dict[int, IssuanceDecision] = {}

    def unit_of_work(read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, clock, decisions, log, read_only)

    log_service = LogService(unit_of_work, keys, settings.log_origin, crash_point)
    if settings.transparency_log:
        log_service.ensure_first_key()
    cycle = CycleService(unit_of_work)
    store = DocumentStore(settings.data_dir / "documents")
    return App(
        settings,
        engine,
        RegistryService(unit_of_work),
        log_service,
        unit_of_work,
        cycle,
        DocumentService(store, unit_of_work, cycle, crash_point),
    )
