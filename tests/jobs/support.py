"""Real processes for the background-work tests: workers, ``argus serve``, seeded data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.issue import Issue, SlackRef
from argus_core.domain.team import ReminderSettings
from argus_core.usecases.teams import NewTeam
from tests.fake_slack import FakeSlack
from tests.world import ADMIN, World

ARGUS = str(Path(sys.executable).with_name("argus"))
PG_QUEUE_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_QUEUE_URL = "redis://127.0.0.1:6379/7"  # a database of its own, flushed per test
ALWAYS_REMIND = ReminderSettings(frequency_minutes=60, start_hour=0, end_hour=0)


def flush_redis() -> None:
    client = redis.Redis.from_url(REDIS_QUEUE_URL)
    client.flushdb()
    client.close()


def argus_env(db: DatabaseSettings, slack: FakeSlack, **extra: str) -> dict[str, str]:
    """The environment of an Argus process on ``db`` that talks to the fake Slack."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ARGUS_", "SLACK_", "DB_", "ADMIN_"))
    }
    env |= {
        "ARGUS_DATABASE_URL": db.url,
        "DB_SCHEMA": db.schema,
        "ARGUS_ENV": "embedded",
        "ADMIN_EMAILS": "admin@example.com",
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.base_url,
    }
    return env | extra


class Processes:
    """Argus processes started by a test; every one is killed at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"argus-{len(self.started)}.log").open("wb") as log:
            process = subprocess.Popen(
                [ARGUS, *args], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        return process

    def worker(self, env: dict[str, str], concurrency: int = 10) -> subprocess.Popen[bytes]:
        return self.start(
            ["worker", "--concurrency", str(concurrency), "--sweep-seconds", "1"], env
        )

    def serve(self, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
        process = self.start(["serve", "--port", str(port)], env)
        wait_until_live(port, process)
        return process

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@contextmanager
def processes(logs: Path) -> Iterator[Processes]:
    running = Processes(logs)
    try:
        yield running
    finally:
        running.stop_all()


def wait_until_live(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Wait for ``/api/live``; a loaded CI box has been seen to need more than 30 s to
    import and start the app (the process exiting fails at once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"argus serve exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("argus serve did not start")


def sql_world(db: DatabaseSettings) -> tuple[World, AsyncEngine]:
    """A world on ``db`` (and the engine to dispose of)."""
    engine = create_engine(db)

    return World(lambda: SqlUnitOfWork(engine)), engine


async def seed_slack_issues(
    db: DatabaseSettings, count: int, channels: int, reminders: ReminderSettings | None = None
) -> list[Issue]:
    """A team with nobody in it and ``count`` issues reported in Slack threads spread over
    ``channels`` channels; each report's notification is one thread post.

    The issues are reported at the world's clock, long before the workers' real one, so
    with reminders on they would all be overdue and, in the team's working hours, every
    thread would get a reminder too: reminders are off unless ``reminders`` says."""
    world, engine = sql_world(db)
    try:
        team = await world.teams.create(
            ADMIN,
            NewTeam(
                name=f"Ops {uuid.uuid4().hex[:6]}",
                reminders=reminders or ReminderSettings(enabled=False),
            ),
        )
        return [
            await world.report(
                team,
                title=f"Queue stuck {n}",
                slack=SlackRef(channel_id=f"C{n % channels:04d}", thread_ts=f"1600000000.{n:06d}"),
            )
            for n in range(count)
        ]
    finally:
        await engine.dispose()
