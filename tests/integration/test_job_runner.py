"""The embedded job runner on SQLite and PostgreSQL: one job per key, leases, retries
with backoff, time limits, dead letters, and taking back jobs left running."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.jobs import DEAD, JOBS, SqlDeadLetters, SqlJobQueue, SqlJobRunner
from argus_core.domain.errors import NotFound
from argus_core.jobs import JobPolicy
from argus_core.ports import FailedJob

pytestmark = pytest.mark.backends("sqlite", "postgres")

WORK = "work"
SLOW = "slow"
POLICIES = {
    WORK: JobPolicy(timeout_seconds=2, retries=3, retry_delay_seconds=0.05),
    SLOW: JobPolicy(timeout_seconds=1, retries=2, retry_delay_seconds=0.05),
}
POLL = 0.05
GONE_PID = 2**22 + 12345  # above any pid_max: no process has it
Handler = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture
async def db(engine: AsyncEngine | None) -> AsyncEngine:
    """The backend's engine with empty ``jobs`` and ``dead_jobs`` tables."""
    assert engine is not None
    async with engine.begin() as conn:
        await conn.execute(sa.delete(JOBS))
        await conn.execute(sa.delete(DEAD))
    return engine


def now() -> datetime:
    return datetime.now(UTC)


def make_runner(
    engine: AsyncEngine, handlers: dict[str, Handler], concurrency: int = 4
) -> tuple[SqlJobQueue, SqlJobRunner]:
    wake = asyncio.Event()
    queue = SqlJobQueue(engine, wake, POLICIES)
    runner = SqlJobRunner(
        engine, handlers, concurrency=concurrency, poll_seconds=POLL, wake=wake, policies=POLICIES
    )
    return queue, runner


@contextlib.asynccontextmanager
async def running(runner: SqlJobRunner) -> AsyncIterator[asyncio.Task[None]]:
    """``runner.run()`` as a task, cancelled at the end (its own errors surface)."""
    task = asyncio.create_task(runner.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def jobs(engine: AsyncEngine) -> list[sa.Row[Any]]:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.select(JOBS).order_by(JOBS.c.key)))


async def job(engine: AsyncEngine, key: str) -> sa.Row[Any]:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(JOBS).where(JOBS.c.key == key))).one()


async def dead_rows(engine: AsyncEngine) -> list[sa.Row[Any]]:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.select(DEAD)))


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> None:
    """Wait until ``check()`` holds (or fail after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


async def status_is(engine: AsyncEngine, key: str, status: str) -> None:
    async def check() -> bool:
        return bool((await job(engine, key)).status == status)

    await until(check)


async def insert_job(engine: AsyncEngine, key: str, **values: Any) -> None:
    """A row written as another runner would have left it."""
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "key": key,
        "name": WORK,
        "payload": json.dumps({"key": key}),
        "status": "queued",
        "attempts": 0,
        "max_attempts": 3,
        "run_at": now(),
        "created_at": now(),
    }
    async with engine.begin() as conn:
        await conn.execute(sa.insert(JOBS).values({**row, **values}))


def owner(pid: int, host: str | None = None) -> str:
    return f"{host or socket.gethostname()}:{pid}:abcd"


# --------------------------------------------------------------------------- queueing


async def test_a_key_queued_twice_is_stored_once(db: AsyncEngine) -> None:
    wake = asyncio.Event()
    queue = SqlJobQueue(db, wake, POLICIES)
    await queue.enqueue(WORK, {"n": 1}, key="k1")
    assert wake.is_set()
    await queue.enqueue(WORK, {"n": 2}, key="k1")
    await queue.enqueue("unknown-kind", {"n": 3}, key="k2")

    k1, k2 = await jobs(db)
    assert (k1.key, k1.name, json.loads(k1.payload)) == ("k1", WORK, {"n": 1})
    assert (k1.status, k1.attempts, k1.max_attempts) == ("queued", 0, 3)
    assert k1.lease_owner is None
    assert k1.finished_at is None
    assert k1.run_at <= now()
    assert k2.max_attempts == 3  # a kind without a policy gets the default


async def test_each_job_runs_once_with_its_payload(db: AsyncEngine) -> None:
    seen: list[dict[str, Any]] = []

    async def work(payload: dict[str, Any]) -> None:
        seen.append(payload)

    queue, runner = make_runner(db, {WORK: work})
    async with running(runner):
        for n in range(5):
            await queue.enqueue(WORK, {"n": n, "tags": ["a", n]}, key=f"job-{n}")
        await queue.enqueue(WORK, {"n": 0}, key="job-0")  # the same key: not again
        for n in range(5):
            await status_is(db, f"job-{n}", "done")
        await asyncio.sleep(5 * POLL)  # a few more polls: nothing runs twice

    assert sorted(seen, key=lambda p: p["n"]) == [{"n": n, "tags": ["a", n]} for n in range(5)]
    for row in await jobs(db):
        assert (row.status, row.attempts) == ("done", 1)
        assert row.lease_owner is None
        assert row.lease_until is None
        assert row.finished_at is not None


async def test_draining_lets_short_jobs_finish_and_hands_back_long_ones(
    db: AsyncEngine,
) -> None:
    started: list[str] = []

    async def work(payload: dict[str, Any]) -> None:
        started.append(payload["key"])
        await asyncio.sleep(payload["seconds"])

    queue, runner = make_runner(db, {WORK: work})
    task = asyncio.create_task(runner.run())
    await queue.enqueue(WORK, {"key": "short", "seconds": 0.3}, key="short")
    await queue.enqueue(WORK, {"key": "long", "seconds": 60}, key="long")
    await until(lambda: _true(len(started) == 2))

    runner.drain(1)
    await asyncio.wait_for(task, 5)  # a drained runner returns by itself
    await queue.enqueue(WORK, {"key": "late", "seconds": 0}, key="late")

    short, long, late = [await job(db, k) for k in ("short", "long", "late")]
    assert (short.status, short.attempts) == ("done", 1)
    assert (long.status, long.attempts, long.lease_owner) == ("queued", 0, None)
    assert late.status == "queued"  # nothing is claimed once draining began
    assert sorted(started) == ["long", "short"]


async def _true(value: bool) -> bool:
    return value


async def test_two_runners_never_run_a_job_twice(db: AsyncEngine) -> None:
    seen: list[int] = []

    async def work(payload: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)
        seen.append(payload["n"])

    queue, first = make_runner(db, {WORK: work}, concurrency=2)
    _, second = make_runner(db, {WORK: work}, concurrency=2)
    async with running(first), running(second):
        # Let both finish starting first: a start takes back the running jobs of this
        # process id (one runner per process in production), so it would take the
        # other runner's jobs here.
        await asyncio.sleep(0.3)
        for n in range(20):
            await queue.enqueue(WORK, {"n": n}, key=f"job-{n}")
        second.wake.set()
        for n in range(20):
            await status_is(db, f"job-{n}", "done")
    assert sorted(seen) == list(range(20))


async def test_concurrency_bounds_the_jobs_running_at_once(db: AsyncEngine) -> None:
    in_flight = peak = 0

    async def work(_: dict[str, Any]) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.1)
        in_flight -= 1

    queue, runner = make_runner(db, {WORK: work}, concurrency=2)
    for n in range(6):
        await queue.enqueue(WORK, {"n": n}, key=f"job-{n}")
    async with running(runner):
        for n in range(6):
            await status_is(db, f"job-{n}", "done")
    assert peak == 2


async def test_a_delayed_job_waits_for_its_time(db: AsyncEngine) -> None:
    ran_at: list[float] = []

    async def work(_: dict[str, Any]) -> None:
        ran_at.append(time.monotonic())

    queue, runner = make_runner(db, {WORK: work})
    async with running(runner):
        queued_at = time.monotonic()
        await queue.enqueue(WORK, {}, key="later", delay_seconds=0.6)
        await queue.enqueue(WORK, {}, key="now")
        await status_is(db, "now", "done")
        assert ran_at
        assert (await job(db, "later")).status == "queued"
        await status_is(db, "later", "done")
    assert len(ran_at) == 2
    assert ran_at[1] - queued_at >= 0.6


# --------------------------------------------------------------------------- failures


async def test_a_job_that_always_fails_is_dead_after_its_retries(db: AsyncEngine) -> None:
    calls = 0

    async def work(payload: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError(f"boom {payload['n']}")

    queue, runner = make_runner(db, {WORK: work})
    async with running(runner):
        await queue.enqueue(WORK, {"n": 7}, key="doomed")
        await status_is(db, "doomed", "dead")
        await asyncio.sleep(5 * POLL)  # no further attempt
    assert calls == 3

    row = await job(db, "doomed")
    assert row.attempts == 3
    assert "RuntimeError: boom 7" in row.last_error
    assert row.lease_owner is None
    assert row.finished_at is not None
    (dead,) = await dead_rows(db)
    assert (dead.name, dead.key, json.loads(dead.payload)) == (WORK, "doomed", {"n": 7})
    assert dead.attempts == 3
    assert "Traceback" in dead.error
    assert "RuntimeError: boom 7" in dead.error
    assert dead.retried_at is None
    assert dead.failed_at is not None


async def test_retries_back_off(db: AsyncEngine) -> None:
    tried: list[float] = []

    async def work(_: dict[str, Any]) -> None:
        tried.append(time.monotonic())
        raise RuntimeError("no")

    queue, runner = make_runner(db, {WORK: work})
    async with running(runner):
        await queue.enqueue(WORK, {}, key="doomed")
        await status_is(db, "doomed", "dead")
    assert len(tried) == 3
    # retry_delay_seconds 0.05, doubled after each attempt: 0.05 then 0.1
    assert tried[1] - tried[0] >= 0.05
    assert tried[2] - tried[1] >= 0.1


async def test_a_job_that_fails_once_then_succeeds_is_done(db: AsyncEngine) -> None:
    calls = 0

    async def work(_: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("slack is down")

    queue, runner = make_runner(db, {WORK: work})
    async with running(runner):
        await queue.enqueue(WORK, {}, key="flaky")
        await status_is(db, "flaky", "done")
    row = await job(db, "flaky")
    assert (row.attempts, calls) == (2, 2)
    assert await dead_rows(db) == []


async def test_a_job_over_its_time_limit_counts_as_a_failure(db: AsyncEngine) -> None:
    calls = 0
    cancelled = False

    async def slow(_: dict[str, Any]) -> None:
        nonlocal calls, cancelled
        calls += 1
        if calls == 1:
            try:
                await asyncio.sleep(10)  # over the 1 s limit
            except asyncio.CancelledError:
                cancelled = True
                raise

    queue, runner = make_runner(db, {SLOW: slow})
    async with running(runner):
        await queue.enqueue(SLOW, {}, key="slow")
        await status_is(db, "slow", "done")
    row = await job(db, "slow")
    assert (row.attempts, calls, cancelled) == (2, 2, True)  # the timeout was attempt 1


async def test_a_job_without_a_handler_ends_dead(db: AsyncEngine) -> None:
    queue, runner = make_runner(db, {})
    async with running(runner):
        await queue.enqueue(WORK, {}, key="orphan")
        await status_is(db, "orphan", "dead")
    (dead,) = await dead_rows(db)
    assert "no handler for job 'work'" in dead.error


# --------------------------------------------------------------------------- take-back


async def test_a_start_takes_back_at_once_the_jobs_of_a_dead_process(db: AsyncEngine) -> None:
    far = now() + timedelta(hours=1)
    await insert_job(
        db,
        "orphaned",
        status="running",
        attempts=1,
        lease_owner=owner(GONE_PID),
        lease_until=far,
    )
    seen: list[dict[str, Any]] = []

    async def work(payload: dict[str, Any]) -> None:
        seen.append(payload)

    _, runner = make_runner(db, {WORK: work})
    started = time.monotonic()
    async with running(runner):
        await status_is(db, "orphaned", "done")
    assert time.monotonic() - started < 5  # not after the lease ran out
    assert seen == [{"key": "orphaned"}]
    assert (await job(db, "orphaned")).attempts == 2


async def test_a_start_leaves_the_jobs_of_live_or_foreign_runners(db: AsyncEngine) -> None:
    far = now() + timedelta(hours=1)
    live, foreign = owner(os.getppid()), owner(GONE_PID, host="some-other-host")
    await insert_job(db, "live", status="running", attempts=1, lease_owner=live, lease_until=far)
    await insert_job(
        db, "foreign", status="running", attempts=1, lease_owner=foreign, lease_until=far
    )
    seen: list[dict[str, Any]] = []

    async def work(payload: dict[str, Any]) -> None:
        seen.append(payload)

    _, runner = make_runner(db, {WORK: work})
    assert await runner.take_back(at_start=True) == 0
    async with running(runner):
        await asyncio.sleep(6 * POLL)
    assert seen == []
    for key, lease_owner in (("live", live), ("foreign", foreign)):
        row = await job(db, key)
        assert (row.status, row.lease_owner, row.attempts) == ("running", lease_owner, 1)


async def test_jobs_whose_lease_ran_out_are_taken_back(db: AsyncEngine) -> None:
    past = now() - timedelta(minutes=1)
    for key in ("expired-live", "expired-foreign"):
        await insert_job(
            db,
            key,
            status="running",
            attempts=1,
            lease_owner=owner(os.getppid(), host=None if key == "expired-live" else "elsewhere"),
            lease_until=past,
        )
    await insert_job(
        db,
        "current",
        status="running",
        attempts=1,
        lease_owner=owner(os.getppid()),
        lease_until=now() + timedelta(hours=1),
    )
    _, runner = make_runner(db, {})
    assert await runner.take_back(at_start=False) == 2
    for key in ("expired-live", "expired-foreign"):
        row = await job(db, key)
        assert (row.status, row.lease_owner, row.lease_until) == ("queued", None, None)
        assert row.attempts == 1
        assert row.run_at <= now()
    assert (await job(db, "current")).status == "running"


async def test_take_back_forgets_done_jobs_older_than_a_week(db: AsyncEngine) -> None:
    old, recent = now() - timedelta(days=8), now() - timedelta(days=6)
    await insert_job(db, "old-done", status="done", attempts=1, finished_at=old)
    await insert_job(db, "recent-done", status="done", attempts=1, finished_at=recent)
    await insert_job(db, "old-dead", status="dead", attempts=3, finished_at=old)
    await insert_job(db, "old-queued", created_at=old, run_at=now() + timedelta(hours=1))
    _, runner = make_runner(db, {})
    assert await runner.take_back(at_start=False) == 0
    assert [row.key for row in await jobs(db)] == ["old-dead", "old-queued", "recent-done"]


async def test_a_finish_does_not_overwrite_a_job_taken_over_meanwhile(db: AsyncEngine) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def work(payload: dict[str, Any]) -> None:
        started.set()
        await release.wait()
        if payload["fail"]:
            raise RuntimeError("late failure")

    queue, runner = make_runner(db, {WORK: work})
    other = owner(os.getppid(), host="new-owner")
    lease = now() + timedelta(hours=1)
    async with running(runner):
        for fail in (False, True):
            key = f"taken-{fail}"
            started.clear()
            release.clear()
            await queue.enqueue(WORK, {"fail": fail}, key=key)
            await asyncio.wait_for(started.wait(), 5)
            assert (await job(db, key)).lease_owner == runner.owner
            async with db.begin() as conn:  # taken back and claimed by another runner
                await conn.execute(
                    sa.update(JOBS)
                    .where(JOBS.c.key == key)
                    .values(lease_owner=other, lease_until=lease, attempts=2)
                )
            release.set()
            await asyncio.sleep(6 * POLL)
            row = await job(db, key)
            assert (row.status, row.lease_owner, row.attempts) == ("running", other, 2)
            assert row.finished_at is None
            assert row.last_error is None


async def test_a_last_failure_after_a_take_over_leaves_no_dead_letter(db: AsyncEngine) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def work(_: dict[str, Any]) -> None:
        started.set()
        await release.wait()
        raise RuntimeError("late failure")

    _, runner = make_runner(db, {WORK: work})
    async with running(runner):
        await insert_job(db, "last-try", attempts=2)  # its third and last attempt
        runner.wake.set()
        await asyncio.wait_for(started.wait(), 5)
        async with db.begin() as conn:
            await conn.execute(
                sa.update(JOBS)
                .where(JOBS.c.key == "last-try")
                .values(lease_owner=owner(os.getppid(), host="new-owner"))
            )
        release.set()
        await asyncio.sleep(6 * POLL)
    assert (await job(db, "last-try")).status == "running"  # the new owner's job
    assert await dead_rows(db) == []


async def test_the_runner_survives_a_passing_database_error(db: AsyncEngine) -> None:
    seen: list[str] = []

    async def work(payload: dict[str, Any]) -> None:
        seen.append(payload["key"])

    queue, runner = make_runner(db, {WORK: work})
    async with running(runner) as task:
        await asyncio.sleep(2 * POLL)
        async with db.begin() as conn:
            await conn.execute(sa.text("ALTER TABLE jobs RENAME TO jobs_away"))
        await asyncio.sleep(4 * POLL)  # the runner polls into the missing table
        async with db.begin() as conn:
            await conn.execute(sa.text("ALTER TABLE jobs_away RENAME TO jobs"))
        assert not task.done(), "the runner stopped"
        await queue.enqueue(WORK, {"key": "after"}, key="after")
        await status_is(db, "after", "done")
    assert seen == ["after"]


async def test_a_runner_started_while_the_database_is_away_takes_back_later(
    db: AsyncEngine,
) -> None:
    """The start's take-back of a dead process's jobs is retried, not lost."""
    seen: list[str] = []

    async def work(payload: dict[str, Any]) -> None:
        seen.append(payload["key"])

    await insert_job(
        db,
        "orphan",
        status="running",
        attempts=1,
        lease_owner=owner(2**22 + 12345),
        lease_until=now() + timedelta(hours=1),
    )
    async with db.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE jobs RENAME TO jobs_away"))
    _, runner = make_runner(db, {WORK: work})
    async with running(runner) as task:
        await asyncio.sleep(4 * POLL)  # the start's take-back fails
        async with db.begin() as conn:
            await conn.execute(sa.text("ALTER TABLE jobs_away RENAME TO jobs"))
        assert not task.done(), "the runner stopped"
        await status_is(db, "orphan", "done")
    assert seen == ["orphan"]


# --------------------------------------------------------------------------- dead letters


def failed(key: str, failed_at: datetime, **kw: Any) -> FailedJob:
    return FailedJob(
        id=uuid.uuid4(),
        name=WORK,
        key=key,
        payload={"key": key, "nested": {"list": [1, "two", None]}},
        error=f"Traceback (most recent call last):\nRuntimeError: {key}",
        attempts=3,
        failed_at=failed_at,
        **kw,
    )


async def test_dead_letters_add_list_get_and_mark_retried(db: AsyncEngine) -> None:
    letters = SqlDeadLetters(db)
    base = now().replace(microsecond=123456)
    oldest, middle, newest = (failed(f"job-{n}", base + timedelta(minutes=n)) for n in (0, 1, 2))
    for letter in (middle, newest, oldest):
        await letters.add(letter)

    assert list(await letters.list()) == [newest, middle, oldest]
    assert list(await letters.list(limit=2)) == [newest, middle]
    assert await letters.get(middle.id) == middle
    with pytest.raises(NotFound):
        await letters.get(uuid.uuid4())

    at = base + timedelta(hours=1)
    await letters.mark_retried(middle.id, at)
    assert (await letters.get(middle.id)).retried_at == at
    assert (await letters.get(oldest.id)).retried_at is None
    assert [j.retried_at for j in await letters.list()] == [None, at, None]


async def test_dead_letters_list_is_empty_at_first(db: AsyncEngine) -> None:
    assert list(await SqlDeadLetters(db).list()) == []
