"""What the device use cases need of a unit of work: the cycle, the log and the devices."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from jcm.domain.identity.principal import Principal
from jcm.domain.mrv.devices import Device
from jcm.service_layer.ports import UnitOfWork


class DeviceStore(Protocol):
    """Table mrv_devices: one row per metering point (``SqlDeviceStore``)."""

    def get(self, device_id: str, *, lock: bool = False) -> Device | None: ...
    def organisation_of(self, device_id: str) -> str | None: ...
    def add(self, device: Device, organisation_id: str, now: datetime) -> None: ...
    def update(self, device: Device, now: datetime) -> None: ...
    def listed(self, project_id: str | None = None) -> list[tuple[Device, str]]: ...
    def list(self, project_id: str | None = None) -> list[Device]: ...


class DeviceUnitOfWork(UnitOfWork, Protocol):
    @property
    def mrv_devices(self) -> DeviceStore: ...


class DeviceUnitOfWorkFactory(Protocol):
    def __call__(
        self, read_only: bool = False, principal: Principal | None = None
    ) -> DeviceUnitOfWork: ...
