"""Reminder rules and the periodic run: working hours, intervals, once per period."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from argus_core.domain.errors import InvalidInput
from argus_core.domain.events import ReminderDue
from argus_core.domain.history import HistoryAction
from argus_core.domain.team import ReminderSettings
from argus_core.domain.values import Priority
from argus_core.reminders import interval_for, validate, within_working_hours
from argus_core.usecases.issues import IssuePatch
from argus_core.usecases.reminders import ReminderService
from argus_core.usecases.teams import TeamPatch
from tests.world import ADMIN, World

MONDAY_10 = datetime(2026, 1, 5, 10, tzinfo=UTC)


def test_interval_per_priority_overrides_the_default() -> None:
    s = ReminderSettings(frequency_minutes=60, per_priority={Priority.CRITICAL: 15})
    assert interval_for(s, Priority.CRITICAL) == timedelta(minutes=15)
    assert interval_for(s, Priority.LOW) == timedelta(minutes=60)


@pytest.mark.parametrize(
    ("start", "end", "hour", "inside"),
    [
        (9, 18, 9, True),
        (9, 18, 17, True),
        (9, 18, 18, False),
        (9, 18, 8, False),
        (22, 6, 23, True),
        (22, 6, 3, True),
        (22, 6, 12, False),
        (0, 0, 3, True),
    ],
)
def test_working_hours(start: int, end: int, hour: int, inside: bool) -> None:
    s = ReminderSettings(start_hour=start, end_hour=end)
    assert within_working_hours(s, MONDAY_10.replace(hour=hour)) is inside


def test_working_hours_are_in_the_team_time_zone() -> None:
    tokyo = ReminderSettings(timezone="Asia/Tokyo")  # UTC+9: 10:00 UTC is 19:00 there
    assert not within_working_hours(tokyo, MONDAY_10)
    assert within_working_hours(tokyo, MONDAY_10.replace(hour=1))


@pytest.mark.parametrize(
    "settings",
    [
        ReminderSettings(timezone="Mars/Olympus"),
        ReminderSettings(start_hour=24),
        ReminderSettings(frequency_minutes=0),
        ReminderSettings(per_priority={Priority.LOW: -5}),
    ],
)
def test_impossible_settings_are_refused(settings: ReminderSettings) -> None:
    with pytest.raises(InvalidInput):
        validate(settings)


async def stale_world(settings: ReminderSettings) -> tuple[World, ReminderService]:
    world = World()
    team = await world.team()
    await world.teams.update(ADMIN, team.id, TeamPatch(reminders=settings))
    await world.member(team, "Alice")
    await world.report(team, "Payments slow")
    return world, ReminderService(world.uow(), world.clock)


async def test_reminder_goes_out_once_per_period_and_mentions_assignees() -> None:
    world, reminders = await stale_world(ReminderSettings(frequency_minutes=60))
    assert await reminders.run() == 0  # just reported: not stale yet
    world.clock.advance(minutes=61)
    assert await reminders.run() == 1
    assert await reminders.run() == 0  # same period
    world.clock.advance(minutes=30)
    assert await reminders.run() == 0
    world.clock.advance(minutes=31)
    assert await reminders.run() == 1
    due = [e for e in world.store.events if isinstance(e, ReminderDue)]
    alice = next(iter(world.store.members))
    assert [e.assignee_ids for e in due] == [(alice,), (alice,)]
    notes = [h for h in world.store.history if h.action is HistoryAction.REMINDER_SENT]
    assert [n.new_value for n in notes] == ["Alice", "Alice"]


async def test_activity_resets_the_clock_and_muted_or_closed_are_skipped() -> None:
    world, reminders = await stale_world(ReminderSettings(frequency_minutes=60))
    issue = next(iter(world.store.issues.values()))
    world.clock.advance(minutes=50)
    await world.issues.update(ADMIN, issue.id, IssuePatch(priority=Priority.HIGH))
    world.clock.advance(minutes=20)
    assert await reminders.run() == 0  # only 20 minutes since the last change
    await world.issues.update(ADMIN, issue.id, IssuePatch(notifications_muted=True))
    world.clock.advance(hours=3)
    assert await reminders.run() == 0
    await world.issues.update(ADMIN, issue.id, IssuePatch(notifications_muted=False))
    await world.issues.close(ADMIN, issue.id, "not ours")
    world.clock.advance(hours=3)
    assert await reminders.run() == 0


async def test_disabled_team_and_teamless_issues_get_no_reminder() -> None:
    world, reminders = await stale_world(ReminderSettings(enabled=False))
    await world.report(None, "Nobody's issue")
    world.clock.advance(days=3)
    assert await reminders.run() == 0


async def test_two_workers_racing_send_one_reminder() -> None:
    world, _ = await stale_world(ReminderSettings(frequency_minutes=60))
    world.clock.advance(hours=2)
    workers = [ReminderService(world.uow(), world.clock) for _ in range(4)]
    assert sum(await asyncio.gather(*(w.run() for w in workers))) == 1


@given(
    start=st.integers(0, 23),
    end=st.integers(0, 23),
    minutes=st.integers(5, 600),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
    steps=st.lists(st.integers(1, 240), min_size=1, max_size=60),
)
def test_reminders_never_outside_hours_or_twice_per_period(
    start: int, end: int, minutes: int, zone: str, steps: list[int]
) -> None:
    settings = ReminderSettings(
        frequency_minutes=minutes, start_hour=start, end_hour=end, timezone=zone
    )

    async def scenario() -> list[datetime]:
        world, reminders = await stale_world(settings)
        sent = []
        for step in steps:
            world.clock.advance(minutes=step)
            if await reminders.run():
                sent.append(world.clock.now())
        return sent

    sent = asyncio.run(scenario())
    assert all(within_working_hours(settings, at) for at in sent)
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert all(gap >= timedelta(minutes=minutes) for gap in gaps)
