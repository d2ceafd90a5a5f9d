"""The outbox's thread order (backlog, told marks, holds) on every backend, and the
notification service keeping each thread in order on them."""

from __future__ import annotations

import asyncio
import random
import socket
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql import models as m
from argus_core.domain.errors import Unavailable
from argus_core.domain.issue import SlackRef
from argus_core.domain.values import Status
from tests.unit.test_thread_order import (
    SlowChat,
    busy_issue,
    events_about_in,
    service,
    thread_keys_in,
)
from tests.world import ADMIN, World


async def test_the_backlog_is_the_issues_untold_events_up_to_one_in_order(world: World) -> None:
    team = await world.team()
    issue = await world.report(team, slack=SlackRef(channel_id="C1", thread_ts="1.1"))
    other = await world.report(team, "Other", slack=SlackRef(channel_id="C1", thread_ts="1.2"))
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    await world.issues.change_status(ADMIN, other.id, Status.IN_PROGRESS)
    await world.issues.resolve(ADMIN, issue.id, "fixed")
    events = await events_about_in(world, issue)
    others = await events_about_in(world, other)
    assert len(events) >= 3

    async with world.uow() as uow:
        assert await uow.outbox.thread_backlog(issue.id, events[-2].id) == events[:-1]
        assert await uow.outbox.thread_backlog(issue.id, events[-1].id) == events
        await uow.outbox.mark_told([events[0].id, events[-2].id])
        await uow.commit()
    async with world.uow() as uow:
        assert await uow.outbox.thread_backlog(issue.id, events[-1].id) == [
            *events[1:-2],
            events[-1],
        ]
        assert await uow.outbox.thread_backlog(issue.id, events[0].id) == []
        # Another issue's events are not this one's, even up to one of this one's.
        assert await uow.outbox.thread_backlog(other.id, events[-1].id) == others


async def test_an_event_not_in_the_outbox_has_no_backlog(world: World) -> None:
    team = await world.team()
    issue = await world.report(team, slack=SlackRef(channel_id="C1", thread_ts="1.1"))
    async with world.uow() as uow:
        assert await uow.outbox.thread_backlog(issue.id, uuid.uuid4()) is None


async def test_a_thread_is_held_by_one_caller_until_released_or_its_time_is_up(
    world: World,
) -> None:
    team = await world.team()
    issue = await world.report(team, slack=SlackRef(channel_id="C1", thread_ts="1.1"))
    async with world.uow() as uow:
        hold = await uow.outbox.hold_thread(issue.id, 60)
        assert hold is not None
        await uow.commit()
    async with world.uow() as uow:
        assert await uow.outbox.hold_thread(issue.id, 60) is None
        await uow.outbox.release_thread(issue.id, hold - timedelta(seconds=1))  # not ours
        assert await uow.outbox.hold_thread(issue.id, 60) is None
        await uow.outbox.release_thread(issue.id, hold)
        short = await uow.outbox.hold_thread(issue.id, -1)  # over at once
        assert short is not None
        await uow.commit()
    async with world.uow() as uow:
        assert await uow.outbox.hold_thread(issue.id, 60) is not None
        await uow.commit()


@pytest.mark.backends("sqlite", "postgres")
async def test_a_hold_of_a_dead_process_on_this_host_is_taken_at_once(
    world: World, engine: AsyncEngine
) -> None:
    team = await world.team()
    issue = await world.report(team, slack=SlackRef(channel_id="C1", thread_ts="1.1"))
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    later = datetime.now(UTC) + timedelta(minutes=5)
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(m.ThreadHoldRow).values(
                issue_id=issue.id,
                holder=f"{socket.gethostname()}:{gone.pid}:deadbeef",
                held_until=later,
            )
        )
    async with world.uow() as uow:
        assert await uow.outbox.hold_thread(issue.id, 60) is not None
        await uow.commit()
    async with engine.begin() as conn:  # another host's: waited for
        await conn.execute(
            sa.update(m.ThreadHoldRow).values(holder="elsewhere:1:x", held_until=later)
        )
    async with world.uow() as uow:
        assert await uow.outbox.hold_thread(issue.id, 60) is None


async def test_concurrent_jobs_keep_every_thread_in_order(world: World) -> None:
    issues = [await busy_issue(world, f"1700000000.00000{n}") for n in range(3)]
    chat = SlowChat(delay=0.02)
    jobs = [e for issue in issues for e in await events_about_in(world, issue)]
    random.Random(3).shuffle(jobs)

    async def job(event: object) -> None:
        for _attempt in range(20):
            try:
                await service(world, chat).deliver(event)  # type: ignore[arg-type]
                return
            except Unavailable:
                await asyncio.sleep(0.05)
        raise AssertionError("a job never succeeded")

    await asyncio.gather(*(job(e) for e in jobs))

    for issue in issues:
        assert issue.slack is not None
        thread = issue.slack.thread_ts
        posted = [k for k, (_, where, _) in chat.thread_posts.items() if where == thread]
        assert posted == await thread_keys_in(world, issue)
    assert sorted(chat.calls) == sorted(chat.thread_posts)  # each looked at once
