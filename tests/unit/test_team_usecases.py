"""Teams and members under the role policy."""

import uuid

import pytest

from argus_core.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from argus_core.domain.team import ReminderSettings
from argus_core.domain.values import MemberRole, Priority
from argus_core.usecases.teams import (
    MemberPatch,
    NewMember,
    NewTeam,
    ReminderChanges,
    TeamPatch,
)
from tests.world import ADMIN, VIEWER, World


@pytest.fixture
async def world() -> World:
    return World()


async def test_only_admins_create_and_delete_teams(world: World) -> None:
    team = await world.team("Payments")
    boss = world.actor(await world.member(team, "Boss", MemberRole.MANAGER))
    with pytest.raises(PermissionDenied):
        await world.teams.create(boss, NewTeam(name="Mine"))
    with pytest.raises(PermissionDenied):
        await world.teams.delete(boss, team.id)
    with pytest.raises(Conflict, match="already exists"):
        await world.teams.create(ADMIN, NewTeam(name=" payments "))
    with pytest.raises(InvalidInput, match="empty"):
        await world.teams.create(ADMIN, NewTeam(name="  "))
    with pytest.raises(InvalidInput, match="time zone"):
        await world.teams.create(
            ADMIN, NewTeam(name="Tz", reminders=ReminderSettings(timezone="Nowhere/Land"))
        )
    assert [t.name for t in await world.teams.list(VIEWER)] == ["Payments"]


async def test_team_with_open_issues_cannot_be_deleted(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    issue = await world.report(team)
    with pytest.raises(Conflict, match="1 open issue"):
        await world.teams.delete(ADMIN, team.id)
    await world.issues.resolve(ADMIN, issue.id, "fixed")
    await world.teams.delete(ADMIN, team.id)
    with pytest.raises(NotFound):
        await world.teams.get(ADMIN, team.id)
    assert alice.id not in world.store.members


async def test_manager_edits_own_team_settings_only(world: World) -> None:
    ours = await world.team("Payments")
    theirs = await world.team("Infra")
    boss = world.actor(await world.member(ours, "Boss", MemberRole.MANAGER))
    settings = ReminderSettings(frequency_minutes=30, per_priority={Priority.CRITICAL: 10})
    changed = await world.teams.update(
        boss, ours.id, TeamPatch(description="Card flows", reminders=settings)
    )
    assert changed.reminders.per_priority == {Priority.CRITICAL: 10}
    with pytest.raises(PermissionDenied):
        await world.teams.update(boss, theirs.id, TeamPatch(description="mine now"))
    with pytest.raises(Conflict):
        await world.teams.update(ADMIN, ours.id, TeamPatch(name="INFRA"))
    renamed = await world.teams.update(
        ADMIN, ours.id, TeamPatch(name="payments", slack_channel_id="C1")
    )
    assert (renamed.name, renamed.slack_channel_id) == ("payments", "C1")


async def test_members_are_managed_by_their_team_managers(world: World) -> None:
    ours = await world.team("Payments")
    theirs = await world.team("Infra")
    boss_row = await world.member(ours, "Boss", MemberRole.MANAGER)
    boss = world.actor(boss_row)
    agent = await world.teams.add_member(boss, ours.id, NewMember(email="New@Example.com"))
    assert (agent.name, agent.email, agent.role) == (
        "new@example.com",
        "new@example.com",
        MemberRole.AGENT,
    )
    with pytest.raises(PermissionDenied, match="manager role"):
        await world.teams.add_member(
            boss, ours.id, NewMember(name="Deputy", role=MemberRole.MANAGER)
        )
    with pytest.raises(PermissionDenied):
        await world.teams.add_member(boss, theirs.id, NewMember(name="Spy"))
    with pytest.raises(PermissionDenied, match="manager role"):
        await world.teams.update_member(boss, agent.id, MemberPatch(role=MemberRole.MANAGER))
    with pytest.raises(Conflict, match="already a member"):
        await world.teams.add_member(ADMIN, ours.id, NewMember(email="new@example.com"))
    with pytest.raises(InvalidInput, match="needs a name"):
        await world.teams.add_member(ADMIN, ours.id, NewMember())
    with pytest.raises(InvalidInput, match="not an email"):
        await world.teams.add_member(ADMIN, ours.id, NewMember(email="nope"))
    edited = await world.teams.update_member(
        boss, agent.id, MemberPatch(name="Nina", slack_user_id=" U9 ", notifications_muted=True)
    )
    assert (edited.name, edited.slack_user_id, edited.notifications_muted) == ("Nina", "U9", True)
    promoted = await world.teams.update_member(
        ADMIN, agent.id, MemberPatch(role=MemberRole.MANAGER)
    )
    assert promoted.role is MemberRole.MANAGER
    with pytest.raises(PermissionDenied):
        await world.teams.remove_member(boss, promoted.id)
    assert {m.name for m in await world.teams.members(VIEWER, ours.id)} == {"Boss", "Nina"}
    assert (await world.teams.member(VIEWER, boss_row.id)).name == "Boss"


async def test_member_with_open_issues_is_deactivated_not_removed(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    issue = await world.report(team)
    with pytest.raises(Conflict, match="deactivate"):
        await world.teams.remove_member(ADMIN, alice.id)
    away = await world.teams.update_member(ADMIN, alice.id, MemberPatch(is_active=False))
    assert away.open_issue_count == 1  # keeps the open issue
    assert (await world.report(team)).assignee_ids == ()  # gets no new one
    assignable = await world.teams.assignable(VIEWER)
    assert alice.id not in {a.id for a in assignable}
    await world.issues.close(ADMIN, issue.id, "gone")
    await world.teams.remove_member(ADMIN, alice.id)
    with pytest.raises(NotFound):
        await world.teams.member(ADMIN, alice.id)


async def test_assignable_lists_active_members_with_team_names(world: World) -> None:
    team = await world.team("Payments")
    alice = await world.member(team, "Alice")
    (row,) = await world.teams.assignable(VIEWER)
    assert (row.id, row.team_name, row.email) == (alice.id, "Payments", "alice@example.com")
    with pytest.raises(NotFound):
        await world.teams.members(VIEWER, uuid.uuid4())


async def test_partial_reminder_changes_keep_the_other_settings(world: World) -> None:
    team = await world.team()
    first = ReminderSettings(frequency_minutes=30, start_hour=8, timezone="Europe/Berlin")
    await world.teams.update(ADMIN, team.id, TeamPatch(reminders=first))
    changed = await world.teams.update(
        ADMIN, team.id, TeamPatch(reminders=ReminderChanges(end_hour=20))
    )
    assert changed.reminders == ReminderSettings(
        frequency_minutes=30, start_hour=8, end_hour=20, timezone="Europe/Berlin"
    )
    with pytest.raises(InvalidInput, match="time zone"):
        await world.teams.update(
            ADMIN, team.id, TeamPatch(reminders=ReminderChanges(timezone="Nowhere/Land"))
        )
