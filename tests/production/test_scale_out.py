"""Two web processes and two workers on one PostgreSQL, the queue on PostgreSQL and
then on Redis: 200 signed Slack mentions over 40 channels, spread over both web
processes and each delivered twice, become exactly 200 issues with one thread card each,
and the team's workloads end within 1 of each other."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from argus_adapters.sql import models as m
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from argus_core.domain.values import MemberRole
from tests.fake_slack import REPORTER_ID, FakeSlack
from tests.jobs.support import PG_QUEUE_URL, argus_env, processes, sql_world
from tests.production.own_servers import own_redis
from tests.served import free_port
from tests.signed_slack import SIGNING_SECRET, deliver_event, mention

MENTIONS = 200
CHANNELS = 40
AGENTS = 5


@contextmanager
def queue_url(kind: str) -> Iterator[str]:
    if kind == "postgres":
        yield PG_QUEUE_URL
        return
    with own_redis() as redis:
        yield redis.url


async def seed_team(db: DatabaseSettings) -> None:
    world, engine = sql_world(db)
    try:
        team = await world.team("Payments", "card payments, refunds and payouts")
        for n in range(AGENTS):
            await world.member(team, f"Agent {n}", MemberRole.AGENT)
    finally:
        await engine.dispose()


async def read(db: DatabaseSettings) -> tuple[list[Any], list[int]]:
    """The issues (id, Slack thread) and the agents' open-issue counts."""
    engine = create_engine(db)
    try:
        async with engine.connect() as conn:
            issues = list(await conn.execute(sa.select(m.IssueRow.id, m.IssueRow.slack_thread_ts)))
            loads = list(await conn.scalars(sa.select(m.MemberRow.open_issue_count)))
        return issues, loads
    finally:
        await engine.dispose()


def cards(slack: FakeSlack) -> list[Any]:
    return [p for p in slack.posts if (p.idempotency_key or "").startswith("card:")]


@pytest.mark.parametrize("queue", ["postgres", "redis"])
async def test_two_web_and_two_workers_make_each_mention_one_issue(
    queue: str, tmp_path: Path, pg_db: DatabaseSettings
) -> None:
    await seed_team(pg_db)
    with queue_url(queue) as url, FakeSlack() as slack, processes(tmp_path) as procs:
        slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
        env = argus_env(
            pg_db,
            slack,
            ARGUS_QUEUE_URL=url,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            ARGUS_SLACK_POSTS_PER_SECOND="50",  # the fake has no rate limit
        )
        ports = [free_port(), free_port()]
        for port in ports:
            procs.serve(env, port)
        for _ in range(2):
            procs.worker(env, concurrency=10)
        envelopes = [
            mention(
                f"EvScale{n:04d}",
                f"payments API timing out for merchant {n}",
                channel=f"C{n % CHANNELS:04d}",
                ts=f"1700000000.{n:06d}",
            )
            for n in range(MENTIONS)
        ]
        began = time.monotonic()
        gate = asyncio.Semaphore(20)

        async def twice(n: int, envelope: dict[str, Any]) -> list[int]:
            async with gate:  # the first delivery to one process, Slack's retry to the other
                return [
                    await deliver_event(client, ports[n % 2], envelope, retry=0),
                    await deliver_event(client, ports[(n + 1) % 2], envelope, retry=1),
                ]

        async with httpx.AsyncClient(timeout=10) as client:
            codes = await asyncio.gather(*(twice(n, e) for n, e in enumerate(envelopes)))
        assert Counter(c for pair in codes for c in pair) == {200: 2 * MENTIONS}

        deadline = time.monotonic() + 150
        while len(cards(slack)) < MENTIONS:
            assert time.monotonic() < deadline, f"{len(cards(slack))} cards of {MENTIONS}"
            await asyncio.sleep(0.25)
        took = time.monotonic() - began
        await asyncio.sleep(2)  # a duplicate, if any, would arrive now
        issues, loads = await read(pg_db)
        posted = cards(slack)

    print(f"\n{queue}: {MENTIONS} mentions x2 to 2 web + 2 workers: all carded in {took:.1f} s")
    assert len(issues) == MENTIONS
    assert {thread for _, thread in issues} == {e["event"]["ts"] for e in envelopes}
    keys = Counter(p.idempotency_key for p in posted)
    assert len(keys) == MENTIONS
    assert set(keys.values()) == {1}
    thread_of = {f"card:{issue_id}": thread for issue_id, thread in issues}
    assert all(p.thread_ts == thread_of[p.idempotency_key] for p in posted)
    assert sum(loads) == MENTIONS
    assert max(loads) - min(loads) <= 1, loads
