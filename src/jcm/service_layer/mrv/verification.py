"""Automatic verification of a monitoring period, its Merkle root and evidence bundle."""

from __future__ import annotations

from jcm.service_layer.mrv.intake_ports import ReadingStore
from jcm.service_layer.mrv.qa import QaService
from jcm.service_layer.mrv.verification_ports import BundleFiles
from jcm.service_layer.ports import UnitOfWorkFactory


class VerificationService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        readings: ReadingStore,
        qa: QaService,
        bundles: BundleFiles,
    ) -> None:
        self._uow = uow
        self._readings = readings
        self._qa = qa
        self._bundles = bundles
