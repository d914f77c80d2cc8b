"""The MRV use cases as one object: ``app.mrv`` (unattributed) and ``acting.mrv``."""

from __future__ import annotations

from dataclasses import dataclass

from jcm.service_layer.mrv.devices import DeviceService
from jcm.service_layer.mrv.intake import IntakeService
from jcm.service_layer.mrv.intake_ports import BatchSignatures, ReadingStore
from jcm.service_layer.mrv.qa import QaService
from jcm.service_layer.mrv.qa_ports import QaEngine
from jcm.service_layer.mrv.verification import VerificationService
from jcm.service_layer.mrv.verification_ports import BundleFiles
from jcm.service_layer.ports import DocumentStore, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class MrvAdapters:
    """What the MRV use cases need besides the database (wired by ``bootstrap``)."""

    readings: ReadingStore
    signatures: BatchSignatures
    qa_engine: QaEngine
    bundles: BundleFiles
    # The cycle's document store: a verification's record is its monitoring report's evidence.
    documents: DocumentStore | None = None


@dataclass(frozen=True, slots=True)
class MrvService:
    devices: DeviceService
    intake: IntakeService
    qa: QaService
    verification: VerificationService

    @classmethod
    def over(cls, uow: UnitOfWorkFactory, adapters: MrvAdapters) -> MrvService:
        qa = QaService(uow, adapters.readings, adapters.qa_engine)
        return cls(
            DeviceService(uow),
            IntakeService(uow, adapters.readings, adapters.signatures),
            qa,
            VerificationService(uow, adapters.readings, qa, adapters.bundles, adapters.documents),
        )
