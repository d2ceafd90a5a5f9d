"""Background work: the outbox relay, Slack notifications and the failed-job admin."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import msgspec
import pytest

from argus_adapters.memory import (
    InMemoryDeadLetters,
    InMemoryJobQueue,
    InMemoryStore,
    InMemoryUnitOfWork,
    ManualClock,
    RecordingChatNotifier,
)
from argus_adapters.memory.store import InMemoryOutbox
from argus_core.domain.errors import Conflict, NotFound, PermissionDenied
from argus_core.domain.events import (
    DomainEvent,
    IssueAssigned,
    IssueReported,
    RcaRequested,
    StatusChanged,
)
from argus_core.domain.issue import Issue, SlackRef
from argus_core.domain.people import Actor
from argus_core.domain.team import Member, Team
from argus_core.domain.values import MemberRole, Source, Status
from argus_core.jobs import NOTIFY, RCA, TRIAGE, event_of, event_payload
from argus_core.notifications import IssueCard
from argus_core.ports import FailedJob
from argus_core.usecases.background import FailedJobService, NotificationService, OutboxRelay
from argus_core.usecases.issues import IssuePatch
from argus_core.usecases.teams import MemberPatch
from tests.world import ADMIN, VIEWER, World

E = TypeVar("E", bound=DomainEvent)
CHANNEL = "C0INCIDENTS"
PUBLIC_URL = "https://argus.example.com/"


@pytest.fixture
async def world() -> World:
    return World()


def queued_keys(queue: InMemoryJobQueue) -> list[str]:
    return [f"{name}:{event_of(payload).id}" for name, payload, _ in queue.jobs]


def events_of(world: World, kind: type[E], issue: Issue) -> list[E]:
    return [e for e in world.store.events if isinstance(e, kind) and e.issue_id == issue.id]


def queued(queue: InMemoryJobQueue) -> list[tuple[str, DomainEvent]]:
    """Each queued job's name and the event it carries, in queueing order."""
    return [(name, event_of(payload)) for name, payload, _ in queue.jobs]


def expected_jobs(events: Sequence[DomainEvent]) -> list[tuple[str, DomainEvent]]:
    """The jobs ``events`` should start, in order: a report is told (its card), triaged
    if it has no team, and analysed; every other event is told."""
    jobs: list[tuple[str, DomainEvent]] = []
    for event in events:
        if isinstance(event, IssueReported):
            jobs += [(NOTIFY, event), *([(TRIAGE, event)] * event.needs_triage), (RCA, event)]
        else:
            jobs.append((NOTIFY, event))
    return jobs


def keys_of(jobs: Sequence[tuple[str, DomainEvent]]) -> list[str]:
    return sorted(f"{name}:{event.id}" for name, event in jobs)


# --------------------------------------------------------------------------- relay


class DyingOutbox(InMemoryOutbox):
    """An outbox whose first ``mark_dispatched`` fails: the relay "dies" before marking."""

    def __init__(self, store: InMemoryStore, failures: int = 1) -> None:
        super().__init__(store)
        self.failures = failures

    async def mark_dispatched(self, event_ids: Sequence[UUID]) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("relay died before marking")
        await super().mark_dispatched(event_ids)


class FlakyQueue(InMemoryJobQueue):
    """A queue that refuses the ``fail_on``-th enqueue (counting from 1), once."""

    def __init__(self, fail_on: int = 1) -> None:
        super().__init__()
        self.fail_on = fail_on
        self.calls = 0

    async def enqueue(
        self, job: str, payload: Mapping[str, Any], *, key: str, delay_seconds: float = 0
    ) -> None:
        self.calls += 1
        if self.calls == self.fail_on:
            raise ConnectionError("queue unavailable")
        await super().enqueue(job, payload, key=key, delay_seconds=delay_seconds)


class SlowQueue(InMemoryJobQueue):
    """A queue that yields to other tasks before each enqueue (to interleave relays)."""

    async def enqueue(
        self, job: str, payload: Mapping[str, Any], *, key: str, delay_seconds: float = 0
    ) -> None:
        await asyncio.sleep(0)
        await super().enqueue(job, payload, key=key, delay_seconds=delay_seconds)


async def test_relay_queues_each_event_once_and_marks_it(world: World) -> None:
    team = await world.team()
    await world.member(team, "Alice")
    assigned = await world.report(team)
    untriaged = await world.report(None, "Something odd")
    events = list(world.store.events)
    assert len(events) == 3  # reported + assigned, reported (needs triage)
    queue = InMemoryJobQueue()
    relay = OutboxRelay(world.uow(), queue)

    assert await relay.relay() == 3
    (reported,) = events_of(world, IssueReported, assigned)
    (assignment,) = events_of(world, IssueAssigned, assigned)
    (odd,) = events_of(world, IssueReported, untriaged)
    assert queued(queue) == [
        (NOTIFY, reported),
        (RCA, reported),
        (NOTIFY, assignment),
        (NOTIFY, odd),
        (TRIAGE, odd),
        (RCA, odd),
    ]
    expected = sorted(
        f"{name}:{event.id}"
        for name, event in [
            (NOTIFY, reported),
            (RCA, reported),
            (NOTIFY, assignment),
            (NOTIFY, odd),
            (TRIAGE, odd),
            (RCA, odd),
        ]
    )
    assert sorted(queue.keys) == expected
    assert sorted(queued_keys(queue)) == expected
    assert all(delay == 0 for _, _, delay in queue.jobs)
    assert world.store.dispatched == {e.id for e in events}

    assert await relay.relay() == 0
    assert await OutboxRelay(world.uow(), queue).relay() == 0
    assert len(queue.jobs) == 6


async def test_relay_hands_over_new_events_only(world: World) -> None:
    team = await world.team()
    await world.member(team, "Alice")
    issue = await world.report(team)
    queue = InMemoryJobQueue()
    relay = OutboxRelay(world.uow(), queue)
    assert await relay.relay() == 2
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    assert await relay.relay() == 1
    (changed,) = events_of(world, StatusChanged, issue)
    assert queued(queue)[-1] == (NOTIFY, changed)
    assert len(queue.jobs) == 4  # notify and rca for the report, notify for the rest


async def test_relay_with_nothing_pending_touches_nothing(world: World) -> None:
    uow = InMemoryUnitOfWork(world.store)
    queue = InMemoryJobQueue()
    assert await OutboxRelay(uow, queue).relay() == 0
    assert queue.jobs == []
    assert uow.commits == 0


async def test_relay_works_in_batches(world: World) -> None:
    for n in range(3):
        await world.report(None, f"issue {n}")
    queue = InMemoryJobQueue()
    relay = OutboxRelay(world.uow(), queue, batch=2)
    assert await relay.relay() == 2
    assert await relay.relay() == 1
    assert await relay.relay() == 0
    assert queued(queue) == expected_jobs(world.store.events)
    assert [name for name, _ in queued(queue)] == [NOTIFY, TRIAGE, RCA] * 3


async def test_a_relay_that_dies_before_marking_queues_no_duplicates(world: World) -> None:
    team = await world.team()
    await world.member(team, "Alice")
    await world.report(team)
    events = list(world.store.events)
    queue = InMemoryJobQueue()
    uow = InMemoryUnitOfWork(world.store)
    uow.outbox = DyingOutbox(world.store)
    relay = OutboxRelay(uow, queue)

    with pytest.raises(RuntimeError, match="relay died"):
        await relay.relay()
    assert len(queue.jobs) == 3  # queued...
    assert world.store.dispatched == set()  # ...but not marked

    assert await relay.relay() == 2  # handed over again
    assert len(queue.jobs) == 3  # the queue's keys dedupe them
    assert queued(queue) == expected_jobs(events)
    assert sorted(queued_keys(queue)) == keys_of(expected_jobs(events))
    assert world.store.dispatched == {e.id for e in events}
    assert await relay.relay() == 0


async def test_a_fresh_relay_after_a_dead_one_queues_no_duplicates(world: World) -> None:
    await world.report(None, "one")
    await world.report(None, "two")
    queue = InMemoryJobQueue()
    dying = InMemoryUnitOfWork(world.store)
    dying.outbox = DyingOutbox(world.store, failures=99)
    with pytest.raises(RuntimeError):
        await OutboxRelay(dying, queue).relay()
    assert await OutboxRelay(world.uow(), queue).relay() == 2
    assert queued(queue) == expected_jobs(world.store.events)
    assert len(queue.jobs) == 6
    assert len(world.store.dispatched) == 2


async def test_two_relays_at_once_queue_each_job_once(world: World) -> None:
    team = await world.team()
    await world.member(team, "Alice")
    await world.report(team)
    await world.report(None, "untriaged")
    queue = SlowQueue()
    counts = await asyncio.gather(
        OutboxRelay(world.uow(), queue).relay(), OutboxRelay(world.uow(), queue).relay()
    )
    assert sum(counts) >= 3
    assert len(queue.jobs) == 6
    assert sorted(queue.keys) == keys_of(expected_jobs(world.store.events))
    assert world.store.dispatched == {e.id for e in world.store.events}


@pytest.mark.parametrize("fail_on", [1, 2, 3])
async def test_a_queue_failure_leaves_events_pending_for_the_next_run(
    world: World, fail_on: int
) -> None:
    team = await world.team()
    await world.member(team, "Alice")
    await world.report(team)
    events = list(world.store.events)
    queue = FlakyQueue(fail_on=fail_on)
    relay = OutboxRelay(world.uow(), queue)

    with pytest.raises(ConnectionError):
        await relay.relay()
    assert len(queue.jobs) == fail_on - 1  # jobs queued before the failure stay queued
    assert world.store.dispatched == set()
    async with world.uow() as uow:
        assert list(await uow.outbox.pending()) == events

    assert await relay.relay() == 2
    assert sorted(queued_keys(queue)) == keys_of(expected_jobs(events))
    assert len(queue.jobs) == 3
    assert world.store.dispatched == {e.id for e in events}


# --------------------------------------------------------------------------- notifications


async def slack_world(
    world: World, *, message_ts: str | None = "1700000000.000100"
) -> tuple[Team, Member, Issue]:
    team = await world.team("Payments")
    alice = await world.member(team, "Alice")
    slack = SlackRef(channel_id=CHANNEL, thread_ts="1700000000.000001", message_ts=message_ts)
    issue = await world.report(team, "Checkout is down", slack=slack)
    assert issue.assignee_ids == (alice.id,)
    return team, alice, issue


def notifications(world: World, notifier: RecordingChatNotifier | None) -> NotificationService:
    return NotificationService(world.uow(), notifier, PUBLIC_URL)


async def deliver_all(world: World, notifier: RecordingChatNotifier, issue: Issue) -> None:
    """Deliver every event stored about ``issue`` so far, oldest first."""
    service = notifications(world, notifier)
    for event in [e for e in world.store.events if e.issue_id == issue.id]:
        await service.deliver(event)


async def test_a_report_from_slack_is_told_in_its_thread_by_its_card(world: World) -> None:
    _, _, issue = await slack_world(world)
    notifier = RecordingChatNotifier()
    (reported,) = events_of(world, IssueReported, issue)
    await notifications(world, notifier).deliver(reported)

    assert notifier.thread_posts == {}  # the card is the announcement
    channel, thread, card = notifier.cards[f"card:{issue.id}"]
    assert (channel, thread) == (CHANNEL, "1700000000.000001")
    assert f"#{issue.number} Checkout is down" in card.text
    assert card.team_name == "Payments"
    assert "<@UALICE>" in card.text
    assert card.link == f"https://argus.example.com/issues/{issue.id}"
    assert notifier.statuses == {(CHANNEL, "1700000000.000100"): Status.OPEN}
    assert notifier.direct_messages == {}


async def test_the_card_is_shown_once_and_kept_current(world: World) -> None:
    team, alice, issue = await slack_world(world)
    bob = await world.member(team, "Bob")
    notifier = RecordingChatNotifier()
    world.clock.advance(seconds=1)
    await world.issues.assign(ADMIN, issue.id, [bob.id])
    world.clock.advance(seconds=1)
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    await deliver_all(world, notifier, issue)

    [(_, _, card)] = notifier.cards.values()
    assert notifier.card_updates == 3  # reported, assigned twice, in progress: one card
    assert card.status is Status.IN_PROGRESS
    assert [p.name for p in card.assignees] == ["Bob"]
    assert alice.name not in card.text


class SlowSlack(RecordingChatNotifier):
    """A Slack whose card lookup and post are apart in time, as over the network; counts
    the cards it was asked to post anew."""

    def __init__(self) -> None:
        super().__init__()
        self.new_cards = 0

    async def show_card(
        self, channel_id: str, thread_ts: str, card: IssueCard, *, key: str, create: bool = True
    ) -> str | None:
        shown = key in self.cards
        await asyncio.sleep(0.02)
        self.new_cards += not shown
        return await super().show_card(channel_id, thread_ts, card, key=key, create=create)


async def test_two_processes_telling_a_new_issue_at_once_post_one_card(world: World) -> None:
    _, _, issue = await slack_world(world)
    slack = SlowSlack()
    reported, assigned = (e for e in world.store.events if e.issue_id == issue.id)
    # Two services with units of work of their own: two processes sharing the database.
    await asyncio.gather(
        notifications(world, slack).deliver(reported),
        notifications(world, slack).deliver(assigned),
    )
    assert slack.new_cards == 1
    assert list(slack.cards) == [f"card:{issue.id}"]
    assert world.store.thread_holds == {}  # both holds ended


async def test_an_older_card_never_replaces_a_newer_one(world: World) -> None:
    _, _, issue = await slack_world(world)
    (reported,) = events_of(world, IssueReported, issue)
    notifier = RecordingChatNotifier()
    world.clock.advance(seconds=1)
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    (changed,) = events_of(world, StatusChanged, issue)
    newer = notifications(world, notifier)
    await newer.deliver(changed)
    _, _, shown = notifier.cards[f"card:{issue.id}"]
    stale = msgspec.structs.replace(shown, status=Status.OPEN, revision=shown.revision - 1)
    await notifier.show_card(CHANNEL, "1700000000.000001", stale, key=stale.key)
    assert notifier.cards[f"card:{issue.id}"][2] == shown
    await newer.deliver(reported)  # a late job reads the issue as it is now
    assert notifier.cards[f"card:{issue.id}"][2].status is Status.IN_PROGRESS


async def test_new_assignees_get_a_dm(world: World) -> None:
    team, alice, issue = await slack_world(world)
    bob = await world.member(team, "Bob")
    notifier = RecordingChatNotifier()
    service = notifications(world, notifier)
    (first,) = events_of(world, IssueAssigned, issue)
    await service.deliver(first)
    assert list(notifier.direct_messages) == [f"{first.id}:dm:{alice.id}"]
    user, text = notifier.direct_messages[f"{first.id}:dm:{alice.id}"]
    assert user == "UALICE"
    assert f"#{issue.number} Checkout is down" in text
    await world.issues.assign(ADMIN, issue.id, [alice.id, bob.id])
    second = events_of(world, IssueAssigned, issue)[-1]
    assert second.added == (bob.id,)
    await service.deliver(second)
    assert notifier.direct_messages[f"{second.id}:dm:{bob.id}"][0] == "UBOB"
    assert len(notifier.direct_messages) == 2  # Alice is not told again
    _, _, text = notifier.thread_posts[f"{second.id}:thread"]
    assert "<@UALICE>" in text
    assert "<@UBOB>" in text
    assert not notifier.statuses  # an assignment does not touch the emoji


async def test_delivering_twice_posts_once(world: World) -> None:
    _, _, issue = await slack_world(world)
    notifier = RecordingChatNotifier()
    service = notifications(world, notifier)
    for event in events_of(world, IssueReported, issue) + events_of(world, IssueAssigned, issue):
        await service.deliver(event)
        await service.deliver(event)
    # The report and Argus's own assignment are the card alone; the assignee gets a DM.
    assert len(notifier.thread_posts) == 0
    assert len(notifier.cards) == 1
    assert len(notifier.direct_messages) == 1


async def test_muted_members_get_no_dm(world: World) -> None:
    _, alice, issue = await slack_world(world)
    await world.teams.update_member(ADMIN, alice.id, MemberPatch(notifications_muted=True))
    notifier = RecordingChatNotifier()
    (assigned,) = events_of(world, IssueAssigned, issue)
    await notifications(world, notifier).deliver(assigned)
    assert notifier.direct_messages == {}
    assert len(notifier.cards) == 1  # the card still names her


async def test_a_person_assigning_is_told_in_the_thread_and_argus_assigning_is_not(
    world: World,
) -> None:
    team, alice, issue = await slack_world(world)
    bob = await world.member(team, "Bob")
    await world.issues.assign(ADMIN, issue.id, [bob.id, alice.id])
    notifier = RecordingChatNotifier()
    await deliver_all(world, notifier, issue)

    [(_, _, text)] = notifier.thread_posts.values()
    assert text.startswith("Assigned to <@UBOB>, <@UALICE> by Ada Admin")
    assert {user for user, _ in notifier.direct_messages.values()} == {"UALICE", "UBOB"}


async def test_managers_are_told_when_nobody_can_take_an_issue(world: World) -> None:
    team = await world.team("Payments")
    await world.member(team, "Boss", MemberRole.MANAGER)
    issue = await world.report(team, slack=SlackRef(channel_id=CHANNEL, thread_ts="1.1"))
    notifier = RecordingChatNotifier()
    await deliver_all(world, notifier, issue)
    [(user, text)] = notifier.direct_messages.values()
    assert user == "UBOSS"
    assert "Payments" in text


@pytest.mark.parametrize(
    ("message_ts", "where"),
    [("1700000000.000100", "1700000000.000100"), (None, "1700000000.000001")],
)
async def test_status_changes_swap_the_emoji_on_the_reported_message(
    world: World, message_ts: str | None, where: str
) -> None:
    _, _, issue = await slack_world(world, message_ts=message_ts)
    notifier = RecordingChatNotifier()
    await world.issues.resolve(ADMIN, issue.id, "rolled back the deploy")
    (changed,) = events_of(world, StatusChanged, issue)
    await notifications(world, notifier).deliver(changed)
    assert notifier.statuses == {(CHANNEL, where): Status.RESOLVED}
    _, _, text = notifier.thread_posts[f"{changed.id}:thread"]
    assert "resolved" in text
    assert "rolled back the deploy" in text


async def test_an_issue_without_slack_gets_no_thread_post(world: World) -> None:
    team = await world.team()
    alice = await world.member(team, "Alice")
    issue = await world.report(team)
    notifier = RecordingChatNotifier()
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    await deliver_all(world, notifier, issue)
    assert notifier.thread_posts == {}
    assert notifier.statuses == {}
    (dm_user, _) = notifier.direct_messages[
        f"{events_of(world, IssueAssigned, issue)[0].id}:dm:{alice.id}"
    ]
    assert dm_user == "UALICE"  # DMs need no thread


async def test_without_a_notifier_nothing_happens(world: World) -> None:
    await slack_world(world)
    service = notifications(world, None)
    for event in list(world.store.events):
        await service.deliver(event)  # no error


async def test_a_muted_issue_gets_no_thread_post(world: World) -> None:
    _, _, issue = await slack_world(world)
    await world.issues.update(ADMIN, issue.id, IssuePatch(notifications_muted=True))
    assert world.store.issues[issue.id].notifications_muted
    notifier = RecordingChatNotifier()
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    await deliver_all(world, notifier, issue)
    assert notifier.thread_posts == {}
    assert notifier.direct_messages == {}
    assert notifier.cards == {}  # never posted anew


async def test_a_muted_issue_keeps_its_card_current_without_posting(world: World) -> None:
    _, _, issue = await slack_world(world)
    notifier = RecordingChatNotifier()
    await deliver_all(world, notifier, issue)  # the card is up
    told = len(world.store.events)
    await world.issues.update(ADMIN, issue.id, IssuePatch(notifications_muted=True))
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    service = notifications(world, notifier)
    for event in [e for e in world.store.events[told:] if e.issue_id == issue.id]:
        await service.deliver(event)
    [(_, _, card)] = notifier.cards.values()
    assert card.status is Status.IN_PROGRESS
    assert len(notifier.thread_posts) == 0  # the status change was muted


async def test_an_unknown_issue_is_told_nothing(world: World) -> None:
    await slack_world(world)
    notifier = RecordingChatNotifier()
    ghost = RcaRequested(issue_id=uuid.uuid4(), occurred_at=world.clock.now(), performed_by="x")
    lost = IssueReported(
        issue_id=uuid.uuid4(),
        occurred_at=world.clock.now(),
        number=99,
        source=Source.SLACK,
        team_id=None,
        needs_triage=False,
    )
    service = notifications(world, notifier)
    await service.deliver(ghost)
    await service.deliver(lost)
    assert notifier == RecordingChatNotifier()


async def test_an_rca_request_is_not_told(world: World) -> None:
    _, _, issue = await slack_world(world)
    await world.issues.request_rca(ADMIN, issue.id)
    notifier = RecordingChatNotifier()
    (requested,) = events_of(world, RcaRequested, issue)
    await notifications(world, notifier).deliver(requested)
    assert notifier == RecordingChatNotifier()


async def test_delivery_survives_a_payload_round_trip(world: World) -> None:
    _, _, issue = await slack_world(world)
    notifier = RecordingChatNotifier()
    (reported,) = events_of(world, IssueReported, issue)
    await notifications(world, notifier).deliver(event_of(event_payload(reported)))
    assert list(notifier.cards) == [f"card:{issue.id}"]


# --------------------------------------------------------------------------- failed jobs


class Admin:
    """A failed-job service over in-memory dead letters, with three failed jobs."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.dead = InMemoryDeadLetters()
        self.queue = InMemoryJobQueue()
        self.service = FailedJobService(self.dead, self.queue, self.clock)

    async def fail(self, name: str = NOTIFY, minutes_ago: int = 0) -> FailedJob:
        job_id = uuid.uuid4()
        job = FailedJob(
            id=job_id,
            name=name,
            key=f"{name}:{uuid.uuid4()}",
            payload={"event": "{}", "n": minutes_ago},
            error="ConnectionError: slack down",
            attempts=6,
            failed_at=self.clock.now() - timedelta(minutes=minutes_ago),
        )
        await self.dead.add(job)
        return job


@pytest.fixture
def admin() -> Admin:
    return Admin()


async def non_admins() -> list[Actor]:
    world = World()
    team = await world.team()
    boss = await world.member(team, "Boss", MemberRole.MANAGER)
    agent = await world.member(team, "Alice")
    return [VIEWER, world.actor(boss), world.actor(agent), Actor.system()]


async def test_only_admins_see_or_retry_failed_jobs(admin: Admin) -> None:
    job = await admin.fail()
    for actor in await non_admins():
        with pytest.raises(PermissionDenied):
            await admin.service.list(actor)
        with pytest.raises(PermissionDenied):
            await admin.service.retry(actor, job.id)
        with pytest.raises(PermissionDenied):
            await admin.service.retry(actor, uuid.uuid4())
    assert admin.queue.jobs == []
    assert admin.dead.jobs[job.id].retried_at is None


async def test_admins_list_newest_first(admin: Admin) -> None:
    old = await admin.fail(minutes_ago=30)
    new = await admin.fail(minutes_ago=1)
    middle = await admin.fail(TRIAGE, minutes_ago=10)
    assert [j.id for j in await admin.service.list(ADMIN)] == [new.id, middle.id, old.id]
    assert [j.id for j in await admin.service.list(ADMIN, limit=2)] == [new.id, middle.id]


async def test_retry_queues_once_with_its_own_key_and_records_it(admin: Admin) -> None:
    job = await admin.fail(TRIAGE)
    other = await admin.fail()
    admin.clock.advance(minutes=5)
    returned = await admin.service.retry(ADMIN, job.id)
    assert returned.id == job.id
    assert admin.queue.jobs == [(TRIAGE, job.payload, 0)]
    assert admin.queue.keys == {f"{job.key}:retry:{job.id}"}
    assert admin.dead.jobs[job.id].retried_at == admin.clock.now()
    assert admin.dead.jobs[other.id].retried_at is None

    with pytest.raises(Conflict):
        await admin.service.retry(ADMIN, job.id)
    assert len(admin.queue.jobs) == 1
    (listed,) = [j for j in await admin.service.list(ADMIN) if j.id == job.id]
    assert listed.retried_at == admin.clock.now()


async def test_retry_of_an_unknown_job_is_not_found(admin: Admin) -> None:
    with pytest.raises(NotFound):
        await admin.service.retry(ADMIN, uuid.uuid4())
    assert admin.queue.jobs == []
