"""Slack's rate limits and outages through the real job path (``argus serve``, its
embedded runner running several notify jobs at once): nothing is lost, nothing comes
twice, every thread hears its issue's events in order."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import Counter
from uuid import UUID

import httpx
import pytest

from argus_adapters.sql.settings import DatabaseSettings
from argus_core.domain.issue import Issue, SlackRef
from argus_core.domain.team import Team
from argus_core.domain.values import Status
from argus_core.notifications import compose
from argus_core.usecases.teams import NewMember, NewTeam
from tests.fake_slack import FakeMessage, FakeSlack
from tests.jobs.support import Processes, argus_env, sql_world
from tests.served import free_port
from tests.world import ADMIN, World

ISSUES = 3
QUICK_RETRIES = {"ARGUS_JOB_RETRY_DELAY_SECONDS": "0.3", "ARGUS_JOB_CONCURRENCY": "8"}


async def team_with_alice(world: World) -> Team:
    team = await world.teams.create(ADMIN, NewTeam(name=f"Ops {uuid.uuid4().hex[:6]}"))
    await world.teams.add_member(
        ADMIN,
        team.id,
        NewMember(name="Alice", email="alice@example.com", slack_user_id="UALICE"),
    )
    return team


async def busy_threads(db: DatabaseSettings) -> dict[str, list[str]]:
    """Three Slack issues in three channels, five events each (report, assignment and
    three status changes); each thread's expected reply keys in event order."""
    world, engine = sql_world(db)
    try:
        team = await team_with_alice(world)
        issues: list[Issue] = []
        for n in range(ISSUES):
            slack = SlackRef(channel_id=f"C{n:04d}", thread_ts=f"1600000000.{n:06d}")
            issue = await world.report(team, title=f"Queue stuck {n}", slack=slack)
            await world.issues.change_status(ADMIN, issue.id, Status.IN_PROGRESS)
            await world.issues.resolve(ADMIN, issue.id, "restarted the consumer")
            await world.issues.reopen(ADMIN, issue.id)
            issues.append(issue)
        async with world.uow() as uow:
            events = list(await uow.outbox.pending(1000))
        expected: dict[str, list[str]] = {}
        for issue in issues:
            assert issue.slack is not None
            mine = [e for e in events if e.issue_id == issue.id]
            assert len(mine) == 5
            expected[issue.slack.thread_ts] = [
                f"{e.id}:thread"
                for e in mine
                if compose(e, issue, {}, team_name=None, link="").thread_text is not None
            ]
        return expected
    finally:
        await engine.dispose()


def replies_by_thread(slack: FakeSlack) -> dict[str, list[FakeMessage]]:
    """Each thread's event replies (not its card, not DMs), in the order they landed."""
    threads: dict[str, list[FakeMessage]] = {}
    for post in slack.posts:
        key = post.idempotency_key or ""
        if post.thread_ts is not None and key.endswith(":thread"):
            threads.setdefault(post.thread_ts, []).append(post)
    return threads


def assert_each_once(slack: FakeSlack) -> None:
    repeated = {k: n for k, n in Counter(slack.keys()).items() if n > 1}
    assert not repeated, f"posted more than once: {repeated}"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_429_storm_delivers_every_message_once_in_order_per_thread(
    backend: str,
    sqlite_db: DatabaseSettings,
    pg_db: DatabaseSettings,
    slack: FakeSlack,
    procs: Processes,
) -> None:
    db = sqlite_db if backend == "sqlite" else pg_db
    expected = await busy_threads(db)
    replies = sum(len(keys) for keys in expected.values())
    # Per issue: the card, the replies and Alice's DM of her assignment.
    total = replies + 2 * ISSUES
    slack.ratelimit_next = 15  # the first 15 posts, wherever they go, answer 429
    slack.retry_after = 1

    procs.serve(argus_env(db, slack, **QUICK_RETRIES), free_port())
    live = time.monotonic()
    await asyncio.to_thread(slack.wait_for_posts, total, 120)
    took = max(p.at for p in slack.posts) - live
    await asyncio.sleep(2)  # a duplicate, if any, would arrive now

    assert_each_once(slack)
    assert len(slack.posts) == total
    threads = replies_by_thread(slack)
    assert {t: [m.idempotency_key for m in ms] for t, ms in threads.items()} == expected
    assert len(slack.limited) == 15
    for channel, limited_at in slack.limited:  # each 429 was waited out (Retry-After 1)
        later = [p.at for p in slack.posts if p.channel == channel and p.at > limited_at]
        assert not later or min(later) - limited_at >= 0.9, (channel, limited_at, later)
    gaps = [b.at - a.at for ms in threads.values() for a, b in itertools.pairwise(ms)]
    assert min(gaps) >= 0.9  # one post a second per channel (the default)
    print(
        f"\n429 storm on {backend}: {total} posts {took:.1f} s after start, gaps {min(gaps):.2f} s+"
    )


async def test_while_slack_is_down_issues_are_created_and_told_once_it_is_back(
    sqlite_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    world, engine = sql_world(sqlite_db)
    try:
        team = await team_with_alice(world)
    finally:
        await engine.dispose()
    port = free_port()
    procs.serve(argus_env(sqlite_db, slack, **QUICK_RETRIES), port)

    slack.go_down()
    down_at = time.monotonic()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        login = await client.post("/api/auth/dev-login", json={"email": "admin@example.com"})
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        created: list[UUID] = []
        for n in range(3):
            answer = await client.post(
                "/api/issues", json={"title": f"Payments slow {n}", "team_id": str(team.id)}
            )
            assert answer.status_code == 201, answer.text
            created.append(UUID(answer.json()["id"]))
    world, engine = sql_world(sqlite_db)
    try:  # and one from a Slack thread: its card waits too
        thread = SlackRef(channel_id="C0OPS", thread_ts="1600000000.000100")
        await world.report(team, title="Checkout down", slack=thread)
    finally:
        await engine.dispose()
    assert time.monotonic() - down_at < 2  # nothing waited for Slack
    await asyncio.sleep(2 - (time.monotonic() - down_at))
    attempts = len(slack.calls)
    slack.come_back()
    up_at = time.monotonic()

    # Alice's four DMs (one per assignment) and the Slack issue's card; Argus's own
    # assignment is shown on the card, not said again in the thread.
    posts = await asyncio.to_thread(slack.wait_for_posts, 5, 60)
    await asyncio.sleep(2)

    assert attempts > 0  # the jobs did try while Slack was down
    assert_each_once(slack)
    assert len(slack.posts) == 5
    assert all(p.at >= up_at for p in posts)
    assert [m.channel for m in slack.posts].count("DUALICE") == 4
    print(f"\nSlack down for 2 s: all told {max(p.at for p in posts) - up_at:.1f} s after")
