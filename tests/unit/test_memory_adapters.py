"""The in-memory adapters behave as the ports promise."""

from datetime import UTC

import pytest

from argus_adapters.memory import (
    FakeIdentityProvider,
    InMemoryJobQueue,
    InMemoryStore,
    InMemoryUnitOfWork,
    RecordingChatNotifier,
    StaticRcaProvider,
)
from argus_core.clock import SystemClock
from argus_core.domain.errors import PermissionDenied
from argus_core.domain.issue import Rca, RcaProgress
from argus_core.domain.values import CategorySet, RcaState, Status
from argus_core.ports import Identity
from tests.world import World


async def test_unit_of_work_rolls_back_without_commit_and_is_not_reentrant() -> None:
    world = World()
    team = await world.team()
    uow = world.uow()
    async with uow:
        await uow.teams.delete(team.id)
    assert team.id in world.store.teams  # no commit: rolled back
    with pytest.raises(RuntimeError, match="already in progress"):
        async with uow, uow:
            pass

    async def commit_then_fail() -> None:
        async with uow:
            await uow.teams.delete(team.id)
            await uow.commit()
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await commit_then_fail()
    assert team.id not in world.store.teams  # committed before the error: kept


async def test_issue_numbers_are_never_reused_after_a_rollback() -> None:
    store = InMemoryStore()
    uow = InMemoryUnitOfWork(store)
    async with uow:
        assert await uow.issues.next_number() == 1
    async with uow:
        assert await uow.issues.next_number() == 2


async def test_chat_notifier_posts_once_per_key() -> None:
    chat = RecordingChatNotifier()
    first = await chat.post_in_thread("C1", "1.0", "hello", idempotency_key="job-1")
    again = await chat.post_in_thread("C1", "1.0", "hello again", idempotency_key="job-1")
    assert first == again
    assert list(chat.thread_posts.values()) == [("C1", "1.0", "hello")]
    await chat.send_direct_message("U1", "you got #1", idempotency_key="dm-1")
    await chat.send_direct_message("U1", "you got #1", idempotency_key="dm-1")
    assert len(chat.direct_messages) == 1
    await chat.show_status("C1", "1.0", Status.RESOLVED)
    assert chat.statuses == {("C1", "1.0"): Status.RESOLVED}


async def test_job_queue_dedupes_by_key() -> None:
    queue = InMemoryJobQueue()
    await queue.enqueue("notify", {"event": "e1"}, key="e1")
    await queue.enqueue("notify", {"event": "e1"}, key="e1")
    assert queue.jobs == [("notify", {"event": "e1"}, 0)]


async def test_identity_provider_and_rca_provider() -> None:
    who = Identity(email="a@example.com", name="A", email_verified=True)
    google = FakeIdentityProvider({"code-1": who})
    assert "state=s1" in google.authorization_url(state="s1", code_challenge="c")
    assert await google.exchange(code="code-1", code_verifier="v") == who
    with pytest.raises(PermissionDenied):
        await google.exchange(code="bad", code_verifier="v")
    seen: list[RcaProgress] = []

    async def sink(step: RcaProgress) -> None:
        seen.append(step)

    steps = (RcaProgress(stage="tool", message="reading logs", tool="logs"),)
    rca = Rca(state=RcaState.COMPLETED, summary="disk full")
    reported = await World().report()
    assert await StaticRcaProvider(rca, steps).investigate(reported, sink) == rca
    assert seen == list(steps)


def test_system_clock_is_aware_and_categories_need_their_fallback() -> None:
    assert SystemClock().now().tzinfo is UTC
    with pytest.raises(ValueError, match="fallback"):
        CategorySet(names=("a", "b"), fallback="c")
    assert "a" in CategorySet(names=("a",), fallback="a")
