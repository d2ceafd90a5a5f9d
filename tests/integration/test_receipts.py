"""Chat delivery receipts: one issue per delivery on every backend, however many at once."""

from __future__ import annotations

import asyncio
import uuid

from argus_core.domain.issue import Reporter, SlackRef
from argus_core.domain.people import Actor
from argus_core.domain.values import Source
from argus_core.queries import IssueQuery
from argus_core.usecases.issues import NewIssue
from tests.world import World

REPORT = NewIssue(
    title="Checkout 502s",
    reporter=Reporter(name="Rita", slack_user_id="U0RITA"),
    source=Source.SLACK,
)
SLACK = Actor(name="Rita", is_system=True)


async def test_a_receipt_is_recorded_once_and_remembers_its_issue(world: World) -> None:
    issue_id = uuid.uuid4()
    async with world.uow() as uow:
        assert await uow.receipts.record("slack:Ev1", world.clock.now()) is None
        assert await uow.receipts.record("slack:Ev1", world.clock.now()) is None
        assert await uow.receipts.settle("slack:Ev1", issue_id, world.clock.now()) == issue_id
        assert await uow.receipts.settle("slack:Ev1", uuid.uuid4(), world.clock.now()) == issue_id
        await uow.commit()
    async with world.uow() as uow:
        assert await uow.receipts.record("slack:Ev1", world.clock.now()) == issue_id
        other = uuid.uuid4()  # settling records a delivery never received
        assert await uow.receipts.settle("slack:Ev2", other, world.clock.now()) == other


async def test_a_settle_rolled_back_leaves_the_delivery_open(world: World) -> None:
    async with world.uow() as uow:
        await uow.receipts.settle("slack:Ev1", uuid.uuid4(), world.clock.now())
    async with world.uow() as uow:
        assert await uow.receipts.record("slack:Ev1", world.clock.now()) is None


async def test_one_delivery_reported_ten_times_at_once_is_one_issue(world: World) -> None:
    reports = [world.issues.report(SLACK, REPORT, receipt="slack:Ev9") for _ in range(10)]
    made = await asyncio.gather(*reports)

    assert len({issue.id for issue in made}) == 1
    assert len({issue.number for issue in made}) == 1
    async with world.uow() as uow:
        page = await uow.issues.list(IssueQuery())
    assert page.total == 1


async def test_an_issue_is_found_by_its_thread(world: World) -> None:
    slack = SlackRef(channel_id="C1", thread_ts="17.5", message_ts="17.5")
    issue = await world.issues.report(SLACK, NewIssue(title="x", source=Source.SLACK, slack=slack))
    async with world.uow() as uow:
        found = await uow.issues.find_by_thread("C1", "17.5")
        assert found is not None
        assert found.id == issue.id
        assert await uow.issues.find_by_thread("C1", "17.6") is None
        assert await uow.issues.find_by_thread("C2", "17.5") is None
