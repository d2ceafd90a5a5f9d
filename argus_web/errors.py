"""Every error as JSON problem details with a clear message; bad input is never a 500."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

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


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI entries of the problem-details answers a route can give (they replace
    Litestar's own 400 entry, whose shape and media type Argus does not send)."""
    return {
        status: ResponseSpec(
            Problem, description=TITLES[status], media_type=PROBLEM_JSON, generate_examples=False
        )
        for status in statuses
    }


# What a route behind 'Authorization: Bearer' can answer besides success.
SIGNED_IN = problems(400, 401, 403, 404, 409, 422)
# The sign-in routes: bad input, a refused person, local sign-in off, Google not configured.
SIGN_IN = problems(400, 403, 404, 422, 503)


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
    if isinstance(exc, DBAPIError) and _is_data_exception(exc):
        # SQLSTATE class 22: a value the database cannot hold, such as a NUL character
        # in text on PostgreSQL or a number out of range. The request is at fault.
        log.info("refused a value the database cannot store: %s", exc.orig)
        return problem(
            400,
            "The request holds a value that cannot be stored: text may not contain NUL "
            "characters and numbers must be in range.",
        )
    if database_unreachable(exc):
        log.warning(
            "the database does not answer (%s %s): %r", request.method, request.url.path, exc
        )
        response = problem(503, "The database does not answer; try again in a moment.")
        response.headers["Retry-After"] = "1"
        return response
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong on our side; it has been logged."
    )


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached: a refused
    or broken connection, a connect time-out, a pool with no connection to give, or
    PostgreSQL starting up or shutting down (SQLSTATE classes 08 and 57P). The request
    is not at fault and may succeed in a moment: 503, not 500."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError | TimeoutError | PoolTimeout):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(
            getattr(current, "orig", None), "sqlstate", None
        )
        if isinstance(sqlstate, str) and sqlstate.startswith(("08", "57P")):
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_data_exception(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("22")


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    ArgusError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
