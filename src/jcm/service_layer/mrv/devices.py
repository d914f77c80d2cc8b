"""Registering, recalibrating and replacing metering devices (each a logged event)."""

from __future__ import annotations

from jcm.service_layer.ports import UnitOfWorkFactory


class DeviceService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
