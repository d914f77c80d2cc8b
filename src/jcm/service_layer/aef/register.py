"""Registering cooperative approaches, authorisations and authorised entities (logged)."""

from __future__ import annotations

from jcm.service_layer.aef.ports import AefUnitOfWorkFactory


class RegisterService:
    def __init__(self, uow: AefUnitOfWorkFactory) -> None:
        self.uow = uow
