"""Argus's own short-lived session tokens (JWT, HS256) and the OAuth state/PKCE pair."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import jwt

from argus_core.domain.people import User

ISSUER = "argus"
STATE_MINUTES = 10


class InvalidToken(Exception):
    """A token is missing, expired, tampered with or of the wrong kind."""


class SessionTokens:
    """Signs and checks session tokens and sign-in states with one secret.

    Only HS256 is accepted, so ``alg: none`` and key-confusion tricks are refused. Tokens
    name the user; roles are never in them (they are re-read on every request).
    """

    def __init__(self, secret: str, ttl_minutes: int) -> None:
        self._secret = secret
        self.ttl = timedelta(minutes=ttl_minutes)

    def issue(self, user: User, now: datetime | None = None) -> str:
        """A session token for ``user``."""
        now = now or datetime.now(UTC)
        claims = {
            "iss": ISSUER,
            "sub": str(user.id),
            "email": user.email,
            "purpose": "session",
            "iat": now,
            "exp": now + self.ttl,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def email_of(self, token: str) -> str:
        """The email a valid session token was issued to."""
        claims = self._decode(token, "session")
        email = claims.get("email")
        if not isinstance(email, str):
            raise InvalidToken("The token names no user.")
        return email

    def new_state(self) -> tuple[str, str]:
        """A signed sign-in ``state`` and the PKCE ``code_challenge`` that goes with it.

        The verifier is derived from the state with the secret, so nothing is stored
        between the two halves of the flow and the verifier never leaves the server.
        """
        now = datetime.now(UTC)
        claims = {
            "iss": ISSUER,
            "purpose": "oauth_state",
            "nonce": secrets.token_urlsafe(24),
            "iat": now,
            "exp": now + timedelta(minutes=STATE_MINUTES),
        }
        state = jwt.encode(claims, self._secret, algorithm="HS256")
        return state, _challenge(self.verifier_for(state))

    def verifier_for(self, state: str) -> str:
        """The PKCE verifier of a valid state; InvalidToken for a wrong or stale one."""
        nonce = self._decode(state, "oauth_state").get("nonce")
        if not isinstance(nonce, str):
            raise InvalidToken("The sign-in state is malformed.")
        digest = hmac.new(self._secret.encode(), f"pkce:{nonce}".encode(), hashlib.sha256)
        return _b64(digest.digest())

    def _decode(self, token: str, purpose: str) -> dict[str, object]:
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims.get("purpose") != purpose:
            raise InvalidToken("The token is not meant for this.")
        return claims


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _challenge(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())
