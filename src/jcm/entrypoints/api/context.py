"""What every request reaches: the wired application, the identity service and the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.principal import Principal
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.documents.service import DocumentService
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.transparency.service import LogService


class Identity(Protocol):
    """What the API needs of the identity service (jcm.service_layer.identity)."""

    def authenticate_token(self, token: str) -> Principal: ...

    def authenticate_session(self, session_token: str) -> Principal: ...

    def check_csrf(self, session_token: str, csrf_token: str) -> None: ...

    def roles_of(self, organisation_id: str) -> frozenset[Role]: ...

    def registries_administered(self, organisation_id: str) -> frozenset[str]: ...


@dataclass(frozen=True)
class Services:
    """The use cases as one caller takes them (its steps are attributed to it)."""

    registry: RegistryService
    cycle: CycleService
    documents: DocumentService
    log: LogService


@dataclass
class ApiContext:
    app: App
    identity: Identity
    max_body_bytes: int = 1 << 20  # JSON bodies
    max_upload_bytes: int = 64 << 20  # multipart uploads (documents, monitoring sheets)

    def services(self, principal: Principal | None) -> Services:
        """Anonymous callers only read; an authenticated caller's steps are attributed to it
        (its units of work carry the principal, its log entries record it)."""
        if principal is None:
            app = self.app
            return Services(app.registry, app.cycle, app.documents, app.log)
        acting = self.app.acting(principal)
        return Services(acting.registry, acting.cycle, acting.documents, acting.log)


@dataclass(frozen=True)
class Caller:
    """The authenticated principal (None: anonymous) with its organisation's roles."""

    principal: Principal | None
    roles: frozenset[Role]
    admin_of: frozenset[str]
    services: Services

    @property
    def organisation(self) -> str | None:
        return self.principal.organisation_id if self.principal else None
