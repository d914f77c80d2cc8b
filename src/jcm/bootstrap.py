"""Composition root: settings → engine → unit of work → services."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from jcm.adapters import log_keys, migrate
from jcm.adapters.database import make_engine, sqlite_url
from jcm.adapters.document_store import DocumentStore
from jcm.adapters.log_keys import load_or_create_signer
from jcm.adapters.log_store import LogSettings
from jcm.adapters.signing import NoteVerifier
from jcm.adapters.unit_of_work import SqlUnitOfWork
from jcm.domain.registry.issuance import IssuanceDecision
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.transparency.service import LogService

DEFAULT_DATA_DIR = Path("jcm-data")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    log_origin: str = "jcm-registry/log"
    checkpoint_every: int = 1000
    transparency_log: bool = True  # False only to measure the log's cost in benchmarks

    @classmethod
    def from_env(cls, data_dir: Path | None = None, database_url: str | None = None) -> Settings:
        directory = data_dir or Path(os.environ.get("JCM_DATA_DIR", DEFAULT_DATA_DIR))
        url = database_url or os.environ.get("JCM_DATABASE_URL") or sqlite_url(directory)
        return cls(
            directory,
            url,
            log_origin=os.environ.get("JCM_LOG_ORIGIN", cls.log_origin),
            checkpoint_every=int(os.environ.get("JCM_CHECKPOINT_EVERY", cls.checkpoint_every)),
        )


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
    documents: DocumentStore

    def log_verifiers(self) -> dict[str, NoteVerifier]:
        """Every public key the log has signed with (rotated keys included), by key id."""
        return {
            key.key_id: NoteVerifier.from_verifier_key(key.verifier)
            for key in self.log.signing_keys()
        }

    def public_keys(self) -> list[dict[str, Any]]:
        """The log's verifier keys: every key it signed with, then the active one."""
        keys = [
            {
                "key_id": k.key_id,
                "verifier": k.verifier,
                "retired": k.retired_at is not None,
            }
            for k in self.log.signing_keys()
        ]
        active = load_or_create_signer(self.settings.data_dir, self.settings.log_origin)
        if f"{active.key_id:08x}" not in {k["key_id"] for k in keys}:
            keys.append(
                {
                    "key_id": f"{active.key_id:08x}",
                    "verifier": active.verifier_key(),
                    "retired": False,
                }
            )
        return keys

    def rotate_log_key(self) -> dict[str, str]:
        """Start signing with a new key; the old public key stays known for verification."""
        old, new = log_keys.rotate(self.settings.data_dir, self.settings.log_origin)
        with self.unit_of_work() as uow:
            uow.ledger.log.ensure_key(old, uow.now)
            uow.ledger.log.ensure_key(new, uow.now)
            uow.ledger.log.retire_other_keys(f"{new.key_id:08x}", uow.now)
            uow.commit()
        return {
            "old_key_id": f"{old.key_id:08x}",
            "new_key_id": f"{new.key_id:08x}",
            "new_public_key": new.verifier_key(),
        }

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    run_migrations: bool = True,
) -> App:
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate.upgrade(engine)
    signer = load_or_create_signer(settings.data_dir, settings.log_origin)
    log = LogSettings(
        enabled=settings.transparency_log,
        signer=signer,
        origin=settings.log_origin,
        checkpoint_every=settings.checkpoint_every,
    )
    decisions: dict[int, IssuanceDecision] = {}

    def unit_of_work(read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, clock, decisions, log, read_only)

    return App(
        settings,
        engine,
        RegistryService(unit_of_work),
        LogService(unit_of_work),
        unit_of_work,
        CycleService(unit_of_work),
        DocumentStore(settings.data_dir / "documents"),
    )
