"""MQTT broker accounts: a device's password (issued once, stored as a hash, logged without
the secret) and the broker's configuration written from the stored hashes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from jcm.domain.errors import NotFound
from jcm.domain.mrv.broker import (
    CREDENTIALS_ISSUED,
    SUBSCRIBER_USER,
    BrokerSettings,
    device_topic,
)
from jcm.service_layer.mrv.broker_ports import (
    BrokerFiles,
    BrokerFilesWritten,
    BrokerUnitOfWork,
    BrokerUnitOfWorkFactory,
    DeviceOwner,
    MqttPasswords,
)


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    device: str
    username: str
    password: str  # shown once: only its hash is stored
    topic: str


@dataclass(frozen=True, slots=True)
class SubscriberLogin:
    username: str
    password: str


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    directory: str
    config: str
    password_file: str
    acl_file: str
    accounts: int
    url: str
    reloaded_pid: int | None  # the running broker told to re-read its files, if any


class BrokerService:
    def __init__(
        self, uow: BrokerUnitOfWorkFactory, passwords: MqttPasswords, files: BrokerFiles
    ) -> None:
        self._uow = uow
        self._passwords = passwords
        self._files = files

    def issue_credentials(self, device_id: str) -> IssuedCredentials:
        """A new random MQTT password for a registered device (the old one stops working at
        the broker's next reload). The caller must participate in the device's project."""
        password = secrets.token_urlsafe(24)  # 192 bits: no offline guessing of the hash
        password_hash = self._passwords.hash(password)  # before the transaction: a subprocess
        with self._uow() as uow:
            owner = _visible_device(uow, device_id)
            uow.mrv_credentials.put(owner.device, password_hash, uow.now)
            change: dict[str, object] = {
                "device": owner.device,
                "project": owner.project_id,
                "username": owner.device,
                "topic": device_topic(owner.device),
            }
            uow.ledger.add_event(CREDENTIALS_ISSUED, None, change, uow.now)
            uow.commit()
        return IssuedCredentials(owner.device, owner.device, password, device_topic(owner.device))

    def subscriber_login(self) -> SubscriberLogin:
        return SubscriberLogin(SUBSCRIBER_USER, self._files.subscriber_password())

    def write_config(
        self, directory: Path, settings: BrokerSettings, *, reload: bool = True
    ) -> BrokerConfig:
        """Write mosquitto.conf, the password file and the ACL into ``directory`` from the
        stored hashes; a broker already running on that directory re-reads them."""
        with self._uow(read_only=True) as uow:
            hashes = uow.mrv_credentials.hashes()
        subscriber_hash = self._passwords.hash(self._files.subscriber_password())
        written: BrokerFilesWritten = self._files.write(
            directory, settings, hashes, subscriber_hash
        )
        pid = self._files.reload(directory) if reload else None
        return BrokerConfig(
            str(directory),
            str(written.config),
            str(written.password_file),
            str(written.acl_file),
            written.accounts,
            f"mqtt://{settings.host}:{settings.port}",
            pid,
        )


def _visible_device(uow: BrokerUnitOfWork, device_id: str) -> DeviceOwner:
    """The device, if the caller may manage it: the operator's own act, its registering
    organisation, or a participant of its project. Otherwise one answer for absent and
    not-yours (nothing leaks)."""
    owner = uow.mrv_credentials.owner(device_id)
    principal = uow.principal
    if owner is not None and principal is not None and principal.organisation_id:
        org = principal.organisation_id
        project = uow.cycle.get_project(owner.project_id)
        participants = {p.organisation_id for p in project.participants} if project else set()
        if org != owner.organisation_id and org not in participants:
            owner = None
    if owner is None:
        raise NotFound(
            "D8_UNKNOWN_DEVICE",
            f"No device {device_id!r} is registered to a project you participate in.",
            device=device_id,
        )
    return owner
