"""SIGTERM during slow jobs: ``argus serve`` (embedded runner) and ``argus worker`` (SAQ
on PostgreSQL) stop within moments and hand their running jobs back, which a restarted
or second process then finishes, each Slack post made exactly once; and SIGTERM during
a slow request: ``argus serve`` stops accepting and still answers it."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import sqlalchemy as sa
from saq import Queue

from argus_adapters.saq_jobs import make_queue
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from tests.databases import sqlite_copy
from tests.fake_slack import FakeSlack
from tests.jobs.support import PG_QUEUE_URL, argus_env, processes, seed_slack_issues
from tests.production.running import sign_in, wait_for
from tests.served import free_port

ISSUES = 12
POST_SECONDS = 2.0  # each notification job takes this long: SIGTERM lands mid-job
STOPS_WITHIN = 20.0  # seconds; uvicorn cuts open streams after 10


def each_posted_once(slack: FakeSlack) -> None:
    keys = Counter(slack.keys())
    assert {k: n for k, n in keys.items() if n > 1} == {}
    assert len(keys) == ISSUES


async def notify_statuses(queue: Queue) -> Counter[str]:
    """How many notification jobs SAQ holds in each status; ``attempted``: how many of
    those waiting (queued or active) have been started before."""
    await queue.connect()
    info = await queue.info(jobs=True)
    jobs = [job for job in info["jobs"] if job["function"] == "notify"]
    found = Counter(str(getattr(job["status"], "value", job["status"])) for job in jobs)
    found["attempted"] = sum(1 for job in jobs if job.get("attempts"))
    return found


def terminate(process: object) -> float:
    """SIGTERM, then the seconds until the process exited."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)  # type: ignore[attr-defined]
    process.wait(timeout=STOPS_WITHIN + 10)  # type: ignore[attr-defined]
    return time.monotonic() - began


async def test_sigterm_hands_the_embedded_runners_jobs_back(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = sqlite_copy(sqlite_template, tmp_path)
    await seed_slack_issues(db, ISSUES, channels=ISSUES)
    engine = create_engine(db)

    async def running_notifications() -> int:
        async with engine.connect() as conn:
            query = "SELECT count(*) FROM jobs WHERE status = 'running' AND name = 'notify'"
            return int(await conn.scalar(sa.text(query)) or 0)

    try:
        with FakeSlack() as slack, processes(tmp_path) as procs:
            slack.post_delay = POST_SECONDS
            # No grace: the jobs are in the middle of their posts when they are stopped.
            env = argus_env(db, slack, ARGUS_JOB_CONCURRENCY="4", ARGUS_SHUTDOWN_GRACE_SECONDS="0")
            port = free_port()
            first = procs.serve(env, port)
            deadline = time.monotonic() + 60
            while await running_notifications() < 2:
                assert time.monotonic() < deadline, "no notification started"
                await asyncio.sleep(0.1)
            assert await asyncio.to_thread(terminate, first) < STOPS_WITHIN
            assert len(slack.posts) < ISSUES
            assert await running_notifications() == 0  # handed back, not left leased
            assert "handed back" in procs.output()

            procs.serve(env, port)  # a restart finishes them, without waiting for leases
            await asyncio.to_thread(slack.wait_for_posts, ISSUES, 90)
            await asyncio.sleep(POST_SECONDS + 1)  # a duplicate, if any, would arrive now
            each_posted_once(slack)
    finally:
        await engine.dispose()


async def test_sigterm_lets_the_embedded_runners_jobs_finish_within_the_grace(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = sqlite_copy(sqlite_template, tmp_path)
    await seed_slack_issues(db, ISSUES, channels=ISSUES)
    engine = create_engine(db)

    async def jobs_by_status() -> Counter[str]:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.text("SELECT status FROM jobs WHERE name = 'notify'"))
            return Counter(status for (status,) in rows)

    try:
        with FakeSlack() as slack, processes(tmp_path) as procs:
            slack.post_delay = POST_SECONDS
            env = argus_env(db, slack, ARGUS_JOB_CONCURRENCY="4", ARGUS_SHUTDOWN_GRACE_SECONDS="10")
            first = procs.serve(env, free_port())
            deadline = time.monotonic() + 60
            while (await jobs_by_status())["running"] < 2:
                assert time.monotonic() < deadline, "no notification started"
                await asyncio.sleep(0.1)
            running = (await jobs_by_status())["running"]
            assert await asyncio.to_thread(terminate, first) < STOPS_WITHIN

            after = await jobs_by_status()
            assert after["running"] == 0
            assert after["done"] >= running  # what was running when told to stop finished
            assert "handed back" not in procs.output()
            assert len(set(slack.keys())) == len(slack.keys())  # each post once
    finally:
        await engine.dispose()


async def test_sigterm_hands_a_saq_workers_jobs_back(
    tmp_path: Path, pg_db: DatabaseSettings
) -> None:
    await seed_slack_issues(pg_db, ISSUES, channels=ISSUES)
    queue = make_queue(PG_QUEUE_URL, pg_db.schema)

    async def statuses() -> Counter[str]:
        return await notify_statuses(queue)

    try:
        with FakeSlack() as slack, processes(tmp_path) as procs:
            slack.post_delay = POST_SECONDS
            # No grace: the jobs are in the middle of their posts when they are stopped.
            env = argus_env(
                pg_db, slack, ARGUS_QUEUE_URL=PG_QUEUE_URL, ARGUS_SHUTDOWN_GRACE_SECONDS="0"
            )
            first = procs.worker(env, concurrency=4)
            await asyncio.to_thread(
                wait_for,
                lambda: len(slack.calls_to("chat.postMessage")) >= 2,
                60,
                "notifications to start posting",
            )
            assert await asyncio.to_thread(terminate, first) < STOPS_WITHIN
            assert len(slack.posts) < ISSUES
            left = await statuses()
            # Handed back to the queue. A job SAQ dequeued in the very moment it stopped
            # can stay "active" (seen once on a loaded box); the next worker's sweep
            # takes it back, and the posts below still come once each.
            assert left["active"] <= 1, left
            assert left["queued"] + left["active"] >= 1, left
            assert left["attempted"] >= 1, left  # the interrupted ones wait to run again

            procs.worker(env, concurrency=4)
            await asyncio.to_thread(slack.wait_for_posts, ISSUES, 90)
            await asyncio.sleep(POST_SECONDS + 1)
            each_posted_once(slack)
    finally:
        await queue.disconnect()


async def test_sigterm_lets_a_saq_workers_jobs_finish_within_the_grace(
    tmp_path: Path, pg_db: DatabaseSettings
) -> None:
    await seed_slack_issues(pg_db, ISSUES, channels=ISSUES)
    queue = make_queue(PG_QUEUE_URL, pg_db.schema)
    try:
        with FakeSlack() as slack, processes(tmp_path) as procs:
            slack.post_delay = POST_SECONDS
            env = argus_env(
                pg_db, slack, ARGUS_QUEUE_URL=PG_QUEUE_URL, ARGUS_SHUTDOWN_GRACE_SECONDS="10"
            )
            worker = procs.worker(env, concurrency=4)
            await asyncio.to_thread(
                wait_for,
                lambda: len(slack.calls_to("chat.postMessage")) >= 2,
                60,
                "notifications to start posting",
            )
            # Posts begun, not jobs "active": SAQ marks jobs active when it fetches them.
            begun = len(slack.calls_to("chat.postMessage"))
            assert await asyncio.to_thread(terminate, worker) < STOPS_WITHIN

            after = await notify_statuses(queue)
            assert after["active"] == 0  # none left leased for a sweep to find
            assert len(slack.posts) >= begun  # what ran when told to stop finished,
            assert after["attempted"] == 0, after  # none was cancelled and queued again,
            assert len(slack.posts) < ISSUES  # and nothing more was taken once stopping
            assert "handed back" not in procs.output()
            assert len(set(slack.keys())) == len(slack.keys())  # each post once
    finally:
        await queue.disconnect()


async def test_sigterm_lets_a_request_in_flight_finish(
    tmp_path: Path, pg_db: DatabaseSettings
) -> None:
    """The issue list is held up by a lock on the issues table when SIGTERM arrives: the
    server stops accepting at once, answers the held request once the lock goes, then
    exits."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    engine = create_engine(pg_db)
    try:
        with FakeSlack() as slack, processes(tmp_path) as procs:
            server = procs.serve(argus_env(pg_db, slack), port)
            headers = await asyncio.to_thread(sign_in, base)
            async with engine.connect() as locker:
                await locker.execute(sa.text("LOCK TABLE issues IN ACCESS EXCLUSIVE MODE"))
                async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                    held = asyncio.create_task(client.get("/api/issues", headers=headers))
                    await asyncio.sleep(1)  # the request now waits for the lock
                    assert not held.done()
                    server.send_signal(signal.SIGTERM)
                    await asyncio.sleep(1)
                    try:
                        refused = (await client.get("/api/live", timeout=2)).status_code
                    except httpx.TransportError:
                        refused = None
                    assert refused is None  # no new requests once stopping
                    assert server.poll() is None  # still finishing the held one
                    await locker.rollback()  # the lock goes
                    response = await held
            code = await asyncio.to_thread(server.wait, STOPS_WITHIN)
    finally:
        await engine.dispose()
    assert response.status_code == 200
    assert response.json()["total"] == 0
    assert code in (0, -signal.SIGTERM)
