"""Article 6.2 over HTTP: the cooperative-approach register (approaches, authorisations,
authorised entities). Access rules in ``jcm.domain.identity.aef_actions``."""

from __future__ import annotations

from jcm.entrypoints.api.routing import Router

router = Router(tags=["article6"])
