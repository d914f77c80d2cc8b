"""The Article 6.2 reporting use cases as one object: ``app.aef`` and ``acting.aef``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from jcm.service_layer.aef.ports import AefUnitOfWorkFactory, ReportFiles
from jcm.service_layer.aef.register import RegisterService
from jcm.service_layer.aef.reports import ReportService
from jcm.service_layer.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class AefService:
    register: RegisterService
    reports: ReportService

    @classmethod
    def over(cls, uow: UnitOfWorkFactory, files: ReportFiles) -> AefService:
        factory = cast(AefUnitOfWorkFactory, uow)
        return cls(RegisterService(factory), ReportService(factory, files))
