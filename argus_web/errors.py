"""Every error as JSON problem details with a clear message; bad input is never a 500."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from argus_core.domain.errors import (
    ArgusError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from argus_web.api.schemas import Problem

log = logging.getLogger("argus.web")

PROBLEM_JSON = "application/problem+json"
STATUS_OF = {
    NotFound: 404,
    PermissionDenied: 403,
    InvalidInput: 422,
    Conflict: 409,
    Unavailable: 503,
}
TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    500: "Server error",
    503: "Unavailable",
}


def problem(status: int, detail: str) -> Response[Problem]:
    """A problem-details response."""
    body = Problem(title=TITLES.get(status, "Error"), status=status, detail=detail)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def domain_error(_: Request[Any, Any, Any], exc: ArgusError) -> Response[Problem]:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    return problem(status, exc.message)


def validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    detail = exc.detail
    extra = exc.extra
    if isinstance(extra, list) and extra:
        parts = [
            f"{e.get('key') or 'body'}: {e.get('message')}" for e in extra if isinstance(e, dict)
        ]
        detail = f"{detail}: {'; '.join(parts)}" if parts else detail
    return problem(400, detail)


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    return problem(exc.status_code, exc.detail)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    if isinstance(exc, msgspec.ValidationError | msgspec.DecodeError):
        return problem(400, f"The request body is not valid: {exc}")
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong on our side; it has been logged."
    )


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    ArgusError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
