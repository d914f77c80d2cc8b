"""The committed OpenAPI document: ``python -m jcm.entrypoints.api.openapi openapi.json``.

The document is built from the routes alone (no database), deterministically (sorted keys,
two-space indent, a final newline), so a test can fail when the committed copy drifts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from jcm.entrypoints.api.app import DESCRIPTION, PREFIX, TITLE, VERSION, operation_id, routers


def document() -> dict[str, Any]:
    api = FastAPI(generate_unique_id_function=operation_id)
    for router in routers():
        api.include_router(router, prefix=PREFIX)
    return described(api)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details with the registry's stable code.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "example": "urn:jcm:problem:U2_NOT_HELD"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "details": {"type": "object", "additionalProperties": True},
    },
}
_PROBLEM_RESPONSES = {
    "401": "No valid credentials (K1).",
    "403": "The organisation's roles or the token's scopes do not allow this (K2).",
    "404": "Absent, or not visible to this caller: the same answer for both.",
    "409": "A rule refuses the command; nothing changed.",
    "413": "The request body is too large (H3).",
    "422": "Malformed input: unknown fields or parameters, out-of-range values.",
    "429": "Too many attempts; see Retry-After.",
}


def described(api: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``api`` with the problem responses and security schemes."""
    doc = get_openapi(title=TITLE, version=VERSION, description=DESCRIPTION, routes=api.routes)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        "token": {"type": "http", "scheme": "bearer", "description": "An API token."},
        "session": {"type": "apiKey", "in": "cookie", "name": "jcm_session"},
    }
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            public = operation.get("x-jcm-access") == "public"
            responses = operation.setdefault("responses", {})
            for status, text in _PROBLEM_RESPONSES.items():
                if public and status in ("401", "403"):
                    continue
                responses[status] = {"description": text, "content": problem}
            if not public:
                operation["security"] = [{"token": []}, {"session": []}]
    return doc


def text() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path("openapi.json")
    target.write_text(text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
