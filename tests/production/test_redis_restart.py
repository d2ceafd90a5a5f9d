"""Redis restarted under SAQ workers (a redis-server of the test's own, with its
append-only file on, as a production queue must run): the workers wait for it, the jobs
resume, and every notification reaches Slack exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

from argus_adapters.sql.settings import DatabaseSettings
from tests.fake_slack import FakeSlack
from tests.jobs.support import argus_env, processes, seed_slack_issues
from tests.production.own_servers import own_redis

ISSUES = 40


async def test_jobs_resume_after_a_redis_restart(tmp_path: Path, pg_db: DatabaseSettings) -> None:
    await seed_slack_issues(pg_db, ISSUES, channels=ISSUES)
    with own_redis() as redis, FakeSlack() as slack, processes(tmp_path) as procs:
        slack.post_delay = 0.2
        env = argus_env(pg_db, slack, ARGUS_QUEUE_URL=redis.url)
        workers = [procs.worker(env, concurrency=4) for _ in range(2)]
        await asyncio.to_thread(slack.wait_for_posts, 5, 60)
        redis.stop()
        posted_while_down = len(slack.posts)
        await asyncio.sleep(2)
        redis.start()
        restarted = time.monotonic()
        await asyncio.to_thread(slack.wait_for_posts, ISSUES, 90)
        took = time.monotonic() - restarted
        await asyncio.sleep(2)  # a duplicate, if any, would arrive now
        alive = [w.poll() is None for w in workers]
        output = procs.output()

    assert posted_while_down < ISSUES
    keys = Counter(slack.keys())
    assert {k: n for k, n in keys.items() if n > 1} == {}
    assert len(keys) == ISSUES
    assert all(alive), output[-3000:]
    assert took < 60
