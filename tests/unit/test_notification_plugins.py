"""Notifications beyond Slack: the event hook, plugin notifiers, plain-language rewrites."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from argus_adapters.memory import RecordingChatNotifier
from argus_core.domain.events import DomainEvent, IssueAssigned, IssueReported, StatusChanged
from argus_core.domain.issue import Issue, SlackRef
from argus_core.domain.team import Member
from argus_core.domain.values import Source, Status
from argus_core.notifications import IssueCard
from argus_core.usecases import background
from argus_core.usecases.background import NotificationService
from argus_core.usecases.issues import IssuePatch
from tests.world import ADMIN, World

CHANNEL = "C0INCIDENTS"
PUBLIC_URL = "https://argus.example.com"


@pytest.fixture
async def world() -> World:
    return World()


async def slack_issue(world: World) -> tuple[Member, Issue]:
    team = await world.team("Payments")
    alice = await world.member(team, "Alice")
    slack = SlackRef(channel_id=CHANNEL, thread_ts="1700000000.000001", message_ts="1700.2")
    return alice, await world.report(team, "Checkout is down", slack=slack)


def stored_events(world: World, issue: Issue) -> list[DomainEvent]:
    return [e for e in world.store.events if e.issue_id == issue.id]


class Notifier:
    """A plugin notifier that keeps what it hears (and may fail the first ``failures``)."""

    def __init__(self, name: str = "pager", log: list[str] | None = None, failures: int = 0):
        self.name = name
        self.heard: list[tuple[DomainEvent, Issue]] = []
        self.log = log if log is not None else []
        self.failures = failures

    async def notify(self, event: DomainEvent, issue: Issue) -> None:
        self.log.append(f"{self.name}:{type(event).__name__}")
        if self.failures:
            self.failures -= 1
            raise ConnectionError(f"{self.name} is unreachable")
        self.heard.append((event, issue))


class LoggingChat(RecordingChatNotifier):
    """Slack that also notes, in a shared log, when it is first written to."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    async def post_in_thread(
        self, channel_id: str, thread_ts: str, text: str, *, idempotency_key: str
    ) -> str:
        self.log.append("slack")
        return await super().post_in_thread(
            channel_id, thread_ts, text, idempotency_key=idempotency_key
        )

    async def show_card(
        self, channel_id: str, thread_ts: str, card: IssueCard, *, key: str, create: bool = True
    ) -> str | None:
        self.log.append("slack")
        return await super().show_card(channel_id, thread_ts, card, key=key, create=create)


class Rewriter:
    """Rewrites by prefixing ``PLAIN:``, or misbehaves as told."""

    name = "plain"

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.texts: list[str] = []

    async def rewrite(self, text: str) -> str:
        self.texts.append(text)
        if self.mode == "error":
            raise RuntimeError("the model is overloaded")
        if self.mode == "empty":
            return "  \n"
        if self.mode == "slow":
            await asyncio.Event().wait()
        return f"  PLAIN: {text}\n"


# --------------------------------------------------------------------------- observe


async def test_every_event_is_observed_first_even_without_anyone_to_tell(world: World) -> None:
    _, issue = await slack_issue(world)
    seen: list[DomainEvent] = []
    ghost = IssueReported(
        issue_id=uuid.uuid4(),
        occurred_at=world.clock.now(),
        number=99,
        source=Source.SLACK,
        team_id=None,
        needs_triage=False,
    )
    events = [*stored_events(world, issue), ghost]
    service = NotificationService(world.uow(), None, PUBLIC_URL, observe=seen.append)
    for event in events:
        await service.deliver(event)
    assert seen == events


async def test_the_hook_hears_an_event_first_and_slack_goes_before_plugins(
    world: World,
) -> None:
    _, issue = await slack_issue(world)
    log: list[str] = []
    (reported,) = [e for e in stored_events(world, issue) if isinstance(e, IssueReported)]
    service = NotificationService(
        world.uow(),
        LoggingChat(log),
        PUBLIC_URL,
        notifiers=[Notifier("pager", log), Notifier("email", log)],
        observe=lambda event: log.append(f"observe:{type(event).__name__}"),
    )
    await service.deliver(reported)
    assert log == [
        "observe:IssueReported",
        "slack",  # a slow or broken plugin never holds Slack back
        "pager:IssueReported",
        "email:IssueReported",
    ]


# --------------------------------------------------------------------------- plugin notifiers


async def test_plugin_notifiers_hear_every_event_with_the_issue_as_it_is_now(
    world: World,
) -> None:
    _, issue = await slack_issue(world)
    await world.issues.resolve(ADMIN, issue.id, "rolled back")
    pager, email = Notifier("pager"), Notifier("email")
    service = NotificationService(world.uow(), None, PUBLIC_URL, notifiers=[pager, email])
    events = stored_events(world, issue)
    assert [type(e) for e in events] == [IssueReported, IssueAssigned, StatusChanged]
    for event in events:
        await service.deliver(event)

    now = world.store.issues[issue.id]
    assert now.status is Status.RESOLVED
    for notifier in (pager, email):
        assert notifier.heard == [(event, now) for event in events]


async def test_plugin_notifiers_hear_nothing_of_an_unknown_issue(world: World) -> None:
    await slack_issue(world)
    pager = Notifier()
    ghost = StatusChanged(
        issue_id=uuid.uuid4(),
        occurred_at=world.clock.now(),
        old=Status.OPEN,
        new=Status.CLOSED,
        reason="dup",
        performed_by="x",
    )
    await NotificationService(world.uow(), None, PUBLIC_URL, notifiers=[pager]).deliver(ghost)
    assert pager.log == []


async def test_plugin_notifiers_hear_a_muted_issue(world: World) -> None:
    _, issue = await slack_issue(world)
    await world.issues.update(ADMIN, issue.id, IssuePatch(notifications_muted=True))
    pager, chat = Notifier(), RecordingChatNotifier()
    service = NotificationService(world.uow(), chat, PUBLIC_URL, notifiers=[pager])
    events = stored_events(world, issue)
    for event in events:
        await service.deliver(event)
    assert [e for e, _ in pager.heard] == events
    assert chat.thread_posts == {}
    assert chat.direct_messages == {}


async def test_a_failing_plugin_notifier_fails_the_delivery_and_a_retry_tells_once(
    world: World,
) -> None:
    _, issue = await slack_issue(world)
    pager, chat = Notifier(failures=1), RecordingChatNotifier()
    service = NotificationService(world.uow(), chat, PUBLIC_URL, notifiers=[pager])
    (reported, *_) = stored_events(world, issue)
    with pytest.raises(ConnectionError):
        await service.deliver(reported)
    await service.deliver(reported)  # the job's retry
    await service.deliver(reported)  # at least once: a third hand-over changes nothing in Slack
    assert [e for e, _ in pager.heard] == [reported, reported]
    assert list(chat.cards) == [f"card:{issue.id}"]  # the report's card, shown once
    assert chat.thread_posts == {}


# --------------------------------------------------------------------------- rewriting


async def deliver_twice(
    world: World, issue: Issue, first: NotificationService, second: NotificationService
) -> None:
    """Every event through ``first``, then through ``second`` as if never told (a thread
    remembers what it was told, which would leave ``second`` nothing to post)."""
    for event in stored_events(world, issue):
        await first.deliver(event)
    world.store.told.clear()
    for event in stored_events(world, issue):
        await second.deliver(event)


async def test_thread_posts_and_dms_are_rewritten_in_plain_language(world: World) -> None:
    alice, issue = await slack_issue(world)
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    rewriter, chat, raw = Rewriter(), RecordingChatNotifier(), RecordingChatNotifier()
    service = NotificationService(world.uow(), chat, PUBLIC_URL, rewriter=rewriter)
    plain = NotificationService(world.uow(), raw, PUBLIC_URL)
    await deliver_twice(world, issue, service, plain)

    assert len(raw.thread_posts) == 1  # the status change (the report is the card)
    assert chat.cards == raw.cards  # the card is laid out, not rewritten
    assert len(raw.direct_messages) == 1
    assert chat.thread_posts == {
        key: (channel, thread, f"PLAIN: {text}")
        for key, (channel, thread, text) in raw.thread_posts.items()
    }
    assert chat.direct_messages == {
        key: (user, f"PLAIN: {text}") for key, (user, text) in raw.direct_messages.items()
    }
    assert sorted(rewriter.texts) == sorted(
        [text for _, _, text in raw.thread_posts.values()]
        + [text for _, text in raw.direct_messages.values()]
    )
    assert chat.statuses == raw.statuses == {(CHANNEL, "1700.2"): Status.IN_PROGRESS}
    (user, _) = chat.direct_messages[next(iter(chat.direct_messages))]
    assert user == alice.slack_user_id


@pytest.mark.parametrize("mode", ["error", "empty", "slow"])
async def test_the_raw_text_is_sent_when_the_rewriter_fails(
    world: World, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setattr(background, "REWRITE_SECONDS", 0.05)
    _, issue = await slack_issue(world)
    await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
    rewriter, chat, raw = Rewriter(mode), RecordingChatNotifier(), RecordingChatNotifier()
    service = NotificationService(world.uow(), chat, PUBLIC_URL, rewriter=rewriter)
    plain = NotificationService(world.uow(), raw, PUBLIC_URL)
    await deliver_twice(world, issue, service, plain)

    assert len(rewriter.texts) == 2  # the thread post and the DM were tried
    assert chat == raw


async def test_without_slack_nothing_is_rewritten(world: World) -> None:
    _, issue = await slack_issue(world)
    rewriter, pager = Rewriter(), Notifier()
    service = NotificationService(
        world.uow(), None, PUBLIC_URL, notifiers=[pager], rewriter=rewriter
    )
    for event in stored_events(world, issue):
        await service.deliver(event)
    assert rewriter.texts == []
    assert len(pager.heard) == 2
    assert pager.heard[0][0].issue_id == issue.id
