"""Taking reports in from the chat tool: receipts, threads, hints, one issue per delivery."""

from __future__ import annotations

import asyncio

import pytest

from argus_adapters.memory import InMemoryJobQueue, InMemoryUnitOfWork, RecordingChatNotifier
from argus_core.domain.issue import Reporter
from argus_core.domain.values import Source
from argus_core.jobs import INTAKE
from argus_core.usecases.intake import EMPTY_HINT, THREAD_HINT, ChatMention, IntakeService
from argus_core.usecases.issues import IssueService
from tests.world import World

CHANNEL = "C0INCIDENTS"
URL = "https://argus.example.com/"


class Intake:
    def __init__(self, world: World) -> None:
        self.world = world
        self.queue = InMemoryJobQueue()
        self.chat = RecordingChatNotifier()

    def service(self) -> IntakeService:
        uow = InMemoryUnitOfWork(self.world.store)
        issues = IssueService(uow, self.world.clock)
        return IntakeService(uow, issues, self.queue, self.world.clock, self.chat, URL)


def mention(receipt: str = "slack:Ev1", text: str = "payments API timing out", **kw: object):
    fields: dict[str, object] = {
        "receipt": receipt,
        "channel_id": CHANNEL,
        "message_ts": "1700000000.000100",
        "text": text,
        "reporter": Reporter(name="Rita Reporter", slack_user_id="U0RITA", email="rita@x.io"),
        "channel_name": "incidents",
        "permalink": "https://slack.example/p1",
    }
    return ChatMention(**(fields | kw))  # type: ignore[arg-type]


@pytest.fixture
def intake() -> Intake:
    return Intake(World())


async def test_a_delivery_is_recorded_and_its_job_queued_once(intake: Intake) -> None:
    service = intake.service()

    assert await service.receive("slack:Ev1", {"kind": "mention"}) is True
    assert await service.receive("slack:Ev1", {"kind": "mention"}) is True  # not yet handled

    assert intake.queue.jobs == [(INTAKE, {"kind": "mention"}, 0)]
    assert intake.world.store.receipts == {"slack:Ev1": None}


async def test_a_mention_becomes_a_slack_issue_with_its_thread_and_reporter(
    intake: Intake,
) -> None:
    issue = await intake.service().take_in(mention(text="payments API timing out\nsince 10:02"))

    assert issue is not None
    assert (issue.title, issue.description) == (
        "payments API timing out",
        "payments API timing out\nsince 10:02",
    )
    assert issue.source is Source.SLACK
    assert issue.slack is not None
    assert (issue.slack.channel_id, issue.slack.thread_ts, issue.slack.message_ts) == (
        CHANNEL,
        "1700000000.000100",
        "1700000000.000100",
    )
    assert (issue.slack.channel_name, issue.slack.permalink) == (
        "incidents",
        "https://slack.example/p1",
    )
    assert issue.reporter.email == "rita@x.io"
    assert intake.world.store.receipts == {"slack:Ev1": issue.id}
    [created] = intake.world.store.history
    assert created.performed_by == "Rita Reporter"


async def test_the_same_delivery_taken_in_again_returns_the_first_issue(intake: Intake) -> None:
    first = await intake.service().take_in(mention())
    again = await intake.service().take_in(mention())
    await intake.service().receive("slack:Ev1", {"kind": "mention"})

    assert first is not None
    assert again is not None
    assert again.id == first.id
    assert len(intake.world.store.issues) == 1
    assert intake.queue.jobs == []  # a delivery that made its issue is not queued again


async def test_concurrent_deliveries_of_one_mention_make_one_issue(intake: Intake) -> None:
    issues = await asyncio.gather(*(intake.service().take_in(mention()) for _ in range(5)))

    assert len({i.id for i in issues if i is not None}) == 1
    assert len(intake.world.store.issues) == 1
    assert intake.world.store.last_number == 1  # no number spent on the repeats


async def test_a_mention_in_a_thread_of_an_issue_answers_with_that_issue(intake: Intake) -> None:
    tracked = await intake.service().take_in(mention())
    assert tracked is not None

    reply = mention(receipt="slack:Ev2", text="any news?", thread_ts="1700000000.000100")
    reply = ChatMention(**{**_fields(reply), "message_ts": "1700000050.000100"})
    answered = await intake.service().take_in(reply)

    assert answered is not None
    assert answered.id == tracked.id
    assert len(intake.world.store.issues) == 1
    [(channel, thread, text)] = intake.chat.thread_posts.values()
    assert (channel, thread) == (CHANNEL, "1700000000.000100")
    assert f"#{tracked.number}" in text
    assert f"{URL}issues/{tracked.id}" in text


async def test_a_mention_in_a_plain_thread_points_to_a_new_message(intake: Intake) -> None:
    reply = mention(text="the API again", thread_ts="1600000000.000001")

    assert await intake.service().take_in(reply) is None

    assert intake.world.store.issues == {}
    [(_, thread, text)] = intake.chat.thread_posts.values()
    assert (thread, text) == ("1600000000.000001", THREAD_HINT)


async def test_an_empty_mention_gets_a_hint_and_no_issue(intake: Intake) -> None:
    assert await intake.service().take_in(mention(text="  ")) is None

    assert intake.world.store.issues == {}
    assert list(intake.chat.thread_posts.values()) == [(CHANNEL, "1700000000.000100", EMPTY_HINT)]


async def test_a_hint_is_given_once_per_delivery(intake: Intake) -> None:
    await intake.service().take_in(mention(text=""))
    await intake.service().take_in(mention(text=""))

    assert len(intake.chat.thread_posts) == 1


def _fields(m: ChatMention) -> dict[str, object]:
    return {f: getattr(m, f) for f in m.__struct_fields__}
