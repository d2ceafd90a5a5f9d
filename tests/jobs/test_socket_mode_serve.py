"""``argus serve`` and ``argus worker`` with ``SLACK_APP_TOKEN``, as real processes: Slack's
mentions arrive over a (fake) Socket Mode websocket, and a server killed right after
acknowledging loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from tests.fake_slack import REPORTER_ID, FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.jobs.support import REDIS_QUEUE_URL, Processes, argus_env
from tests.served import free_port
from tests.signed_slack import mention as slack_mention
from tests.waiting import eventually

CHANNEL = "C0INCIDENTS"


@pytest.fixture
def socket_mode(slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as fake:
        slack.socket_url = fake.url
        yield fake


def issues(db: DatabaseSettings) -> list[tuple[str, str]]:
    path = db.url.split("///", 1)[1]
    if not Path(path).exists():
        return []
    with contextlib.closing(sqlite3.connect(path)) as conn:
        try:
            return conn.execute("SELECT title, slack_thread_ts FROM issues").fetchall()
        except sqlite3.OperationalError:  # not migrated yet
            return []


def wait_until(check: Any, what: str, within: float = 30) -> Any:
    deadline = time.monotonic() + within
    while not (found := check()):
        assert time.monotonic() < deadline, f"waited {within}s for {what}"
        time.sleep(0.1)
    return found


def test_argus_serve_takes_mentions_in_over_socket_mode_and_survives_a_kill_after_the_ack(
    tmp_path: Path, slack: FakeSlack, socket_mode: FakeSocketMode, procs: Processes
) -> None:
    db = DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'argus.db'}")
    env = argus_env(db, slack, SLACK_APP_TOKEN=slack.app_token)
    slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
    first = procs.serve(env, free_port())
    socket_mode.wait_for_connections_blocking(1)

    # Killed the moment its ack arrives, while its job is still looking the reporter up:
    # only the receipt and the job stored before the ack are left.
    slack.lookup_delay = 30
    socket_mode.on_ack = lambda _: os.kill(first.pid, signal.SIGKILL)
    ts = slack.add_message(CHANNEL, "checkout is down")
    envelope_id = socket_mode.send(
        "events_api", slack_mention("EvServe1", "checkout is down", ts=ts, channel=CHANNEL)
    )
    socket_mode.wait_for_ack_blocking(envelope_id)
    first.wait(timeout=10)
    socket_mode.on_ack = None
    assert first.returncode == -signal.SIGKILL
    assert issues(db) == []

    slack.lookup_delay = 0
    procs.serve(env, free_port())  # the restarted process finds the job and runs it

    assert wait_until(lambda: issues(db), "the issue") == [("checkout is down", ts)]
    wait_until(lambda: len(slack.messages_in(CHANNEL, ts)) > 1, "the thread reply")
    socket_mode.wait_for_connections_blocking(2)
    later = slack.add_message(CHANNEL, "search is slow")
    second = socket_mode.send(
        "events_api", slack_mention("EvServe2", "search is slow", ts=later, channel=CHANNEL)
    )
    socket_mode.wait_for_ack_blocking(second)
    wait_until(lambda: len(issues(db)) == 2, "the second issue")
    assert procs.started[-1].poll() is None
    procs.started[-1].send_signal(signal.SIGTERM)  # stops cleanly, Socket Mode included
    procs.started[-1].wait(timeout=30)  # uvicorn ends by re-raising the signal it caught
    output = procs.output()
    assert "Application shutdown complete." in output
    assert "Traceback" not in output


async def test_argus_worker_takes_mentions_in_over_socket_mode(
    pg_db: DatabaseSettings, slack: FakeSlack, socket_mode: FakeSocketMode, procs: Processes
) -> None:
    env = argus_env(pg_db, slack, SLACK_APP_TOKEN=slack.app_token, ARGUS_QUEUE_URL=REDIS_QUEUE_URL)
    slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
    worker = procs.worker(env)
    await asyncio.to_thread(socket_mode.wait_for_connections_blocking, 1)

    ts = slack.add_message(CHANNEL, "ledger is off by a cent")
    envelope_id = socket_mode.send(
        "events_api", slack_mention("EvWorker", "ledger is off by a cent", ts=ts, channel=CHANNEL)
    )
    await socket_mode.wait_for_ack(envelope_id)

    [(title, thread)] = await eventually(lambda: pg_issues(pg_db), 60, "the issue")
    assert (title, thread) == ("ledger is off by a cent", ts)

    async def card_posted() -> bool:
        return any(m.thread_ts == ts and m.blocks for m in slack.posts)

    # Stop once the issue's jobs are through: a job cancelled in a database call makes
    # SQLAlchemy log the connection it could not close (CI saw that traceback here).
    await eventually(card_posted, 60, "the card")
    await asyncio.sleep(2)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    assert "Traceback" not in procs.output()
    assert socket_mode.open_connections == 0


async def pg_issues(db: DatabaseSettings) -> list[tuple[str, str]]:
    engine = create_engine(db)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.text("SELECT title, slack_thread_ts FROM issues"))
            return [(r[0], r[1]) for r in rows]
    finally:
        await engine.dispose()
