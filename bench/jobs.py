"""Job throughput through SAQ (PostgreSQL, Redis) and the delay from commit to job start.

    uv run python bench/jobs.py                  # 2,000 no-op jobs, 100 commits per queue
    uv run python bench/jobs.py --jobs 5000 --commits 500 --spacing-ms 20

Throughput: ``--jobs`` no-op jobs are queued with keys (as Argus queues them), then one
worker with ``--concurrency`` runs them; jobs/s is counted from the first start to the
last finish. Beside it, the floor: the queue's backend alone doing one round trip per
job at the same concurrency (Redis ``PING``, PostgreSQL ``SELECT 1``), so the ratio says
how many round trips a job costs.

Commit to start: issues are reported through the use cases (each commit stores an event
in the outbox); the outbox relay and a worker run in this process with the real handlers
except ``notify``, which records when it starts. Reported as p50/p99 of start minus
commit, for SAQ on each backend and for the embedded runner on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import redis.asyncio as aioredis
from floor import percentile
from saq import Queue, Worker
from saq.types import Context, PartialTimersDict
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.saq_jobs import make_queue, make_worker
from argus_adapters.sql.jobs import SqlJobRunner
from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings
from argus_core.domain.people import Actor
from argus_core.jobs import NOTIFY, event_of
from argus_core.ports import DeadLetters
from argus_core.usecases.issues import IssueService, NewIssue
from argus_core.usecases.teams import NewTeam, TeamService
from argus_web.container import JobWake, make_container
from argus_web.jobs import job_handlers, relay_forever
from argus_web.settings import Settings

PG = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/8"
ADMIN = Actor(name="Bench", email="bench@example.com", is_admin=True)
TIMERS = PartialTimersDict(schedule=1, worker_info=10, sweep=60, abort=1)


async def throughput(queue: Queue, jobs: int, concurrency: int) -> float:
    """No-op jobs per second through ``queue`` with one worker."""
    done = asyncio.Event()
    finished: list[float] = []
    started: list[float] = []

    async def noop(ctx: Context) -> None:
        if not started:
            started.append(time.perf_counter())
        finished.append(time.perf_counter())
        if len(finished) == jobs:
            done.set()

    noop.__qualname__ = "noop"  # SAQ finds functions by qualified name
    await queue.connect()
    for n in range(jobs):
        await queue.enqueue("noop", key=f"bench:{uuid.uuid4()}:{n}", timeout=10)
    worker: Worker[Context] = Worker(
        queue, functions=[noop], concurrency=concurrency, timers=TIMERS
    )
    task = asyncio.create_task(worker.start())
    await asyncio.wait_for(done.wait(), 600)
    await worker.stop()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return jobs / (finished[-1] - started[0])


async def round_trips(call: Callable[[], Awaitable[object]], count: int, concurrency: int) -> float:
    """Backend round trips per second at ``concurrency``."""
    per_worker = count // concurrency

    async def loop() -> None:
        for _ in range(per_worker):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - start)


async def floor_of(url: str, count: int, concurrency: int) -> float:
    if url.startswith("redis"):
        client = aioredis.Redis.from_url(url)
        try:
            return await round_trips(client.ping, count, concurrency)
        finally:
            await client.aclose()
    pool = await asyncpg.create_pool(url, min_size=concurrency, max_size=concurrency)
    try:
        return await round_trips(lambda: pool.fetchval("SELECT 1"), count, concurrency)
    finally:
        await pool.close()


async def commit_to_start(settings: Settings, commits: int, spacing: float) -> list[float]:
    """Milliseconds from each report's commit to its notify job's start."""
    container = make_container(settings)
    committed: dict[uuid.UUID, float] = {}
    delays: list[float] = []
    all_started = asyncio.Event()
    handlers = job_handlers(container)

    seen: set[uuid.UUID] = set()

    async def notify(payload: dict[str, Any]) -> None:
        event = event_of(payload)
        at = time.perf_counter()
        if event.issue_id in committed and event.issue_id not in seen:
            seen.add(event.issue_id)
            delays.append((at - committed[event.issue_id]) * 1000)
            if len(delays) == commits:
                all_started.set()

    handlers[NOTIFY] = notify
    tasks = [asyncio.create_task(relay_forever(container))]
    worker = None
    if settings.queue_url:
        queue = make_queue(settings.queue_url, settings.database.schema)
        worker = make_worker(
            queue, handlers, await container.get(DeadLetters), concurrency=10,
            reminder_cron="0 0 1 1 *", sweep_seconds=60,
        )  # fmt: skip
        await queue.connect()
        tasks.append(asyncio.create_task(worker.start()))
    else:
        wake = await container.get(JobWake)
        runner = SqlJobRunner(await container.get(AsyncEngine), handlers, wake=wake.event)
        tasks.append(asyncio.create_task(runner.run()))
    try:
        async with container() as scope:
            issues = await scope.get(IssueService)
            teams = await scope.get(TeamService)
            team = await teams.create(ADMIN, NewTeam(name=f"Bench {uuid.uuid4().hex[:6]}"))
            for n in range(commits):
                issue = await issues.report(ADMIN, NewIssue(title=f"Bench {n}", team_id=team.id))
                committed[issue.id] = time.perf_counter()
                await asyncio.sleep(spacing)
        await asyncio.wait_for(all_started.wait(), 120)
    finally:
        if worker is not None:
            await worker.stop()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await container.close()
    return delays


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--spacing-ms", type=float, default=100, help="between reports")
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    schema = f"argus_bench_jobs_{uuid.uuid4().hex[:6]}"
    pg_db = DatabaseSettings(
        url=PG.replace("postgresql://", "postgresql+asyncpg://"), schema=schema
    )
    await upgrade_async(pg_db)
    flush = aioredis.Redis.from_url(REDIS)
    await flush.flushdb()
    await flush.aclose()
    try:
        print(f"{args.jobs:,} no-op jobs, one worker, concurrency {args.concurrency}")
        print(f"{'queue':<10} {'jobs/s':>8} | {'floor round trips/s':>20} | ratio")
        for name, url in (("postgres", PG), ("redis", REDIS)):
            rate = await throughput(make_queue(url, schema), args.jobs, args.concurrency)
            floor = await floor_of(url, args.jobs * 4, args.concurrency)
            print(f"{name:<10} {rate:>8.0f} | {floor:>20.0f} | {floor / rate:.1f} round trips/job")
        print(f"\ncommit to job start, {args.commits} reports {args.spacing_ms:g} ms apart")
        print(f"{'queue':<18} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
        with tempfile.TemporaryDirectory() as folder:
            sqlite_db = DatabaseSettings(url=f"sqlite+aiosqlite:///{Path(folder) / 'b.db'}")
            await upgrade_async(sqlite_db)
            runs = (
                ("saq postgres", Settings(database=pg_db, queue_url=PG)),
                ("saq redis", Settings(database=pg_db, queue_url=REDIS)),
                ("embedded sqlite", Settings(database=sqlite_db)),
            )
            for name, settings in runs:
                delays = await commit_to_start(settings, args.commits, args.spacing_ms / 1000)
                print(f"{name:<18} {statistics.median(delays):>7.1f} "
                      f"{percentile(delays, 99):>7.1f} {max(delays):>7.1f}")  # fmt: skip
    finally:
        raw = await asyncpg.connect(PG)
        await raw.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await raw.close()


if __name__ == "__main__":
    asyncio.run(main())
