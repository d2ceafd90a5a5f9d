"""An issue's Slack thread hears its events in order, once each, however notify jobs run."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field

import pytest

from argus_adapters.memory import RecordingChatNotifier
from argus_core.domain.errors import Unavailable
from argus_core.domain.events import DomainEvent, StatusChanged
from argus_core.domain.issue import Issue, SlackRef
from argus_core.domain.values import Status
from argus_core.notifications import compose
from argus_core.usecases import background
from argus_core.usecases.background import NotificationService
from argus_core.usecases.issues import IssuePatch
from tests.world import ADMIN, World

CHANNEL = "C0INCIDENTS"


@dataclass
class SlowChat(RecordingChatNotifier):
    """Records every thread call in order; each post takes a moment, some fail once."""

    calls: list[str] = field(default_factory=list)
    fail_once: set[str] = field(default_factory=set)
    delay: float = 0.0

    async def post_in_thread(
        self, channel_id: str, thread_ts: str, text: str, *, idempotency_key: str
    ) -> str:
        self.calls.append(idempotency_key)
        if self.delay:
            await asyncio.sleep(random.uniform(0, self.delay))
        if idempotency_key in self.fail_once:
            self.fail_once.discard(idempotency_key)
            raise Unavailable("Slack said ratelimited")
        return await super().post_in_thread(
            channel_id, thread_ts, text, idempotency_key=idempotency_key
        )


async def busy_issue(world: World, thread: str = "1700000000.000001") -> Issue:
    """An issue from Slack with a report, a reassignment and three status changes."""
    team = await world.team(f"Payments {thread}")
    alice = await world.member(team, f"Alice {thread[-3:]}")
    bob = await world.member(team, f"Bob {thread[-3:]}")
    issue = await world.report(team, slack=SlackRef(channel_id=CHANNEL, thread_ts=thread))
    await world.issues.assign(ADMIN, issue.id, [alice.id, bob.id])
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    await world.issues.resolve(ADMIN, issue.id, "rolled back")
    await world.issues.reopen(ADMIN, issue.id)
    return issue


def events_about(world: World, issue: Issue) -> list[DomainEvent]:
    return [e for e in world.store.events if e.issue_id == issue.id]


def thread_keys(world: World, issue: Issue) -> list[str]:
    """The thread keys the events of ``issue`` should post, in event order (a report is
    announced by the issue's card, which has a key of its own)."""
    return [f"{e.id}:thread" for e in events_about(world, issue) if has_thread_text(e, issue)]


async def events_about_in(world: World, issue: Issue) -> list[DomainEvent]:
    """The stored events about ``issue``, oldest first, on any backend."""
    async with world.uow() as uow:
        return [e for e in await uow.outbox.pending(10_000) if e.issue_id == issue.id]


async def thread_keys_in(world: World, issue: Issue) -> list[str]:
    """:func:`thread_keys` on any backend."""
    return [
        f"{e.id}:thread" for e in await events_about_in(world, issue) if has_thread_text(e, issue)
    ]


def has_thread_text(event: DomainEvent, issue: Issue) -> bool:
    note = compose(event, issue, {}, team_name=None, link="")
    return note.thread_text is not None


def service(world: World, chat: RecordingChatNotifier) -> NotificationService:
    return NotificationService(world.uow(), chat, "https://argus.example.com")


async def test_the_latest_event_first_still_tells_the_thread_in_order() -> None:
    world = World()
    issue = await busy_issue(world)
    chat = SlowChat()
    events = events_about(world, issue)

    await service(world, chat).deliver(events[-1])
    for event in events[:-1]:  # their own jobs, later: nothing is posted again
        await service(world, chat).deliver(event)

    assert list(chat.thread_posts) == thread_keys(world, issue)
    assert chat.calls == thread_keys(world, issue)  # told once: no second look either


async def test_concurrent_jobs_with_failures_post_each_once_in_order_per_thread() -> None:
    world = World()
    issues = [await busy_issue(world, f"1700000000.00000{n}") for n in range(3)]
    chat = SlowChat(delay=0.01)
    keys = {key for issue in issues for key in thread_keys(world, issue)}
    chat.fail_once = set(random.Random(6).sample(sorted(keys), 5))
    jobs = [e for issue in issues for e in events_about(world, issue)]
    random.Random(7).shuffle(jobs)

    async def job(event: DomainEvent) -> None:
        for _attempt in range(10):  # the queue retries a failed job
            try:
                await service(world, chat).deliver(event)
                return
            except Unavailable:
                await asyncio.sleep(0.01)
        raise AssertionError("a job never succeeded")

    await asyncio.gather(*(job(e) for e in jobs))

    for issue in issues:
        assert issue.slack is not None
        thread = issue.slack.thread_ts
        posted = [k for k, (_, where, _) in chat.thread_posts.items() if where == thread]
        assert posted == thread_keys(world, issue)
    assert len(chat.thread_posts) == len(keys)
    assert world.store.thread_holds == {}  # every hold given back


async def test_a_failed_post_keeps_what_was_told_and_frees_the_thread() -> None:
    world = World()
    issue = await busy_issue(world)
    keys = thread_keys(world, issue)
    assert len(keys) == 4
    chat = SlowChat(fail_once={keys[2]})
    last = events_about(world, issue)[-1]

    with pytest.raises(Unavailable):
        await service(world, chat).deliver(last)
    assert list(chat.thread_posts) == keys[:2]
    await service(world, chat).deliver(last)  # the retry: no wait for a hold

    assert list(chat.thread_posts) == keys
    assert chat.calls == [*keys[:3], *keys[2:]]  # the first two are not looked at again


async def test_a_thread_held_by_another_job_fails_the_job_after_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(background, "THREAD_WAIT_SECONDS", 0.2)
    world = World()
    issue = await busy_issue(world)
    async with world.uow() as uow:
        assert await uow.outbox.hold_thread(issue.id, 60) is not None
        assert await uow.outbox.hold_thread(issue.id, 60) is None
        await uow.commit()
    chat = SlowChat()

    with pytest.raises(Unavailable, match="Another job"):
        await service(world, chat).deliver(events_about(world, issue)[-1])
    assert chat.thread_posts == {}


async def test_a_hold_whose_time_is_up_is_taken() -> None:
    world = World()
    issue = await busy_issue(world)
    async with world.uow() as uow:
        stale = await uow.outbox.hold_thread(issue.id, -1)
        assert stale is not None
        fresh = await uow.outbox.hold_thread(issue.id, 60)
        assert fresh is not None
        await uow.outbox.release_thread(issue.id, stale)  # the old holder: nothing
        assert world.store.thread_holds == {issue.id: fresh}
        await uow.outbox.release_thread(issue.id, fresh)
        assert world.store.thread_holds == {}


async def test_what_a_muted_issue_did_not_say_is_not_said_when_unmuted() -> None:
    world = World()
    team = await world.team()
    await world.member(team, "Alice")
    issue = await world.report(team, slack=SlackRef(channel_id=CHANNEL, thread_ts="1.1"))
    chat = SlowChat()
    for event in events_about(world, issue):
        await service(world, chat).deliver(event)
    told = list(chat.thread_posts)
    await world.issues.update(ADMIN, issue.id, IssuePatch(notifications_muted=True))
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    for event in events_about(world, issue)[len(told) :]:
        await service(world, chat).deliver(event)
    await world.issues.update(ADMIN, issue.id, IssuePatch(notifications_muted=False))
    await world.issues.resolve(ADMIN, issue.id, "fixed")

    await service(world, chat).deliver(events_about(world, issue)[-1])

    muted = next(e for e in events_about(world, issue) if isinstance(e, StatusChanged))
    assert f"{muted.id}:thread" not in chat.thread_posts
    assert list(chat.thread_posts)[-1] == f"{events_about(world, issue)[-1].id}:thread"


async def test_a_report_waiting_for_triage_is_not_told_by_a_later_event() -> None:
    world = World()
    issue = await world.report(None, slack=SlackRef(channel_id=CHANNEL, thread_ts="1.1"))
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    reported, *_, changed = events_about(world, issue)
    chat = SlowChat()

    await service(world, chat).deliver(changed)

    assert f"{reported.id}:thread" not in chat.thread_posts  # its triage's event tells it
    assert list(chat.thread_posts) == [f"{changed.id}:thread"]


async def test_an_event_that_is_not_stored_is_told_alone() -> None:
    world = World()
    issue = await busy_issue(world)
    loose = StatusChanged(
        issue_id=issue.id,
        occurred_at=world.clock.now(),
        old=Status.OPEN,
        new=Status.IN_PROGRESS,
        reason=None,
        performed_by="someone",
        id=uuid.uuid4(),
    )
    chat = SlowChat()

    await service(world, chat).deliver(loose)

    assert list(chat.thread_posts) == [f"{loose.id}:thread"]
