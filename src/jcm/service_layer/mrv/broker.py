"""MQTT broker accounts: a device's password (issued once, stored as a hash, logged without
the secret) and the broker's configuration written from the stored hashes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from jcm.domain.mrv.broker import (
    CREDENTIALS_ISSUED,
    SUBSCRIBER_USER,
    BrokerSettings,
    device_topic,
)
from jcm.domain.mrv.devices import Device
from jcm.service_layer.mrv.broker_ports import (
    BrokerFiles,
    BrokerFilesWritten,
    BrokerUnitOfWork,
    BrokerUnitOfWorkFactory,
    MqttPasswords,
)
from jcm.service_layer.mrv.devices import check_participant, unknown_device


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
        with self._uow(read_only=True) as uow:
            _device(uow, device_id)  # refuse before spending a subprocess on the hash
        password = secrets.token_urlsafe(24)  # 192 bits: no offline guessing of the hash
        password_hash = self._passwords.hash(password)  # outside the transaction
        with self._uow() as uow:
            device = _device(uow, device_id)
            uow.mrv_credentials.put(device.id, password_hash, uow.now)
            change: dict[str, object] = {
                "device": device.id,
                "project": device.project_id,
                "username": device.id,
                "topic": device_topic(device.id),
            }
            uow.ledger.add_event(CREDENTIALS_ISSUED, None, change, uow.now)
            uow.commit()
        return IssuedCredentials(device.id, device.id, password, device_topic(device.id))

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


def _device(uow: BrokerUnitOfWork, device_id: str) -> Device:
    """The device, if the caller participates in its project (or acts for no organisation);
    ``D1_UNKNOWN_DEVICE`` otherwise, the answer for an absent one (nothing leaks)."""
    device = uow.mrv_devices.get(device_id.strip())
    if device is None:
        raise unknown_device(device_id)
    check_participant(uow, device, uow.principal)
    return device
