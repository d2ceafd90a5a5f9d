"""Team and member use cases: who owns what, and who may be assigned."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from argus_core.domain.errors import Conflict, InvalidInput
from argus_core.domain.people import Actor
from argus_core.domain.team import Member, ReminderSettings, Team
from argus_core.domain.values import MemberRole, Priority
from argus_core.policy import Action, Scope, require
from argus_core.ports import Clock, UnitOfWork
from argus_core.queries import AssignableMember
from argus_core.reminders import validate
from argus_core.validation import clean_email, clean_name


class NewTeam(msgspec.Struct, frozen=True, kw_only=True):
    """A team to create."""

    name: str
    description: str = ""
    slack_channel_id: str | None = None
    reminders: ReminderSettings = ReminderSettings()


class ReminderChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Some reminder settings to change (unset = leave as is)."""

    enabled: bool | UnsetType = UNSET
    frequency_minutes: int | UnsetType = UNSET
    per_priority: dict[Priority, int] | UnsetType = UNSET
    start_hour: int | UnsetType = UNSET
    end_hour: int | UnsetType = UNSET
    timezone: str | UnsetType = UNSET

    def applied_to(self, current: ReminderSettings) -> ReminderSettings:
        """``current`` with these changes made."""
        changed = {k: v for k, v in msgspec.structs.asdict(self).items() if v is not UNSET}
        return msgspec.structs.replace(current, **changed)


class TeamPatch(msgspec.Struct, frozen=True, kw_only=True):
    """Team fields to change (unset = leave as is).

    ``reminders`` replaces the settings whole, or changes some of them.
    """

    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    slack_channel_id: str | UnsetType | None = UNSET
    reminders: ReminderSettings | ReminderChanges | UnsetType = UNSET


class NewMember(msgspec.Struct, frozen=True, kw_only=True):
    """A person to add to a team; at least one of name, email, Slack id."""

    name: str | None = None
    email: str | None = None
    slack_user_id: str | None = None
    role: MemberRole = MemberRole.AGENT


class MemberPatch(msgspec.Struct, frozen=True, kw_only=True):
    """Member fields to change (unset = leave as is); the team never changes."""

    name: str | UnsetType = UNSET
    email: str | UnsetType | None = UNSET
    slack_user_id: str | UnsetType | None = UNSET
    role: MemberRole | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET
    notifications_muted: bool | UnsetType = UNSET


class TeamService:
    """Create, change and remove teams and their members, under the role policy."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    # ------------------------------------------------------------------ teams

    async def list(self, actor: Actor) -> Sequence[Team]:
        """Every team."""
        require(actor, Action.VIEW)
        async with self.uow:
            return await self.uow.teams.list()

    async def get(self, actor: Actor, team_id: UUID) -> tuple[Team, Sequence[Member]]:
        """A team and its members."""
        require(actor, Action.VIEW)
        async with self.uow:
            return await self.uow.teams.get(team_id), await self.uow.members.list(team_id)

    async def create(self, actor: Actor, new: NewTeam) -> Team:
        """Create a team (admins only); names are unique."""
        require(actor, Action.MANAGE_TEAMS)
        name = clean_name(new.name, "team")
        validate(new.reminders)
        async with self.uow:
            await self._ensure_name_free(name)
            now = self.clock.now()
            team = Team(
                id=uuid.uuid4(),
                name=name,
                description=new.description.strip(),
                slack_channel_id=new.slack_channel_id,
                reminders=new.reminders,
                created_at=now,
                updated_at=now,
            )
            await self.uow.teams.add(team)
            await self.uow.commit()
            return team

    async def update(self, actor: Actor, team_id: UUID, patch: TeamPatch) -> Team:
        """Change a team's settings (its managers and admins)."""
        require(actor, Action.EDIT_TEAM, Scope(team_id=team_id))
        async with self.uow:
            team = await self.uow.teams.get(team_id)
            updates: dict[str, object] = {}
            if patch.name is not UNSET:
                name = clean_name(patch.name, "team")
                if name.casefold() != team.name.casefold():
                    await self._ensure_name_free(name)
                updates["name"] = name
            if patch.description is not UNSET:
                updates["description"] = patch.description.strip()
            if patch.slack_channel_id is not UNSET:
                updates["slack_channel_id"] = patch.slack_channel_id
            if isinstance(patch.reminders, ReminderChanges):
                updates["reminders"] = validate(patch.reminders.applied_to(team.reminders))
            elif patch.reminders is not UNSET:
                updates["reminders"] = validate(patch.reminders)
            team = msgspec.structs.replace(team, updated_at=self.clock.now(), **updates)
            await self.uow.teams.save(team)
            await self.uow.commit()
            return team

    async def delete(self, actor: Actor, team_id: UUID) -> None:
        """Delete a team (admins only); refused while it still owns active issues."""
        require(actor, Action.MANAGE_TEAMS)
        async with self.uow:
            team = await self.uow.teams.get(team_id)
            active = await self.uow.issues.count_active(team_id)
            if active:
                raise Conflict(
                    f"{team.name} still has {active} open issue(s); move or close them first."
                )
            await self.uow.teams.delete(team_id)
            await self.uow.commit()

    # ------------------------------------------------------------------ members

    async def members(self, actor: Actor, team_id: UUID) -> Sequence[Member]:
        """A team's members."""
        require(actor, Action.VIEW)
        async with self.uow:
            await self.uow.teams.get(team_id)
            return await self.uow.members.list(team_id)

    async def member(self, actor: Actor, member_id: UUID) -> Member:
        """One member row."""
        require(actor, Action.VIEW)
        async with self.uow:
            return await self.uow.members.get(member_id)

    async def assignable(self, actor: Actor) -> Sequence[AssignableMember]:
        """Active members anyone may be assigned to, with their teams."""
        require(actor, Action.VIEW)
        async with self.uow:
            return await self.uow.members.assignable()

    async def add_member(self, actor: Actor, team_id: UUID, new: NewMember) -> Member:
        """Add a person to a team; only admins add managers."""
        require(actor, Action.MANAGE_MEMBERS, Scope(team_id=team_id))
        if new.role is MemberRole.MANAGER:
            require(actor, Action.GRANT_MANAGER)
        email = clean_email(new.email)
        slack_user_id = (new.slack_user_id or "").strip() or None
        raw_name = new.name or email or slack_user_id
        if raw_name is None:
            raise InvalidInput("A member needs a name, an email or a Slack user id.")
        async with self.uow:
            await self.uow.teams.get(team_id)
            for other in await self.uow.members.find_by_person(email, slack_user_id):
                if other.team_id == team_id:
                    raise Conflict(f"{other.name} is already a member of this team.")
            member = Member(
                id=uuid.uuid4(),
                team_id=team_id,
                name=clean_name(raw_name, "member"),
                role=new.role,
                email=email,
                slack_user_id=slack_user_id,
                created_at=self.clock.now(),
            )
            await self.uow.members.add(member)
            await self.uow.commit()
            return member

    async def update_member(self, actor: Actor, member_id: UUID, patch: MemberPatch) -> Member:
        """Edit a member; any change to or from the manager role needs an admin."""
        async with self.uow:
            member = await self.uow.members.get(member_id)
            require(actor, Action.MANAGE_MEMBERS, Scope(team_id=member.team_id))
            if patch.role is not UNSET and patch.role is not member.role:
                require(actor, Action.GRANT_MANAGER)
            updates: dict[str, object] = {}
            if patch.name is not UNSET:
                updates["name"] = clean_name(patch.name, "member")
            if patch.email is not UNSET:
                updates["email"] = clean_email(patch.email)
            if patch.slack_user_id is not UNSET:
                updates["slack_user_id"] = (patch.slack_user_id or "").strip() or None
            for field in ("role", "is_active", "notifications_muted"):
                value = getattr(patch, field)
                if value is not UNSET:
                    updates[field] = value
            member = msgspec.structs.replace(member, **updates)
            await self.uow.members.save(member)
            await self.uow.commit()
            return member

    async def remove_member(self, actor: Actor, member_id: UUID) -> None:
        """Remove a member who holds no active issue (deactivate them otherwise)."""
        async with self.uow:
            member = await self.uow.members.get(member_id)
            require(actor, Action.MANAGE_MEMBERS, Scope(team_id=member.team_id))
            if member.role is MemberRole.MANAGER:
                require(actor, Action.GRANT_MANAGER)
            active = await self.uow.issues.count_active_for_member(member_id)
            if active:
                raise Conflict(
                    f"{member.name} still has {active} open issue(s); reassign them or "
                    "deactivate the member instead."
                )
            await self.uow.members.delete(member_id)
            await self.uow.commit()

    async def _ensure_name_free(self, name: str) -> None:
        if await self.uow.teams.find_by_name(name) is not None:
            raise Conflict(f"A team called {name!r} already exists.")
