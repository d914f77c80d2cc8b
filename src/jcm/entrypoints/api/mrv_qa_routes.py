"""Digital MRV over HTTP: qa (access rules in ``jcm.domain.identity.mrv_actions``)."""

from __future__ import annotations

from jcm.entrypoints.api.routing import Router

router = Router(tags=["mrv"])
