"""Socket Mode in ``argus serve``'s app (in this event loop) over a real websocket on
127.0.0.1, with the fake Slack Web API and the fake Socket Mode endpoint, on SQLite: a
mention is stored before it is acknowledged, becomes one issue, and survives a drop."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from argus_adapters.sql.settings import DatabaseSettings
from argus_web.app import create_app
from argus_web.settings import Settings, SlackSettings
from tests.databases import sqlite_copy
from tests.fake_slack import BOT_USER_ID, REPORTER_ID, FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.signed_slack import mention as slack_mention

CHANNEL = "C0INCIDENTS"


@dataclass
class Argus:
    """``argus serve``'s app running in this event loop, and what it talks to."""

    client: AsyncTestClient[Litestar]
    slack: FakeSlack
    socket: FakeSocketMode
    db_path: Path

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """A query on the database file, from any thread (the fake's ``on_ack`` too)."""
        with contextlib.closing(sqlite3.connect(self.db_path)) as conn:
            return conn.execute(sql, args).fetchall()

    def issues(self) -> list[tuple[Any, ...]]:
        return self.rows("SELECT number, title, slack_thread_ts FROM issues ORDER BY number")

    async def settle(self, within: float = 10) -> None:
        """Let the jobs a test set off (triage, RCA, notifications) finish, so the app
        stops with no job half-way through a database call."""
        with contextlib.suppress(AssertionError):
            await self.wait_for(
                lambda: not self.rows("SELECT 1 FROM jobs WHERE status IN ('queued', 'running')"),
                "the jobs to finish",
                within,
            )

    async def wait_for(self, check: Callable[[], bool], what: str, within: float = 15) -> None:
        deadline = time.monotonic() + within
        while not check():
            assert time.monotonic() < deadline, f"waited {within}s for {what}"
            await asyncio.sleep(0.05)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
        yield fake


@pytest.fixture
def socket_mode(slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as fake:
        slack.socket_url = fake.url
        yield fake


@pytest.fixture
async def argus(
    tmp_path: Path, sqlite_template: Path, slack: FakeSlack, socket_mode: FakeSocketMode
) -> AsyncIterator[Argus]:
    db: DatabaseSettings = sqlite_copy(sqlite_template, tmp_path)
    settings = Settings(
        database=db,
        admin_emails=("admin@example.com",),
        static_dir=tmp_path,
        slack=SlackSettings(
            bot_token=slack.token, api_url=slack.base_url, app_token=slack.app_token
        ),
        job_retry_delay_seconds=0.2,
    )
    async with AsyncTestClient(create_app(settings, background=True)) as client:
        await socket_mode.wait_for_connections(1)
        argus = Argus(client, slack, socket_mode, Path(db.url.split("///", 1)[1]))
        yield argus
        await argus.settle()


async def test_a_mention_is_stored_before_its_ack_and_becomes_an_issue(argus: Argus) -> None:
    ts = argus.slack.add_message(CHANNEL, f"<@{BOT_USER_ID}> payments API timing out")
    stored_at_ack: list[tuple[int, int]] = []
    argus.socket.on_ack = lambda _: stored_at_ack.append(
        (
            len(argus.rows("SELECT 1 FROM slack_event_receipts WHERE event_id = 'slack:Ev01'")),
            len(argus.rows("SELECT 1 FROM jobs WHERE key = 'intake:slack:Ev01'")),
        )
    )

    envelope_id = argus.socket.send(
        "events_api", slack_mention("Ev01", "payments API timing out", ts=ts, channel=CHANNEL)
    )

    ack = await argus.socket.wait_for_ack(envelope_id)
    assert ack == {"envelope_id": envelope_id}  # an event's ack carries no payload
    assert stored_at_ack == [(1, 1)]  # receipt and job were in the database by then
    await argus.wait_for(lambda: len(argus.issues()) == 1, "the issue")
    [(number, title, thread_ts)] = argus.issues()
    assert (title, thread_ts) == ("payments API timing out", ts)
    await argus.wait_for(
        lambda: any(f"#{number}" in m.text for m in argus.slack.messages_in(CHANNEL, ts)[1:]),
        "the thread reply",
    )


async def test_a_redelivered_envelope_makes_no_second_issue(argus: Argus) -> None:
    ts = argus.slack.add_message(CHANNEL, f"<@{BOT_USER_ID}> disk full on db-1")

    first = argus.socket.send(
        "events_api", slack_mention("Ev02", "disk full on db-1", ts=ts, channel=CHANNEL)
    )
    await argus.socket.wait_for_ack(first)
    await argus.wait_for(lambda: len(argus.issues()) == 1, "the issue")
    again = argus.socket.send(
        "events_api", slack_mention("Ev02", "disk full", ts=ts, channel=CHANNEL), retry_attempt=1
    )

    await argus.socket.wait_for_ack(again)  # answered like the first
    await asyncio.sleep(0.5)  # room for a wrong second job to run
    assert [title for _, title, _ in argus.issues()] == ["disk full on db-1"]


async def test_a_dropped_connection_reconnects_and_delivers_again(argus: Argus) -> None:
    argus.socket.drop()

    await argus.socket.wait_for_connections(2)
    ts = argus.slack.add_message(CHANNEL, f"<@{BOT_USER_ID}> search is slow")
    envelope_id = argus.socket.send(
        "events_api", slack_mention("Ev03", "search is slow", ts=ts, channel=CHANNEL)
    )
    await argus.socket.wait_for_ack(envelope_id)
    await argus.wait_for(lambda: len(argus.issues()) == 1, "the issue")
    assert len(argus.slack.calls_to("apps.connections.open")) == 2  # a fresh URL each time
