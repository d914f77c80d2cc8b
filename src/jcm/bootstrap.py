"""Composition root: settings → engine → unit of work → services."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from jcm.adapters import migrate
from jcm.adapters.database import make_engine, sqlite_url
from jcm.adapters.unit_of_work import SqlUnitOfWork
from jcm.domain.issuance import IssuanceDecision
from jcm.service_layer.services import RegistryService

DEFAULT_DATA_DIR = Path("jcm-data")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str

    @classmethod
    def from_env(cls, data_dir: Path | None = None, database_url: str | None = None) -> Settings:
        directory = data_dir or Path(os.environ.get("JCM_DATA_DIR", DEFAULT_DATA_DIR))
        url = database_url or os.environ.get("JCM_DATABASE_URL") or sqlite_url(directory)
        return cls(directory, url)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    engine: Engine
    registry: RegistryService

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
    decisions: dict[int, IssuanceDecision] = {}
    return App(settings, engine, RegistryService(lambda: SqlUnitOfWork(engine, clock, decisions)))
