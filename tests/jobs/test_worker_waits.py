"""A worker started before its queue's backend waits for it instead of dying."""

from __future__ import annotations

import asyncio
import time

from argus_adapters.sql.settings import DatabaseSettings
from tests.fake_slack import FakeSlack
from tests.jobs.support import Processes, argus_env, seed_slack_issues
from tests.served import free_port


async def test_a_worker_waits_for_redis_then_delivers(
    pg_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    port = free_port()
    await seed_slack_issues(pg_db, 2, channels=1)
    worker = procs.worker(argus_env(pg_db, slack, ARGUS_QUEUE_URL=f"redis://127.0.0.1:{port}/0"))
    deadline = time.monotonic() + 30
    while "the job queue is unreachable" not in procs.output():
        assert time.monotonic() < deadline, procs.output()
        assert worker.poll() is None, procs.output()
        await asyncio.sleep(0.2)
    redis = await asyncio.create_subprocess_exec(
        *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no"),
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        await asyncio.to_thread(slack.wait_for_posts, 2, 60)
        assert worker.poll() is None
    finally:
        redis.terminate()
        await redis.wait()
