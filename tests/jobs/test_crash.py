"""A worker killed mid-way loses and repeats nothing: every notification reaches the fake
Slack exactly once, on SAQ over PostgreSQL, SAQ over Redis and the embedded runner."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from argus_adapters.sql.settings import DatabaseSettings
from tests.fake_slack import FakeSlack
from tests.jobs.support import (
    PG_QUEUE_URL,
    REDIS_QUEUE_URL,
    Processes,
    argus_env,
    seed_slack_issues,
)
from tests.served import free_port

ISSUES = 200


def assert_each_once(slack: FakeSlack, expected: int) -> None:
    keys = Counter(slack.keys())
    repeated = {k: n for k, n in keys.items() if n > 1}
    assert not repeated, f"posted more than once: {repeated}"
    assert len(keys) == expected
    threads = Counter((p.channel, p.thread_ts) for p in slack.posts)
    assert len(threads) == expected
    assert set(threads.values()) == {1}


@pytest.mark.parametrize("queue_url", [PG_QUEUE_URL, REDIS_QUEUE_URL], ids=["postgres", "redis"])
async def test_a_killed_saq_worker_loses_and_repeats_nothing(
    queue_url: str, pg_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    await seed_slack_issues(pg_db, ISSUES, channels=20)
    slack.post_delay = 0.05  # slow handlers: the kill lands while many are running
    env = argus_env(pg_db, slack, ARGUS_QUEUE_URL=queue_url)

    first = procs.worker(env)
    await asyncio.to_thread(slack.wait_for_posts, 60, 60)
    first.kill()  # SIGKILL: no shutdown, jobs left active
    first.wait()
    assert len(slack.posts) < ISSUES

    procs.worker(env)
    await asyncio.to_thread(slack.wait_for_posts, ISSUES, 90)
    await asyncio.sleep(3)  # a duplicate, if any, would arrive now
    assert_each_once(slack, ISSUES)


async def test_a_killed_embedded_server_resumes_its_jobs_at_restart(
    sqlite_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    await seed_slack_issues(sqlite_db, ISSUES, channels=20)
    slack.post_delay = 0.05
    env = argus_env(sqlite_db, slack, ARGUS_JOB_CONCURRENCY="8")
    port = free_port()

    first = procs.serve(env, port)
    await asyncio.to_thread(slack.wait_for_posts, 60, 60)
    first.kill()
    first.wait()
    assert len(slack.posts) < ISSUES

    procs.serve(env, port)
    await asyncio.to_thread(slack.wait_for_posts, ISSUES, 90)
    await asyncio.sleep(3)
    assert_each_once(slack, ISSUES)
