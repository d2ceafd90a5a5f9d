"""Signed-in users and the actor on whose behalf a use case runs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from argus_core.domain.values import SYSTEM_NAME, MemberRole


class User(msgspec.Struct, frozen=True, kw_only=True):
    """A person who signs in (Google account, or a local account in the demo)."""

    id: UUID
    email: str
    name: str = ""
    slack_user_id: str | None = None
    is_admin: bool = False


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    """One team a person belongs to, and in which role."""

    member_id: UUID
    team_id: UUID
    role: MemberRole


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who is acting, with roles re-read for this request (never from a token).

    A person with no membership who is not an admin is a *viewer*.
    """

    name: str
    email: str | None = None
    user_id: UUID | None = None
    is_admin: bool = False
    is_system: bool = False
    memberships: tuple[Membership, ...] = ()

    @classmethod
    def system(cls) -> Actor:
        """Argus itself: auto-resolve, reminders, triage."""
        return cls(name=SYSTEM_NAME, is_system=True)

    @property
    def member_ids(self) -> frozenset[UUID]:
        """Ids of every membership, for "own issues" checks."""
        return frozenset(m.member_id for m in self.memberships)

    def role_in(self, team_id: UUID | None) -> MemberRole | None:
        """The actor's role in ``team_id``, or None if not a member."""
        for membership in self.memberships:
            if membership.team_id == team_id:
                return membership.role
        return None

    @property
    def roles(self) -> dict[UUID, MemberRole]:
        """Team id -> role, as ``User.roles`` on the wire."""
        return {m.team_id: m.role for m in self.memberships}


class ApiToken(msgspec.Struct, frozen=True, kw_only=True):
    """A personal API token for scripts; only its hash is stored."""

    id: UUID
    user_id: UUID
    name: str
    token_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
