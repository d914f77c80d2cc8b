"""Every refusal as RFC 9457 ``application/problem+json``, never a stack trace.

A problem carries the stable domain code (``code``, and ``type`` as a URN built from it,
so renaming a Python class never changes what clients see), the catalogue's meaning as
``title``, the message as ``detail`` and the values at fault as ``details``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from jcm.domain.codes import BY_CODE
from jcm.domain.errors import JcmError

MEDIA_TYPE = "application/problem+json"
_log = logging.getLogger("jcm.api")

# Codes the HTTP layer itself answers with (catalogued in jcm.domain.codes, family H).
NOT_FOUND_ROUTE = "H1_NO_SUCH_ROUTE"
METHOD_NOT_ALLOWED = "H1_METHOD_NOT_ALLOWED"
BAD_REQUEST = "H2_BAD_REQUEST"
INTERNAL = "H9_INTERNAL"


def problem(
    status: int,
    code: str,
    detail: str,
    instance: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    entry = BY_CODE.get(code)
    body: dict[str, Any] = {
        "type": f"urn:jcm:problem:{code}",
        "title": entry.meaning if entry else code,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "details": dict(details or {}),
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _jcm_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, JcmError)
    headers = {}
    if error.http_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="jcm"'
    retry = error.details.get("retry_after")
    if retry is not None:
        headers["Retry-After"] = str(retry)
    return problem(
        error.http_status,
        error.code,
        error.message,
        request.url.path,
        _plain(error.details),
        headers,
    )


def _plain(details: Mapping[str, Any]) -> dict[str, Any]:
    """Details as JSON values (a refusal may carry dates or Decimals)."""
    return {key: _json_value(value) for key, value in details.items()}


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset):
        return [_json_value(v) for v in value]
    return str(value)


def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {
            "where": ".".join(str(part) for part in item.get("loc", ())),
            "problem": str(item.get("msg", "")),
        }
        for item in error.errors()
    ]
    first = errors[0] if errors else {"where": "request", "problem": "invalid"}
    return problem(
        422,
        BAD_REQUEST,
        f"The request is not valid: {first['where']}: {first['problem']}.",
        request.url.path,
        {"errors": errors[:20]},
    )


def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        code, detail = NOT_FOUND_ROUTE, "No such route."
    elif error.status_code == 405:
        code, detail = METHOD_NOT_ALLOWED, f"Method {request.method} is not allowed here."
    else:
        code, detail = BAD_REQUEST, str(error.detail)
    return problem(error.status_code, code, detail, request.url.path)


def log_fault(request: Request, error: Exception) -> None:
    """A fault, not a refusal: logged for the operator with its traceback, never shown."""
    _log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log_fault(request, error)
    return problem(500, INTERNAL, "The server failed; the fault is logged.", request.url.path)


HANDLERS: dict[type[Exception], Callable[[Request, Exception], JSONResponse]] = {
    JcmError: _jcm_error,
    RequestValidationError: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}


def install(app: FastAPI) -> None:
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
