"""Running QA/QC and aggregation over a project's readings for a period; QA reports."""

from __future__ import annotations

from jcm.service_layer.mrv.intake_ports import ReadingStore
from jcm.service_layer.mrv.qa_ports import QaEngine
from jcm.service_layer.ports import UnitOfWorkFactory


class QaService:
    def __init__(self, uow: UnitOfWorkFactory, readings: ReadingStore, engine: QaEngine) -> None:
        self._uow = uow
        self._readings = readings
        self._engine = engine
