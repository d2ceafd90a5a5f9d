"""The SAQ queue adapter on real PostgreSQL and Redis."""

from __future__ import annotations

import uuid

import pytest

from argus_adapters.saq_jobs import SaqJobQueue, make_queue
from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings
from argus_core.jobs import NOTIFY, POLICIES
from tests.databases import drop_schema, postgres_settings
from tests.jobs.support import PG_QUEUE_URL, REDIS_QUEUE_URL, flush_redis


@pytest.mark.parametrize("url", [PG_QUEUE_URL, REDIS_QUEUE_URL], ids=["postgres", "redis"])
async def test_a_key_is_queued_once_with_its_policy(url: str, pg_db: DatabaseSettings) -> None:
    flush_redis()
    queue = make_queue(url, pg_db.schema)
    jobs = SaqJobQueue(queue)
    try:
        for _ in range(3):
            await jobs.enqueue(NOTIFY, {"event": "{}"}, key="notify:one")
        info = await queue.info(jobs=True)
        (job,) = [j for j in info["jobs"] if j["key"] == "notify:one"]
        policy = POLICIES[NOTIFY]
        assert job["kwargs"] == {"payload": {"event": "{}"}}
        assert (job["timeout"], job["retries"]) == (policy.timeout_seconds, policy.retries)
        assert job["heartbeat"] == policy.heartbeat_seconds
        assert queue.name == f"argus.{pg_db.schema}"
    finally:
        await queue.disconnect()


async def test_two_installations_in_one_database_each_get_their_queue(
    pg_db: DatabaseSettings,
) -> None:
    """SAQ takes a set-up lock before creating its tables; with a shared lock space the
    second installation would skip creating its own and fail on every job."""
    other = postgres_settings(f"argus_jobs_{uuid.uuid4().hex[:10]}")
    await upgrade_async(other)
    first, second = make_queue(PG_QUEUE_URL, pg_db.schema), make_queue(PG_QUEUE_URL, other.schema)
    try:
        await SaqJobQueue(first).enqueue(NOTIFY, {}, key="a")  # holds its set-up lock
        await SaqJobQueue(second).enqueue(NOTIFY, {}, key="b")
        assert [j["key"] for j in (await second.info(jobs=True))["jobs"]] == ["b"]
        assert [j["key"] for j in (await first.info(jobs=True))["jobs"]] == ["a"]
    finally:
        await first.disconnect()
        await second.disconnect()
        await drop_schema(other.schema)
