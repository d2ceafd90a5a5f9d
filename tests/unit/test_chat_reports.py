"""Reports made with a chat form or a tracked message: once per receipt, one per thread."""

from __future__ import annotations

import uuid

from argus_adapters.memory import InMemoryJobQueue, InMemoryUnitOfWork, RecordingChatNotifier
from argus_core.domain.issue import Reporter
from argus_core.domain.values import Priority, Source
from argus_core.jobs import INTAKE
from argus_core.usecases.intake import ChatReport, IntakeService
from argus_core.usecases.issues import IssueService
from tests.world import World

CHANNEL = "C0INCIDENTS"
TOM = Reporter(name="Tom Author", slack_user_id="U0TOM", email="tom@example.com")


def service(world: World, queue: InMemoryJobQueue) -> IntakeService:
    uow = InMemoryUnitOfWork(world.store)
    issues = IssueService(uow, world.clock)
    return IntakeService(uow, issues, queue, world.clock, RecordingChatNotifier(), "https://a/")


def report(receipt: str = "slack:view:V1", thread: str = "1700000000.000100", **kw: object):
    fields: dict[str, object] = {
        "receipt": receipt,
        "channel_id": CHANNEL,
        "message_ts": thread,
        "thread_ts": thread,
        "title": "Card payments failing",
        "description": "Every Visa card is declined.",
        "reporter": TOM,
    }
    return ChatReport(**(fields | kw))  # type: ignore[arg-type]


async def test_a_report_opens_one_issue_with_what_was_filled_in() -> None:
    world, queue = World(), InMemoryJobQueue()
    team = await world.team("Payments")
    intake = service(world, queue)

    first = await intake.take_in_report(
        report(priority=Priority.HIGH, team_id=team.id, reported_by="Ana Agent")
    )
    again = await intake.take_in_report(report(priority=Priority.HIGH, team_id=team.id))

    assert again.id == first.id
    assert (first.title, first.priority, first.team_id) == (
        "Card payments failing",
        Priority.HIGH,
        team.id,
    )
    assert (first.source, first.reporter, first.description) == (
        Source.SLACK,
        TOM,
        "Every Visa card is declined.",
    )
    assert first.slack is not None
    assert (first.slack.thread_ts, first.slack.message_ts) == ("1700000000.000100",) * 2
    assert len(world.store.issues) == 1
    assert world.store.receipts == {"slack:view:V1": first.id}


async def test_a_report_whose_team_is_gone_is_left_to_triage() -> None:
    world = World()
    intake = service(world, InMemoryJobQueue())

    issue = await intake.take_in_report(report(team_id=uuid.uuid4()))

    assert issue.team_id is None
    assert len(world.store.issues) == 1


async def test_a_report_in_a_thread_that_tracks_an_issue_makes_none() -> None:
    world = World()
    intake = service(world, InMemoryJobQueue())
    tracked = await intake.take_in_report(report())

    other = await intake.take_in_report(
        report("slack:message:C0INCIDENTS:1700000000.000200", message_ts="1700000000.000200")
    )

    assert other.id == tracked.id
    assert len(world.store.issues) == 1


async def test_tracking_a_message_twice_queues_once_then_names_its_issue() -> None:
    world, queue = World(), InMemoryJobQueue()
    intake = service(world, queue)
    key, where = "slack:message:C0INCIDENTS:1.0", {"channel_id": CHANNEL, "thread_ts": "1.0"}

    assert await intake.receive_tracked(key, {"kind": "shortcut"}, **where) is None
    assert await intake.receive_tracked(key, {"kind": "shortcut"}, **where) is None  # pending
    assert queue.jobs == [(INTAKE, {"kind": "shortcut"}, 0)]

    made = await intake.take_in_report(report(key, thread="1.0"))
    found = await intake.receive_tracked(key, {"kind": "shortcut"}, **where)

    assert found is not None
    assert found.id == made.id
    assert len(queue.jobs) == 1


async def test_tracking_a_message_in_a_tracked_thread_names_that_issue() -> None:
    world, queue = World(), InMemoryJobQueue()
    intake = service(world, queue)
    made = await intake.take_in_report(report(thread="1.0"))

    found = await intake.receive_tracked(
        "slack:message:C0INCIDENTS:1.5", {}, channel_id=CHANNEL, thread_ts="1.0"
    )

    assert found is not None
    assert found.id == made.id
    assert queue.jobs == []
    assert "slack:message:C0INCIDENTS:1.5" not in world.store.receipts


async def test_a_tracked_message_whose_issue_lives_elsewhere_is_found_by_its_receipt() -> None:
    world, queue = World(), InMemoryJobQueue()
    intake = service(world, queue)
    key = "slack:message:C0INCIDENTS:1.0"
    made = await intake.take_in_report(report(key, thread="2.0"))  # say, its thread moved

    found = await intake.receive_tracked(key, {}, channel_id=CHANNEL, thread_ts="1.0")

    assert found is not None
    assert found.id == made.id
    assert queue.jobs == []
