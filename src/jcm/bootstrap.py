"""Composition root: settings → engine → unit of work → services."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from jcm.adapters import migrate
from jcm.adapters.countries import iso_3166_alpha_2
from jcm.adapters.database import BUSY_TIMEOUT_MS, make_engine, sqlite_url
from jcm.adapters.document_store import DocumentStore
from jcm.adapters.files import crash_point, private_directory, write_atomic
from jcm.adapters.log_keys import KeyFiles, key_dir
from jcm.adapters.log_store import LogSettings
from jcm.adapters.monitoring_sheet import OpenpyxlMonitoringSheets
from jcm.adapters.passwords import Argon2Passwords, PyOtpTotp
from jcm.adapters.signing import NoteVerifier
from jcm.adapters.unit_of_work import SqlUnitOfWork
from jcm.domain import limits
from jcm.domain.errors import ConcurrencyConflict, InvalidInput
from jcm.domain.registry.issuance import IssuanceDecision
from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.documents.service import DocumentService
from jcm.service_layer.identity.service import IdentityService
from jcm.service_layer.methodologies.sheets import SheetService
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.transparency.service import LogService, ProofChecker

DEFAULT_DATA_DIR = Path("jcm-data")

# Reference data the domain checks country codes against (see jcm.domain.limits): installed
# on import, so every process that wires the domain up (CLI, tests, bench) has it.
limits.use_country_codes(iso_3166_alpha_2())


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
    identity: IdentityService

    def log_verifiers(self) -> dict[str, Verifier]:
        """Every public key the log has recorded, by key id (the chain check judges them)."""
        return self.log.verifiers()

    def close(self) -> None:
        self.engine.dispose()


def monitoring_sheets() -> SheetService:
    """Sheet use cases need no database: XLSX and CSV through the openpyxl adapter."""
    return SheetService(OpenpyxlMonitoringSheets())


def connect(url: str, lock_timeout_ms: int, run_migrations: bool = True) -> Engine:
    """The engine, migrated; a bad URL or an unreachable database is a coded refusal."""
    try:
        safe = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise InvalidInput(
            "G1_BAD_DATABASE_URL",
            "The database URL is not a valid SQLAlchemy URL, e.g. "
            "postgresql+psycopg://user:pw@host/db.",
        ) from None
    try:
        engine = make_engine(url, lock_timeout_ms)
        if run_migrations:
            migrate.upgrade(engine)
    except ArgumentError as error:  # an unknown dialect or driver
        raise InvalidInput(
            "G1_BAD_DATABASE_URL", f"Database URL {safe}: {error}.", database=safe
        ) from None
    except (OperationalError, InterfaceError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise ConcurrencyConflict(
            "G9_DATABASE_UNAVAILABLE",
            f"Cannot reach the database {safe}: {reason}. Check the URL, the password and "
            "that the server is running, then retry.",
            database=safe,
        ) from None
    return engine


def bootstrap(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    run_migrations: bool = True,
    announce: Callable[[str], None] | None = announce_on_stderr,
) -> App:
    private_directory(settings.data_dir)
    engine = connect(settings.database_url, round(settings.lock_timeout * 1000), run_migrations)
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
        IdentityService(unit_of_work, Argon2Passwords(), PyOtpTotp()),
    )
