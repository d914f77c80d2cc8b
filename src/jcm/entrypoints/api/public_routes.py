"""What the registry publishes to anyone, without login: per-registry statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from fastapi.responses import JSONResponse

from jcm.domain.identity.transparency_actions import PUBLIC_STATISTICS as RULES
from jcm.entrypoints.api.registry_routes import respond
from jcm.entrypoints.api.routing import CallerDep, Router

router = Router(tags=["public"])
RegistryCode = Annotated[
    str, Path(min_length=2, max_length=2, description="The registry's ISO 3166-1 code.")
]


@router.endpoint("GET", "/registries/{registry}/statistics", access=RULES["registry_statistics"])
def registry_statistics(registry: RegistryCode, caller: CallerDep) -> JSONResponse:
    """Units recorded per account type (and per partner country), and per calendar year
    (UTC) the units issued, transferred, transferred to and acquired from the other registry,
    cancelled and retired, in tonnes of CO2 equivalent, as Japan's JCM registry publishes."""
    return respond(caller.services.public.statistics.of(registry))
