"""Slack intake across real processes: one issue per event however it is delivered, and
none lost when the process that acknowledged it dies."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa

from argus_adapters.sql import models as m
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from argus_core.domain.values import MemberRole
from tests.fake_slack import REPORTER_ID, FakeSlack
from tests.jobs.support import Processes, argus_env, sql_world
from tests.served import free_port
from tests.signed_slack import SIGNING_SECRET, deliver_event, mention
from tests.waiting import eventually

CHANNEL = "C0PAYMENTS"
THREAD = "1700000000.000100"


async def seed_payments(db: DatabaseSettings) -> None:
    """A Payments team of two agents with Slack ids (the keyword triage picks it)."""
    world, engine = sql_world(db)
    try:
        team = await world.team("Payments", "card payments, refunds and payouts")
        for name in ("Ana Agent", "Bo Agent"):
            await world.member(team, name, MemberRole.AGENT)
    finally:
        await engine.dispose()


async def issue_rows(db: DatabaseSettings) -> list[Any]:
    engine = create_engine(db)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                sa.select(m.IssueRow.id, m.IssueRow.number, m.IssueRow.slack_thread_ts)
            )
            return list(result)
    finally:
        await engine.dispose()


def slack_env(db: DatabaseSettings, slack: FakeSlack) -> dict[str, str]:
    return argus_env(db, slack, SLACK_SIGNING_SECRET=SIGNING_SECRET, ARGUS_JOB_CONCURRENCY="8")


async def test_one_mention_delivered_five_times_to_two_servers_is_one_issue(
    pg_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    await seed_payments(pg_db)
    slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
    env = slack_env(pg_db, slack)
    ports = [free_port(), free_port()]
    for port in ports:
        procs.serve(env, port)
    envelope = mention("Ev5x2", "payments API timing out for merchant 42", channel=CHANNEL,
                       ts=THREAD)  # fmt: skip

    async with httpx.AsyncClient(timeout=10) as client:
        codes = await asyncio.gather(
            *(deliver_event(client, ports[n % 2], envelope, retry=n) for n in range(5))
        )

    assert codes == [200] * 5
    [issue] = await eventually(lambda: issue_rows(pg_db), 30, "the issue")
    assert issue.slack_thread_ts == THREAD

    def direct_messages() -> list[Any]:
        return [p for p in slack.posts if p.channel.startswith("D")]

    async def assigned_and_told() -> list[Any]:
        dms = direct_messages()
        tracked = [p for p in slack.posts if p.thread_ts == THREAD and f"#{issue.number}" in p.text]
        return dms if dms and tracked else []

    await eventually(assigned_and_told, 30, "the thread reply and the DM")
    await asyncio.sleep(2)  # a duplicate, if any, would arrive now
    assert len(await issue_rows(pg_db)) == 1
    repeated = {k: n for k, n in Counter(slack.keys()).items() if n > 1}
    assert not repeated, f"posted more than once: {repeated}"
    assert len(direct_messages()) == 1  # one assignee, one DM
    assert {p.thread_ts for p in slack.posts if not p.channel.startswith("D")} == {THREAD}


async def test_a_mention_acknowledged_by_a_server_that_dies_is_handled_after_restart(
    sqlite_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    await seed_payments(sqlite_db)
    slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
    slack.lookup_delay = 30  # the job is still looking the reporter up when the kill lands
    env = slack_env(sqlite_db, slack)
    port = free_port()
    first = procs.serve(env, port)

    async with httpx.AsyncClient(timeout=10) as client:
        envelope = mention("EvKill", "refunds failing for every card", channel=CHANNEL, ts=THREAD)
        assert await deliver_event(client, port, envelope, retry=0) == 200
    await eventually(lambda: _looked_up(slack), 30, "the job to start")
    first.kill()  # SIGKILL right after the acknowledgement: nothing was created yet
    first.wait()
    assert await issue_rows(sqlite_db) == []

    slack.lookup_delay = 0
    procs.serve(env, port)
    [issue] = await eventually(lambda: issue_rows(sqlite_db), 60, "the issue after restart")
    assert issue.slack_thread_ts == THREAD


async def _looked_up(slack: FakeSlack) -> bool:
    return bool(slack.calls_to("users.info"))
