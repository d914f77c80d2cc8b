"""Accepting signed batches exactly once, from MQTT, HTTP and files; refusing the rest."""

from __future__ import annotations

from jcm.service_layer.mrv.intake_ports import BatchSignatures, ReadingStore
from jcm.service_layer.ports import UnitOfWorkFactory


class IntakeService:
    def __init__(
        self, uow: UnitOfWorkFactory, readings: ReadingStore, signatures: BatchSignatures
    ) -> None:
        self._uow = uow
        self._readings = readings
        self._signatures = signatures
