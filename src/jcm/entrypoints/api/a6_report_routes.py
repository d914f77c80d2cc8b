"""Article 6.2 over HTTP: each Party's AEF reports (build, check, submit, export, verify)
and the public's view of what has been submitted. Access rules in
``jcm.domain.identity.aef_actions``."""

from __future__ import annotations

from jcm.entrypoints.api.routing import Router

router = Router(tags=["article6"])
