"""Slack intake: how fast ``/slack/events`` acknowledges, and how soon a thread hears back.

    uv run python bench/slack_intake.py                  # PostgreSQL, 100 events/s
    uv run python bench/slack_intake.py --rate 200 --seconds 20

Three set-ups, each on a fresh PostgreSQL schema: ``web`` (the web process alone, its
jobs left in Redis: what taking an event in costs), ``workers`` (one web process and
one ``argus worker`` on SAQ/Redis running the jobs, both on this machine's two cores)
and ``embedded`` (one ``argus serve`` running its jobs itself, as ``argus demo``).

Acknowledgement: signed ``app_mention`` events are sent open-loop at ``--rate`` per
second for ``--seconds``, while the only categorizer takes ``--slow-seconds`` (30 s) per
report, so triage jobs pile up behind it as the events keep coming. Reported as
p50/p99/max of the time to the 200 (after one second of the same load to warm the
connection pools up), beside ``/api/live`` (no database) at the same rate in the same
run: the ratio says what storing the receipt and queueing the job cost.

Mention to reply: with an instant categorizer (the keyword rules), ``--mentions``
reports are sent ``--spacing-ms`` apart, each in a channel of its own; for each, the time
from sending the event to the first message Argus posts in its thread (the card; the
fake Slack Web API records when).

Slack's Web API is the fake from ``tests/fake_slack.py``, served on 127.0.0.1 in this
process; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
import uvicorn
from dishka import Provider, Scope, provide

from argus_core.chain import ProviderChain, Step
from argus_core.ports import Categorizer, Triage, TriageRequest
from argus_web.app import create_app, quiet_gc
from argus_web.settings import Settings
from argus_web.worker import run_worker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake Slack lives with the tests

from floor import percentile  # noqa: E402

from argus_adapters.sql.engine import create_engine  # noqa: E402
from argus_adapters.sql.migrate import upgrade_async  # noqa: E402
from argus_adapters.sql.settings import DatabaseSettings  # noqa: E402
from argus_adapters.sql.uow import SqlUnitOfWork  # noqa: E402
from tests.databases import drop_schema  # noqa: E402
from tests.fake_slack import REPORTER_ID, FakeSlack  # noqa: E402
from tests.served import free_port  # noqa: E402
from tests.signed_slack import SIGNING_SECRET, encoded, mention, signed_headers  # noqa: E402
from tests.world import World  # noqa: E402

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/9"
SETUPS = {  # name: (ARGUS_QUEUE_URL, start an argus worker, what it is)
    "web": (REDIS, False, "the web process alone; its jobs wait in Redis"),
    "workers": (REDIS, True, "web + argus worker on the same 2 cores, SAQ on Redis"),
    "embedded": (None, False, "argus serve running its jobs itself"),
}


# --------------------------------------------------------------------------- the server


class SlowCategorizer:
    """Answers after ``seconds``, like an LLM having a bad day."""

    name = "slow"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def categorize(self, request: TriageRequest) -> Triage | None:
        await asyncio.sleep(self.seconds)
        return Triage(team_name=request.teams[0].name if request.teams else None)


def slow_triage(seconds: float) -> list[Provider]:
    """The container override making triage take ``seconds`` (none when 0)."""
    if seconds <= 0:
        return []

    class Slow(Provider):
        scope = Scope.APP

        @provide
        def categorizers(self) -> ProviderChain[Categorizer]:
            step = Step(name="slow", provider=SlowCategorizer(seconds), timeout=seconds + 5)
            return ProviderChain([step])  # type: ignore[list-item]

    return [Slow()]


def serve(port: int, slow_seconds: float) -> None:
    """``argus serve``'s app (with its own job runner unless ``ARGUS_QUEUE_URL`` is set)."""
    app = create_app(Settings.from_env(), *slow_triage(slow_seconds), background=True)
    quiet_gc()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def work(slow_seconds: float) -> None:
    """``argus worker`` with the same triage."""
    settings = Settings.from_env()
    asyncio.run(run_worker(settings, *slow_triage(slow_seconds), concurrency=10, sweep_seconds=5))


# --------------------------------------------------------------------------- the driver


def environment(db: DatabaseSettings, slack: FakeSlack, queue_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGUS_", "SLACK_"))}
    env |= {
        "ARGUS_DATABASE_URL": db.url,
        "DB_SCHEMA": db.schema,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.base_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ARGUS_JOB_CONCURRENCY": "8",
    }
    return env | ({"ARGUS_QUEUE_URL": queue_url} if queue_url else {})


def start(env: dict[str, str], port: int, slow: float, worker: bool) -> list[Any]:
    """The web process (and a worker if asked), once the web process is ready."""
    role = [sys.executable, __file__, "--slow-seconds", str(slow)]
    started = [subprocess.Popen([*role, "--serve", str(port)], env=env)]
    if worker:
        started.append(subprocess.Popen([*role, "--work"], env=env))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/ready", timeout=1).status_code == 200:
                return started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop(started)
    raise RuntimeError("the server did not start")


def stop(started: list[Any]) -> None:
    for process in started:
        process.kill()
        process.wait()


async def open_loop(rate: float, seconds: float, send: Any) -> list[float]:
    """Call ``send(n)`` at ``rate`` per second whatever the answers' pace; latencies (s)."""
    latencies: list[float] = []

    async def one(n: int) -> None:
        started = time.perf_counter()
        await send(n)
        latencies.append(time.perf_counter() - started)

    tasks = []
    begin = time.perf_counter()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, begin + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    return latencies


def figures(latencies: list[float]) -> str:
    if not latencies:
        return "no samples"
    ms = sorted(x * 1000 for x in latencies)
    return (
        f"p50 {percentile(ms, 50):6.1f} ms  p99 {percentile(ms, 99):6.1f} ms  "
        f"max {ms[-1]:6.1f} ms  (n={len(ms)})"
    )


async def acknowledgements(port: int, rate: float, seconds: float) -> None:
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def live(_: int) -> None:
            response = await client.get(f"{base}/api/live")
            assert response.status_code == 200, response.text

        async def event(n: int) -> None:
            ts = f"{1_700_000_000 + n}.000100"
            body = encoded(mention(f"EvB{uuid.uuid4().hex}", f"payments down {n}", ts=ts))
            headers = {"Content-Type": "application/json", **signed_headers(body)}
            response = await client.post(f"{base}/slack/events", content=body, headers=headers)
            assert response.status_code == 200, response.text

        baseline = await open_loop(rate, min(seconds, 5), live)
        await open_loop(rate, 1, event)  # warm-up: the pool's connections open here
        acks = await open_loop(rate, seconds, event)
    p99 = percentile(sorted(acks), 99) / max(percentile(sorted(baseline), 99), 1e-9)
    print(f"/api/live      {figures(baseline)}")
    print(f"/slack/events  {figures(acks)}   p99 ratio to /api/live {p99:.1f}x")


async def mention_to_reply(port: int, slack: FakeSlack, count: int, spacing_ms: float) -> None:
    base = f"http://127.0.0.1:{port}"
    sent: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(count):
            ts = f"{1_800_000_000 + n}.000100"
            # A channel each: Slack allows about one post a second per channel, so many
            # reports in one channel measure that pacing, not Argus.
            envelope = mention(f"EvR{uuid.uuid4().hex}", f"refunds failing {n}", ts=ts,
                               channel=f"C{n:05d}")  # fmt: skip
            body = encoded(envelope)
            sent[ts] = time.monotonic()
            headers = {"Content-Type": "application/json", **signed_headers(body)}
            await client.post(f"{base}/slack/events", content=body, headers=headers)
            await asyncio.sleep(spacing_ms / 1000)
    deadline = time.monotonic() + 120
    first: dict[str, float] = {}
    while len(first) < count and time.monotonic() < deadline:
        for post in list(slack.posts):
            if post.thread_ts in sent and post.thread_ts not in first:
                first[post.thread_ts] = post.at
        await asyncio.sleep(0.05)
    delays = [first[ts] - sent[ts] for ts in first]
    print(f"mention -> first thread reply  {figures(delays)}  ({count - len(first)} missing)")


async def run(args: argparse.Namespace) -> None:
    print(f"{os.cpu_count()} cores; PostgreSQL 127.0.0.1; fake Slack in this process")
    for name in args.setups:
        queue_url, worker, what = SETUPS[name]
        print(f"== {name}: {what}")
        async with fresh(queue_url) as (db, slack):
            print(f"-- categorizer takes {args.slow_seconds:.0f} s; {args.rate:.0f} events/s")
            env = environment(db, slack, queue_url)
            started = start(env, port := free_port(), args.slow_seconds, worker)
            try:
                await acknowledgements(port, args.rate, args.seconds)
            finally:
                stop(started)
        if name == "web":
            continue  # nothing runs the jobs: no reply to wait for
        async with fresh(queue_url) as (db, slack):
            print(f"-- keyword categorizer; a mention every {args.spacing_ms:.0f} ms")
            started = start(environment(db, slack, queue_url), port := free_port(), 0, worker)
            try:
                await mention_to_reply(port, slack, args.mentions, args.spacing_ms)
            finally:
                stop(started)


@contextlib.asynccontextmanager
async def fresh(queue_url: str | None) -> AsyncIterator[tuple[DatabaseSettings, FakeSlack]]:
    """A migrated schema with a team of ten, an empty queue and a fake Slack."""
    db = DatabaseSettings(url=PG, schema=f"argus_bench_slack_{uuid.uuid4().hex[:6]}")
    await upgrade_async(db)
    await seed_team(db)
    if queue_url:
        client = aioredis.Redis.from_url(queue_url)
        await client.flushdb()
        await client.aclose()
    try:
        with FakeSlack() as slack:
            slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
            yield db, slack
    finally:
        await drop_schema(db.schema)


async def seed_team(db: DatabaseSettings) -> None:
    engine = create_engine(db)
    try:
        world = World(lambda: SqlUnitOfWork(engine))
        team = await world.team("Payments", "card payments and refunds")
        for n in range(10):
            await world.member(team, f"Agent {n}")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--slow-seconds", type=float, default=30)
    parser.add_argument("--mentions", type=int, default=50)
    parser.add_argument("--spacing-ms", type=float, default=200)
    parser.add_argument("--setups", nargs="+", choices=list(SETUPS), default=list(SETUPS))
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.slow_seconds)
    elif args.work:
        work(args.slow_seconds)
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
