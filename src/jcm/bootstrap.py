"""Composition root: settings → engine → unit of work → services."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from jcm.adapters import migrate
from jcm.adapters.aef.xlsx import OpenpyxlReportFiles
from jcm.adapters.certificate_pdf import FpdfCertificates
from jcm.adapters.countries import iso_3166_alpha_2, iso_3166_alpha_3
from jcm.adapters.database import BUSY_TIMEOUT_MS, make_engine, sqlite_url
from jcm.adapters.document_store import DocumentStore
from jcm.adapters.files import crash_point, private_directory, write_atomic
from jcm.adapters.log_keys import KeyFiles, key_dir
from jcm.adapters.log_store import LogSettings
from jcm.adapters.monitoring_sheet import OpenpyxlMonitoringSheets
from jcm.adapters.mrv.bundle_files import BundleDirectory
from jcm.adapters.mrv.qa_engine import PolarsQaEngine
from jcm.adapters.mrv.reading_store import ParquetReadings
from jcm.adapters.mrv.signatures import Ed25519Batches
from jcm.adapters.passwords import Argon2Passwords, PyOtpTotp
from jcm.adapters.reference_data import CsvReferenceData
from jcm.adapters.signing import NoteVerifier
from jcm.adapters.unit_of_work import SqlUnitOfWork
from jcm.adapters.webhook_secrets import FernetSecretBox
from jcm.adapters.webhook_sender import HttpxWebhookSender
from jcm.domain import limits
from jcm.domain.errors import ConcurrencyConflict, InvalidInput
from jcm.domain.identity.principal import Principal
from jcm.domain.registry.issuance import IssuanceDecision
from jcm.domain.transparency.signed_note import Verifier
from jcm.service_layer.aef.service import AefService
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.documents.service import DocumentService
from jcm.service_layer.identity.service import IdentityService
from jcm.service_layer.methodologies.sheets import SheetService
from jcm.service_layer.mrv.broker import BrokerService
from jcm.service_layer.mrv.service import MrvAdapters, MrvService
from jcm.service_layer.public.service import PublicService
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.transparency.service import LogService, ProofChecker
from jcm.service_layer.webhooks.service import WebhookService

DEFAULT_DATA_DIR = Path("jcm-data")

# Reference data the domain checks country codes against (see jcm.domain.limits): installed
# on import, so every process that wires the domain up (CLI, tests, bench) has it.
limits.use_country_codes(iso_3166_alpha_2(), iso_3166_alpha_3())


@dataclass(frozen=True)
class Settings:
    """Where everything lives. The key directory is ``key_dir`` (``JCM_KEY_DIR``), by default
    ``<data_dir>/keys``: with ``--database-url`` and no data directory that is
    ``./jcm-data/keys``, said on stderr when the first key is made."""

    data_dir: Path
    database_url: str = field(repr=False)  # it may carry a password: never in a repr
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
        url = with_database_password(
            database_url or os.environ.get("JCM_DATABASE_URL") or sqlite_url(directory),
            os.environ,
        )
        keys = key_directory or os.environ.get("JCM_KEY_DIR")
        return cls(
            directory,
            url,
            log_origin=os.environ.get("JCM_LOG_ORIGIN", cls.log_origin),
            checkpoint_every=int(os.environ.get("JCM_CHECKPOINT_EVERY", cls.checkpoint_every)),
            key_dir=Path(keys) if keys else None,
            lock_timeout=_lock_timeout(os.environ.get("JCM_LOCK_TIMEOUT")),
        )


PASSWORD_VARIABLE = "JCM_DATABASE_PASSWORD"
PASSWORD_FILE_VARIABLE = "JCM_DATABASE_PASSWORD_FILE"
MAX_PASSWORD_FILE_BYTES = 4096


def with_database_password(url: str, environ: Mapping[str, str]) -> str:
    """The database URL with the password from ``JCM_DATABASE_PASSWORD`` or the first line
    of the file ``JCM_DATABASE_PASSWORD_FILE`` merged in, so the password need never be on
    a command line (``ps`` shows those to every user). One source only: a URL that carries
    a password as well, or both variables, is refused (``G1_DATABASE_PASSWORD_CONFLICT``).
    SQLite has no password: the variables are not read for it. No message names the
    password."""
    value = environ.get(PASSWORD_VARIABLE) or None
    path = environ.get(PASSWORD_FILE_VARIABLE) or None
    if value is None and path is None:
        return url
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return url
    sources = [
        name
        for name, given in ((PASSWORD_VARIABLE, value), (PASSWORD_FILE_VARIABLE, path))
        if given
    ]
    if parsed.password is not None:
        sources.insert(0, "the database URL")
    if len(sources) > 1:
        raise InvalidInput(
            "G1_DATABASE_PASSWORD_CONFLICT",
            f"The database password is given twice ({' and '.join(sources)}); give it in one "
            f"place only, preferably {PASSWORD_FILE_VARIABLE}, and keep it out of the URL.",
            sources=sources,
        )
    password = value if value is not None else _password_from_file(Path(str(path)))
    return parsed.set(password=password).render_as_string(hide_password=False)


def _password_from_file(path: Path) -> str:
    """The first line of a private file (mode 0600 or stricter, like libpq's .pgpass)."""

    def refuse(why: str) -> InvalidInput:
        return InvalidInput(
            "G1_BAD_DATABASE_PASSWORD_FILE",
            f"{PASSWORD_FILE_VARIABLE} {str(path)!r}: {why}.",
            path=str(path),
        )

    try:
        # Non-blocking: a FIFO named by mistake is refused, not waited on.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise refuse("not a regular file")
            if status.st_mode & 0o077:
                raise refuse(
                    f"readable or writable by group or others (mode "
                    f"{stat.S_IMODE(status.st_mode):04o}); make it private with chmod 600"
                )
            raw = handle.read(MAX_PASSWORD_FILE_BYTES + 1)
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror or type(error).__name__})") from None
    if len(raw) > MAX_PASSWORD_FILE_BYTES:
        raise refuse(f"larger than {MAX_PASSWORD_FILE_BYTES} bytes; it holds one line")
    try:
        password = raw.decode("utf-8").splitlines()[0] if raw.strip() else ""
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text") from None
    if not password:
        raise refuse("its first line is empty")
    return password


def _parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise InvalidInput(
            "G1_BAD_DATABASE_URL",
            "The database URL is not a valid SQLAlchemy URL, e.g. "
            "postgresql+psycopg://user@host/db (password: JCM_DATABASE_PASSWORD_FILE).",
        ) from None


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


def evidence_bundles() -> BundleDirectory:
    """Opening and checking evidence bundles offline (no database): ``mrv verify-bundle``."""
    return BundleDirectory(Path(tempfile.gettempdir()) / "jcm-bundles")


def proof_checker() -> ProofChecker:
    """Offline proof checks (no database): what ``log verify-proof`` needs."""
    return ProofChecker(NoteVerifier.from_verifier_key)


def write_output(path: Path, data: bytes) -> None:
    """Write a file the product exports (a proof, a document copy) atomically, mode 0600."""
    write_atomic(path, data, crash_label="output")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Acting:
    """The use cases that change state, bound to one principal: every unit of work they open
    carries it (``uow.principal``) and every log entry it writes records
    ``principal.attribution()`` as its ``actor``. Reads work here too (unattributed: reads
    log nothing). Cheap to make: one per request or command."""

    principal: Principal
    unit_of_work: Callable[..., SqlUnitOfWork]
    registry: RegistryService
    cycle: CycleService
    documents: DocumentService  # its own staging area: uploads settle with this principal's step
    log: LogService
    mrv: MrvService
    aef: AefService


@dataclass
class App:
    settings: Settings
    engine: Engine
    registry: RegistryService
    log: LogService
    unit_of_work: Callable[..., SqlUnitOfWork]
    cycle: CycleService
    documents: DocumentService
    webhooks: WebhookService

    def acting(self, principal: Principal) -> Acting:
        """The state-changing use cases acting for ``principal`` (see :class:`Acting`).

        ``app.registry``, ``app.cycle``, ``app.documents`` and ``app.log`` stay unattributed:
        their entries carry no actor (in-process callers: tests, the benchmark)."""
        uow = partial(self.unit_of_work, principal=principal)
        cycle = CycleService(uow)
        log = self.log
        return Acting(
            principal,
            uow,
            RegistryService(uow),
            cycle,
            DocumentService(self.documents.store, uow, cycle, crash_point),
            LogService(uow, log.keys, log.origin, crash_point),
            MrvService.over(uow, self.mrv_adapters),
            AefService.over(uow, self.aef.reports.files),
        )

    identity: IdentityService
    public: PublicService
    mrv: MrvService
    mrv_adapters: MrvAdapters
    aef: AefService

    def log_verifiers(self) -> dict[str, Verifier]:
        """Every public key the log has recorded, by key id (the chain check judges them)."""
        return self.log.verifiers()

    def close(self) -> None:
        self.engine.dispose()


def mrv_adapters(root: Path, documents: DocumentStore | None = None) -> MrvAdapters:
    """Digital MRV's files live under ``<data_dir>/mrv``: readings and evidence bundles."""
    return MrvAdapters(
        ParquetReadings(root / "readings"),
        Ed25519Batches(),
        PolarsQaEngine(root / "readings"),
        BundleDirectory(root / "bundles"),
        documents,
    )


def monitoring_sheets() -> SheetService:
    """Sheet use cases need no database: XLSX and CSV through the openpyxl adapter."""
    return SheetService(OpenpyxlMonitoringSheets())


def connect(url: str, lock_timeout_ms: int, run_migrations: bool = True) -> Engine:
    """The engine, migrated; a bad URL or an unreachable database is a coded refusal that
    shows the URL with its password masked, and never the password itself."""
    parsed = _parse_url(url)
    safe = parsed.render_as_string(hide_password=True)
    try:
        engine = make_engine(url, lock_timeout_ms)
        if run_migrations:
            migrate.upgrade(engine)
    except ArgumentError as error:  # an unknown dialect or driver
        reason = _masked(str(error), parsed.password)
        raise InvalidInput(
            "G1_BAD_DATABASE_URL", f"Database URL {safe}: {reason}.", database=safe
        ) from None
    except (OperationalError, InterfaceError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        reason = _masked(reason, parsed.password)
        raise ConcurrencyConflict(
            "G9_DATABASE_UNAVAILABLE",
            f"Cannot reach the database {safe}: {reason}. Check the URL, the password and "
            "that the server is running, then retry.",
            database=safe,
        ) from None
    return engine


def _masked(text: str, password: str | None) -> str:
    """``text`` with any occurrence of the password masked (a driver's message might echo it)."""
    return text.replace(password, "***") if password else text


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

    def unit_of_work(read_only: bool = False, principal: Principal | None = None) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, clock, decisions, log, read_only, principal)

    log_service = LogService(unit_of_work, keys, settings.log_origin, crash_point)
    if settings.transparency_log:
        log_service.ensure_first_key()
    cycle = CycleService(unit_of_work)
    store = DocumentStore(settings.data_dir / "documents")
    mrv = mrv_adapters(settings.data_dir / "mrv", store)
    return App(
        settings,
        engine,
        RegistryService(unit_of_work),
        log_service,
        unit_of_work,
        cycle,
        DocumentService(store, unit_of_work, cycle, crash_point),
        WebhookService(
            unit_of_work,
            FernetSecretBox(settings.log_key_dir, announce),
            HttpxWebhookSender(),
            crash_point,
        ),
        IdentityService(unit_of_work, Argon2Passwords(), PyOtpTotp()),
        PublicService.over(unit_of_work, FpdfCertificates(), CsvReferenceData()),
        MrvService.over(unit_of_work, mrv),
        mrv,
        AefService.over(unit_of_work, OpenpyxlReportFiles()),
    )


def mqtt_broker(app: App, principal: Principal | None = None) -> BrokerService:
    """MQTT broker accounts and Mosquitto's files (issue 11), acting for ``principal``
    (None: unattributed). The subscriber's secret lives in ``<data_dir>/mrv``."""
    from jcm.adapters.mrv.mosquitto import MosquittoFiles, MosquittoPasswords

    uow = app.unit_of_work if principal is None else partial(app.unit_of_work, principal=principal)
    secret = app.settings.data_dir / "mrv" / "mqtt-subscriber.secret"
    return BrokerService(uow, MosquittoPasswords(), MosquittoFiles(secret))
