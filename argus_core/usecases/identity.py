"""Who is asking: users and the roles they hold, re-read on every request."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import msgspec

from argus_core.domain.errors import PermissionDenied
from argus_core.domain.people import Actor, Membership, User
from argus_core.ports import Identity, UnitOfWork


class IdentityService:
    """Signs people in and builds the :class:`Actor` for each request."""

    def __init__(
        self,
        uow: UnitOfWork,
        admin_emails: Iterable[str] = (),
        allowed_domain: str | None = None,
    ) -> None:
        self.uow = uow
        self.admin_emails = frozenset(e.strip().lower() for e in admin_emails if e.strip())
        self.allowed_domain = (allowed_domain or "").strip().lower() or None

    async def sign_in(self, identity: Identity) -> User:
        """Accept a verified identity from an allowed domain and remember the user."""
        email = identity.email.strip().lower()
        if not identity.email_verified:
            raise PermissionDenied("This Google account's email address is not verified.")
        if self.allowed_domain and not email.endswith("@" + self.allowed_domain):
            raise PermissionDenied(f"Only {self.allowed_domain} accounts may sign in.")
        async with self.uow:
            user = await self.uow.users.get_by_email(email)
            is_admin = self._is_admin(email, user)
            if user is None:
                user = User(id=uuid.uuid4(), email=email, name=identity.name, is_admin=is_admin)
                await self.uow.users.add(user)
            else:
                user = msgspec.structs.replace(
                    user, name=identity.name or user.name, is_admin=is_admin
                )
                await self.uow.users.save(user)
            await self.uow.commit()
            return user

    async def actor(self, email: str) -> Actor:
        """The actor for a signed-in email, with roles as they are now in the database."""
        email = email.strip().lower()
        async with self.uow.reading():
            person = await self.uow.users.person(email)
        user, members = person.user, person.members
        return Actor(
            name=(user.name if user and user.name else email),
            email=email,
            user_id=user.id if user else None,
            is_admin=self._is_admin(email, user),
            memberships=tuple(
                Membership(member_id=m.id, team_id=m.team_id, role=m.role)
                for m in members
                if m.is_active
            ),
        )

    async def actor_for_chat_user(
        self, chat_user_id: str, email: str | None, name: str | None = None
    ) -> Actor:
        """The actor behind a chat user (a Slack button click), with the same roles the
        API would give them: their member rows by chat id and by ``email`` (as the chat
        tool reports it), admin by ``ADMIN_EMAILS`` or the stored flag. Someone with no
        active membership who is not an admin is a viewer."""
        email = (email or "").strip().lower() or None
        async with self.uow.reading():
            user = await self.uow.users.get_by_email(email) if email else None
            members = await self.uow.members.find_by_person(email, chat_user_id)
        active = [m for m in members if m.is_active]
        return Actor(
            name=name
            or (user.name if user and user.name else None)
            or (members[0].name if members else None)
            or email
            or chat_user_id,
            email=email,
            user_id=user.id if user else None,
            is_admin=email is not None and self._is_admin(email, user),
            memberships=tuple(
                Membership(member_id=m.id, team_id=m.team_id, role=m.role) for m in active
            ),
        )

    def _is_admin(self, email: str, user: User | None) -> bool:
        """ADMIN_EMAILS, when set, is the only source of admins, so removing someone
        takes effect on their next request; without it (the demo) the stored flag counts."""
        if self.admin_emails:
            return email in self.admin_emails
        return bool(user and user.is_admin)
