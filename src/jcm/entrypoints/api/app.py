"""The FastAPI application: routers per area under ``/api/v1``, problems, limits."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from jcm.entrypoints.api import problems
from jcm.entrypoints.api.body_limit import BodyLimit
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.api.routing import Router

PREFIX = "/api/v1"
TITLE = "JCM registry API"
VERSION = "1.0.0"
DESCRIPTION = (
    "The registry and project cycle of Japan's Joint Crediting Mechanism over HTTP. "
    "Authenticate with `Authorization: Bearer <API token>` or a session cookie from "
    "`POST /api/v1/session`. Every refusal is `application/problem+json` with a stable "
    "`code`; every route documents who may call it in `x-jcm-access`."
)


def operation_id(route: APIRoute) -> str:
    """Stable operation ids, ``{tag}:{function}``: clients generated from the document keep
    their method names when routes move."""
    tag = str(route.tags[0]) if route.tags else "api"
    return f"{tag}:{route.name}"


def routers() -> tuple[Router, ...]:
    """Every area's router, in the order the document lists them."""
    from jcm.entrypoints.api import (
        a6_register_routes,
        a6_report_routes,
        cycle_routes,
        document_routes,
        identity_routes,
        methodology_routes,
        monitoring_routes,
        mrv_device_routes,
        mrv_intake_routes,
        mrv_mqtt_routes,
        mrv_qa_routes,
        mrv_verification_routes,
        public_routes,
        registry_routes,
        transparency_routes,
    )

    return (
        registry_routes.router,
        public_routes.router,
        cycle_routes.router,
        monitoring_routes.router,
        document_routes.router,
        methodology_routes.router,
        transparency_routes.router,
        identity_routes.router,
        mrv_device_routes.router,
        mrv_intake_routes.router,
        mrv_mqtt_routes.router,
        mrv_qa_routes.router,
        mrv_verification_routes.router,
        a6_register_routes.router,
        a6_report_routes.router,
    )


def create_app(ctx: ApiContext) -> FastAPI:
    api = FastAPI(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        generate_unique_id_function=operation_id,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    api.state.jcm = ctx

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            from jcm.entrypoints.api.openapi import described

            api.openapi_schema = described(api)
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    problems.install(api)
    for router in routers():
        api.include_router(router, prefix=PREFIX)
    api.add_middleware(BodyLimit, max_json=ctx.max_body_bytes, max_upload=ctx.max_upload_bytes)
    return api
