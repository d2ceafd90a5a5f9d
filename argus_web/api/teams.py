"""``/api/teams`` and ``/api/members``: teams, their members and who can be assigned."""

from __future__ import annotations

from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Router, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from argus_core.domain.people import Actor
from argus_core.domain.team import ReminderSettings
from argus_core.usecases.teams import (
    MemberPatch,
    NewMember,
    NewTeam,
    ReminderChanges,
    TeamPatch,
    TeamService,
)
from argus_web.api import schemas as s
from argus_web.api.presenters import member_out, team_detail_out, team_out
from argus_web.auth.current import signed_in
from argus_web.errors import SIGNED_IN


@get("/", responses=SIGNED_IN)
@inject
async def list_teams(actor: FromDishka[Actor], teams: FromDishka[TeamService]) -> list[s.TeamOut]:
    return [team_out(t) for t in await teams.list(actor)]


@post("/", responses=SIGNED_IN)
@inject
async def create_team(
    data: JSONBody[s.TeamIn], actor: FromDishka[Actor], teams: FromDishka[TeamService]
) -> s.TeamOut:
    """Create a team (admins only)."""
    reminders = ReminderSettings(
        enabled=data.notifications_enabled,
        frequency_minutes=data.reminder_frequency_minutes,
        per_priority=dict(data.reminder_intervals),
        start_hour=data.reminder_start_hour,
        end_hour=data.reminder_end_hour,
        timezone=data.reminder_timezone,
    )
    team = await teams.create(
        actor,
        NewTeam(
            name=data.name,
            description=data.description,
            slack_channel_id=data.slack_channel_id,
            reminders=reminders,
        ),
    )
    return team_out(team)


@get("/{team_id:uuid}", responses=SIGNED_IN)
@inject
async def get_team(
    team_id: FromPath[UUID], actor: FromDishka[Actor], teams: FromDishka[TeamService]
) -> s.TeamDetailOut:
    team, members = await teams.get(actor, team_id)
    return team_detail_out(team, members)


@patch("/{team_id:uuid}", responses=SIGNED_IN)
@inject
async def update_team(
    team_id: FromPath[UUID],
    data: JSONBody[s.TeamPatchIn],
    actor: FromDishka[Actor],
    teams: FromDishka[TeamService],
) -> s.TeamOut:
    """Change a team's settings (its managers and admins)."""
    reminders = ReminderChanges(
        enabled=data.notifications_enabled,
        frequency_minutes=data.reminder_frequency_minutes,
        per_priority=data.reminder_intervals,
        start_hour=data.reminder_start_hour,
        end_hour=data.reminder_end_hour,
        timezone=data.reminder_timezone,
    )
    team = await teams.update(
        actor,
        team_id,
        TeamPatch(
            name=data.name,
            description=data.description,
            slack_channel_id=data.slack_channel_id,
            reminders=reminders,
        ),
    )
    return team_out(team)


@delete("/{team_id:uuid}", responses=SIGNED_IN)
@inject
async def delete_team(
    team_id: FromPath[UUID], actor: FromDishka[Actor], teams: FromDishka[TeamService]
) -> None:
    """Delete a team (admins only); refused (409) while it owns open issues."""
    await teams.delete(actor, team_id)


@get("/{team_id:uuid}/members", responses=SIGNED_IN)
@inject
async def list_members(
    team_id: FromPath[UUID], actor: FromDishka[Actor], teams: FromDishka[TeamService]
) -> list[s.MemberOut]:
    return [member_out(m) for m in await teams.members(actor, team_id)]


@post("/{team_id:uuid}/members", responses=SIGNED_IN)
@inject
async def add_member(
    team_id: FromPath[UUID],
    data: JSONBody[s.MemberIn],
    actor: FromDishka[Actor],
    teams: FromDishka[TeamService],
) -> s.MemberOut:
    """Add a person to a team; only admins add managers."""
    member = await teams.add_member(
        actor,
        team_id,
        NewMember(
            name=data.name, email=data.email, slack_user_id=data.slack_user_id, role=data.role
        ),
    )
    return member_out(member)


@get("/assignable", responses=SIGNED_IN)
@inject
async def assignable_members(
    actor: FromDishka[Actor], teams: FromDishka[TeamService]
) -> list[s.AssignableOut]:
    return [s.AssignableOut(**msgspec.structs.asdict(a)) for a in await teams.assignable(actor)]


@get("/{member_id:uuid}", responses=SIGNED_IN)
@inject
async def get_member(
    member_id: FromPath[UUID], actor: FromDishka[Actor], teams: FromDishka[TeamService]
) -> s.MemberOut:
    return member_out(await teams.member(actor, member_id))


@patch("/{member_id:uuid}", responses=SIGNED_IN)
@inject
async def update_member(
    member_id: FromPath[UUID],
    data: JSONBody[s.MemberPatchIn],
    actor: FromDishka[Actor],
    teams: FromDishka[TeamService],
) -> s.MemberOut:
    """Edit a member; changing the manager role needs an admin."""
    patch_ = MemberPatch(
        name=data.name,
        email=data.email,
        slack_user_id=data.slack_user_id,
        role=data.role,
        is_active=data.is_active,
        notifications_muted=data.notifications_muted,
    )
    return member_out(await teams.update_member(actor, member_id, patch_))


@delete("/{member_id:uuid}", responses=SIGNED_IN)
@inject
async def remove_member(
    member_id: FromPath[UUID], actor: FromDishka[Actor], teams: FromDishka[TeamService]
) -> None:
    """Remove a member with no open issues (deactivate them otherwise)."""
    await teams.remove_member(actor, member_id)


teams_router = Router(
    path="/api/teams",
    route_handlers=[
        list_teams,
        create_team,
        get_team,
        update_team,
        delete_team,
        list_members,
        add_member,
    ],
    tags=["teams"],
    security=[{"bearer": []}],
    guards=[signed_in],
)
members_router = Router(
    path="/api/members",
    route_handlers=[assignable_members, get_member, update_member, remove_member],
    tags=["members"],
    security=[{"bearer": []}],
    guards=[signed_in],
)
