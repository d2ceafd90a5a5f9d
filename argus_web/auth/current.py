"""Who is calling: a session token or a personal API token, roles re-read every time."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler

from argus_core.domain.people import Actor
from argus_core.usecases.identity import IdentityService
from argus_core.usecases.tokens import TokenService, looks_like_token
from argus_web.auth.tokens import InvalidToken, SessionTokens


def bearer(request: Request[Any, Any, Any]) -> str | None:
    """The bearer credential; SSE streams may pass it as ``?token=`` (EventSource sends
    no headers)."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        return credential.strip()
    if request.url.path.endswith("/stream"):
        token = request.query_params.get("token")
        return token or None
    return None


async def authenticate(
    request: Request[Any, Any, Any],
    sessions: SessionTokens,
    identity: IdentityService,
    tokens: TokenService,
) -> Actor:
    """The actor for this request, or 401 for a missing, expired or tampered credential."""
    credential = bearer(request)
    if credential is None:
        raise NotAuthorizedException("Sign in first: send 'Authorization: Bearer <token>'.")
    if looks_like_token(credential):
        user = await tokens.authenticate(credential)
        if user is None:
            raise NotAuthorizedException("This API token is not valid or has been revoked.")
        email = user.email
    else:
        try:
            email = sessions.email_of(credential)
        except InvalidToken as exc:
            raise NotAuthorizedException(
                "Your session has expired or the token is not valid; sign in again."
            ) from exc
    return await identity.actor(email)


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard of every protected route: authenticate before Litestar reads the body and the
    parameters, so a missing, expired or tampered token is a 401 even on a malformed
    request. The actor stays cached in the request's container for the handler."""
    await connection.state.dishka_container.get(Actor)
