"""What every request reaches: the wired application, the identity service and the caller."""

from __future__ import annotations

from dataclasses import dataclass

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.principal import Principal
from jcm.service_layer.aef.service import AefService
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.documents.service import DocumentService
from jcm.service_layer.identity.service import IdentityService
from jcm.service_layer.mrv.service import MrvService
from jcm.service_layer.public.service import PublicService
from jcm.service_layer.registry.service import RegistryService
from jcm.service_layer.transparency.service import LogService
from jcm.service_layer.webhooks.service import WebhookService


@dataclass(frozen=True)
class Services:
    """The use cases as one caller takes them (its steps are attributed to it)."""

    registry: RegistryService
    cycle: CycleService
    documents: DocumentService
    log: LogService
    identity: IdentityService  # takes the acting principal explicitly (``by``)
    webhooks: WebhookService
    public: PublicService  # read-only views, the same for every caller
    mrv: MrvService  # digital MRV (issue 11): attributed like registry and cycle
    aef: AefService  # Article 6.2 reporting (issue 12)


@dataclass
class ApiContext:
    app: App
    identity: IdentityService
    max_body_bytes: int = 1 << 20  # JSON bodies
    max_upload_bytes: int = 64 << 20  # multipart uploads (documents, monitoring sheets)

    def services(self, principal: Principal | None) -> Services:
        """Anonymous callers only read; an authenticated caller's steps are attributed to it
        (its units of work carry the principal, its log entries record it)."""
        if principal is None:
            app = self.app
            return Services(
                app.registry,
                app.cycle,
                app.documents,
                app.log,
                app.identity,
                app.webhooks,
                app.public,
                app.mrv,
                app.aef,
            )
        acting = self.app.acting(principal)
        return Services(
            acting.registry,
            acting.cycle,
            acting.documents,
            acting.log,
            self.app.identity,
            self.app.webhooks,
            self.app.public,
            acting.mrv,
            acting.aef,
        )


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
