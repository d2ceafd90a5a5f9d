"""Reminders run once per period across workers; committed events reach Slack even when
the process that committed them died before anything was queued."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
import sqlalchemy as sa

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from tests.fake_slack import FakeSlack
from tests.jobs.support import (
    ALWAYS_REMIND,
    PG_QUEUE_URL,
    REDIS_QUEUE_URL,
    Processes,
    argus_env,
    seed_slack_issues,
)
from tests.served import free_port

QUEUES = pytest.mark.parametrize(
    "queue_url", [PG_QUEUE_URL, REDIS_QUEUE_URL], ids=["postgres", "redis"]
)


async def forget_outbox(db: DatabaseSettings) -> None:
    """Mark every stored event delivered (the seeding's reports are not under test)."""
    engine = create_engine(db)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE outbox SET dispatched_at = CURRENT_TIMESTAMP"))
    await engine.dispose()


@QUEUES
async def test_two_workers_send_each_due_reminder_once(
    queue_url: str, pg_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    issues = await seed_slack_issues(pg_db, 1000, channels=100, reminders=ALWAYS_REMIND)
    await forget_outbox(pg_db)
    env = argus_env(pg_db, slack, ARGUS_QUEUE_URL=queue_url, ARGUS_REMINDER_INTERVAL_SECONDS="1")
    procs.worker(env)
    procs.worker(env)
    await asyncio.to_thread(slack.wait_for_posts, 1000, 120)
    await asyncio.sleep(4)  # several more reminder periods pass on both workers
    assert all(p.text.startswith("Reminder:") for p in slack.posts)
    per_thread = Counter(p.thread_ts for p in slack.posts)
    assert len(per_thread) == 1000
    assert set(per_thread.values()) == {1}
    assert {i.slack.thread_ts for i in issues if i.slack} == set(per_thread)
    log = procs.output()
    assert "took back" not in log
    assert "Traceback" not in log


@QUEUES
async def test_events_committed_while_nothing_ran_are_delivered_later(
    queue_url: str, pg_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    env = argus_env(pg_db, slack, ARGUS_QUEUE_URL=queue_url)
    port = free_port()
    web = procs.serve(env, port)  # with a queue URL the web process queues nothing itself
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as client:
        login = await client.post("/api/auth/dev-login", json={"email": "admin@example.com"})
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        await seed_slack_issues(pg_db, 3, channels=1)
        team = (await client.get("/api/teams")).json()[0]
        issue = (await client.get("/api/issues", params={"team_id": team["id"]})).json()["items"][0]
        changed = await client.post(f"/api/issues/{issue['id']}/resolve", json={"reason": "fixed"})
        assert changed.status_code == 200
    web.kill()  # dies right after its commits; no worker has run yet
    web.wait()
    assert slack.posts == []

    procs.worker(env)
    await asyncio.to_thread(slack.wait_for_posts, 4, 60)  # 3 reports + 1 resolve
    await asyncio.sleep(2)
    assert len(slack.posts) == 4
    assert any("resolved" in p.text and "fixed" in p.text for p in slack.posts)


async def test_the_embedded_server_delivers_what_was_committed_before_it_started(
    sqlite_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    await seed_slack_issues(sqlite_db, 5, channels=2)
    procs.serve(argus_env(sqlite_db, slack), free_port())
    await asyncio.to_thread(slack.wait_for_posts, 5, 30)
    await asyncio.sleep(1)
    assert len(set(slack.keys())) == len(slack.posts) == 5
