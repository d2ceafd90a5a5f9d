"""``/api/auth``: Google sign-in, the demo's local sign-in, who am I, API tokens."""

from __future__ import annotations

from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Router, delete, get, post
from litestar.exceptions import (
    NotFoundException,
    ServiceUnavailableException,
    ValidationException,
)
from litestar.params import FromPath, JSONBody

from argus_core.domain.people import Actor, User
from argus_core.ports import Identity, IdentityProvider
from argus_core.usecases.identity import IdentityService
from argus_core.usecases.tokens import TokenService
from argus_web.api import schemas as s
from argus_web.api.presenters import token_out, user_out
from argus_web.auth.current import signed_in
from argus_web.auth.tokens import InvalidToken, SessionTokens
from argus_web.container import GoogleSignIn
from argus_web.errors import SIGN_IN, SIGNED_IN
from argus_web.settings import Settings

NOT_CONFIGURED = (
    "Google sign-in is not configured: set GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and "
    "GOOGLE_REDIRECT_URI."
)


def _google(sign_in: GoogleSignIn) -> IdentityProvider:
    if sign_in.provider is None:
        raise ServiceUnavailableException(NOT_CONFIGURED)
    return sign_in.provider


async def _signed_in(user: User, identity: IdentityService, sessions: SessionTokens) -> s.SignedIn:
    actor = await identity.actor(user.email)
    return s.SignedIn(token=sessions.issue(user), user=user_out(actor, user.slack_user_id))


@get("/google/url", responses=SIGN_IN)
@inject
async def google_url(
    sign_in: FromDishka[GoogleSignIn], sessions: FromDishka[SessionTokens]
) -> s.GoogleUrlOut:
    """Where to send the browser; ``state`` must come back to the callback."""
    provider = _google(sign_in)
    state, challenge = sessions.new_state()
    return s.GoogleUrlOut(
        url=provider.authorization_url(state=state, code_challenge=challenge), state=state
    )


@post("/google/callback", status_code=200, responses=SIGN_IN)
@inject
async def google_callback(
    data: JSONBody[s.GoogleCallbackIn],
    sign_in: FromDishka[GoogleSignIn],
    sessions: FromDishka[SessionTokens],
    identity: FromDishka[IdentityService],
) -> s.SignedIn:
    """Trade Google's code for an Argus session token (state and PKCE checked)."""
    provider = _google(sign_in)
    try:
        verifier = sessions.verifier_for(data.state or "")
    except InvalidToken as exc:
        raise ValidationException(
            "The sign-in state is missing, expired or not ours; start signing in again."
        ) from exc
    who = await provider.exchange(code=data.code, code_verifier=verifier)
    user = await identity.sign_in(who)
    return await _signed_in(user, identity, sessions)


@post("/dev-login", status_code=200, responses=SIGN_IN)
@inject
async def dev_login(
    data: JSONBody[s.DevLoginIn],
    settings: FromDishka[Settings],
    sessions: FromDishka[SessionTokens],
    identity: FromDishka[IdentityService],
) -> s.SignedIn:
    """Local sign-in for the embedded demo; 404 in production or with Google sign-in."""
    if not settings.local_sign_in:
        raise NotFoundException("Local sign-in is off here; sign in with Google.")
    email = data.email.strip().lower()
    if "@" not in email:
        raise ValidationException("Give an email address, such as admin@example.com.")
    user = await identity.sign_in(
        Identity(
            email=email, name=email.split("@")[0].replace(".", " ").title(), email_verified=True
        )
    )
    return await _signed_in(user, identity, sessions)


@get("/me", responses=SIGNED_IN)
@inject
async def me(actor: FromDishka[Actor]) -> s.UserOut:
    """The signed-in person with their roles as they are now."""
    return user_out(actor)


@get("/tokens", responses=SIGNED_IN)
@inject
async def list_tokens(
    actor: FromDishka[Actor], tokens: FromDishka[TokenService]
) -> list[s.TokenOut]:
    """Your personal API tokens (never their secrets)."""
    return [token_out(t) for t in await tokens.list(actor)]


@post("/tokens", responses=SIGNED_IN)
@inject
async def create_token(
    data: JSONBody[s.TokenIn], actor: FromDishka[Actor], tokens: FromDishka[TokenService]
) -> s.NewTokenOut:
    """A new personal API token; its secret is shown only in this answer."""
    secret, token = await tokens.create(actor, data.name)
    return s.NewTokenOut(**msgspec.structs.asdict(token_out(token)), token=secret)


@delete("/tokens/{token_id:uuid}", responses=SIGNED_IN)
@inject
async def revoke_token(
    token_id: FromPath[UUID], actor: FromDishka[Actor], tokens: FromDishka[TokenService]
) -> None:
    """Revoke one of your tokens."""
    await tokens.revoke(actor, token_id)


# Open: signing in. Behind a token: who am I, and API tokens.
auth_router = Router(
    path="/api/auth", route_handlers=[google_url, google_callback, dev_login], tags=["auth"]
)
account_router = Router(
    path="/api/auth",
    route_handlers=[me, list_tokens, create_token, revoke_token],
    tags=["auth"],
    guards=[signed_in],
    security=[{"bearer": []}],
)
