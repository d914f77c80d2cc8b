"""What the broker use cases need: the credentials table, a password hasher in Mosquitto's
format, and the broker's files (configuration, password file, ACL, the subscriber's secret)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from jcm.domain.mrv.broker import BrokerSettings
from jcm.service_layer.mrv.device_ports import DeviceUnitOfWork


class CredentialStore(Protocol):
    def put(self, device_id: str, password_hash: str, now: datetime) -> None: ...
    def hashes(self) -> list[tuple[str, str]]: ...


class BrokerUnitOfWork(DeviceUnitOfWork, Protocol):
    @property
    def mrv_credentials(self) -> CredentialStore: ...


class BrokerUnitOfWorkFactory(Protocol):
    def __call__(self, read_only: bool = False) -> BrokerUnitOfWork: ...


class MqttPasswords(Protocol):
    def hash(self, password: str) -> str:
        """The password's hash as the broker's password file holds it."""
        ...


@dataclass(frozen=True, slots=True)
class BrokerFilesWritten:
    config: Path
    password_file: Path
    acl_file: Path
    accounts: int  # devices with credentials, plus the subscriber


class BrokerFiles(Protocol):
    def subscriber_password(self) -> str:
        """The subscriber account's password (a private file, generated on first use)."""
        ...

    def write(
        self,
        directory: Path,
        settings: BrokerSettings,
        hashes: list[tuple[str, str]],
        subscriber_hash: str,
    ) -> BrokerFilesWritten: ...

    def reload(self, directory: Path) -> int | None:
        """Ask a running broker started on ``directory`` to re-read its files (its pid;
        None when none runs there)."""
        ...
