"""Personal API tokens: created and revoked by their owner, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from uuid import UUID

import msgspec

from argus_core.domain.errors import NotFound, PermissionDenied
from argus_core.domain.people import Actor, ApiToken, User
from argus_core.ports import Clock, UnitOfWork
from argus_core.validation import clean_name

PREFIX = "argus_pat_"


def token_hash(secret: str) -> str:
    """SHA-256 of the secret: tokens carry 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_token(secret: str) -> bool:
    """Whether a bearer credential is a personal token (rather than a session JWT)."""
    return secret.startswith(PREFIX)


class TokenService:
    """Issue, list, revoke and check personal API tokens."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def create(self, actor: Actor, name: str) -> tuple[str, ApiToken]:
        """A new token for the signed-in user; the secret is returned only here."""
        user_id = _user_of(actor)
        secret = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            id=uuid.uuid4(),
            user_id=user_id,
            name=clean_name(name, "token"),
            token_hash=token_hash(secret),
            created_at=self.clock.now(),
        )
        async with self.uow:
            await self.uow.tokens.add(token)
            await self.uow.commit()
        return secret, token

    async def list(self, actor: Actor) -> Sequence[ApiToken]:
        """The signed-in user's tokens (hashes only)."""
        async with self.uow:
            return await self.uow.tokens.for_user(_user_of(actor))

    async def revoke(self, actor: Actor, token_id: UUID) -> None:
        """Revoke one of the signed-in user's own tokens."""
        user_id = _user_of(actor)
        async with self.uow:
            mine = {t.id: t for t in await self.uow.tokens.for_user(user_id)}
            if token_id not in mine:
                raise NotFound(f"No token with id {token_id}.")
            token = mine[token_id]
            if token.revoked_at is None:
                await self.uow.tokens.save(
                    msgspec.structs.replace(token, revoked_at=self.clock.now())
                )
                await self.uow.commit()

    async def authenticate(self, secret: str) -> User | None:
        """The owner of a valid, unrevoked token (its last use recorded), else None."""
        async with self.uow:
            token = await self.uow.tokens.find_by_hash(token_hash(secret))
            if token is None or token.revoked_at is not None:
                return None
            user = await self.uow.users.get(token.user_id)
            await self.uow.tokens.save(
                msgspec.structs.replace(token, last_used_at=self.clock.now())
            )
            await self.uow.commit()
            return user


def _user_of(actor: Actor) -> UUID:
    if actor.user_id is None:
        raise PermissionDenied("Sign in as a person to manage API tokens.")
    return actor.user_id
