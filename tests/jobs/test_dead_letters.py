"""A job that always fails ends as a dead letter with its error after the configured
attempts, while the API and other jobs keep working; an admin's retry delivers it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from argus_adapters.sql.settings import DatabaseSettings
from tests.fake_slack import FakeSlack
from tests.jobs.support import PG_QUEUE_URL, Processes, argus_env, seed_slack_issues
from tests.served import free_port

ATTEMPTS = 3


async def dead_letters(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The dead letters, once there are any (within a minute)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = await client.get("/api/admin/jobs")
        assert response.status_code == 200
        if response.json():
            return list(response.json())
        await asyncio.sleep(0.3)
    raise AssertionError("no dead letter appeared")


@pytest.mark.parametrize("mode", ["saq-postgres", "embedded"])
async def test_a_job_that_always_fails_becomes_a_retryable_dead_letter(
    mode: str,
    pg_db: DatabaseSettings,
    sqlite_db: DatabaseSettings,
    slack: FakeSlack,
    procs: Processes,
) -> None:
    db = pg_db if mode == "saq-postgres" else sqlite_db
    extra = {"ARGUS_JOB_RETRIES": str(ATTEMPTS), "ARGUS_JOB_RETRY_DELAY_SECONDS": "0.2"}
    if mode == "saq-postgres":
        extra["ARGUS_QUEUE_URL"] = PG_QUEUE_URL
    env = argus_env(db, slack, **extra)
    slack.failures["C0000"] = "channel_not_found"  # the first issue's channel refuses posts
    await seed_slack_issues(db, 2, channels=2)
    port = free_port()
    procs.serve(env, port)
    if mode == "saq-postgres":
        procs.worker(env)

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        login = await client.post("/api/auth/dev-login", json={"email": "admin@example.com"})
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        (dead,) = await dead_letters(client)
        assert dead["name"] == "notify"
        assert dead["attempts"] == ATTEMPTS
        assert "channel_not_found" in dead["error"]
        assert dead["retried_at"] is None

        # Meanwhile the other issue's job went through and the API answers.
        await asyncio.to_thread(slack.wait_for_posts, 1, 30)
        assert [p.channel for p in slack.posts] == ["C0001"]
        reported = await client.post("/api/issues", json={"title": "Another thing broke"})
        assert reported.status_code == 201

        # Slack is fixed; an admin retries the dead letter once.
        del slack.failures["C0000"]
        retried = await client.post(f"/api/admin/jobs/{dead['id']}/retry")
        assert retried.status_code == 202
        again = await client.post(f"/api/admin/jobs/{dead['id']}/retry")
        assert again.status_code == 409
        await asyncio.to_thread(slack.wait_for_posts, 2, 30)
        assert sorted(p.channel for p in slack.posts) == ["C0000", "C0001"]
        (after,) = (await client.get("/api/admin/jobs")).json()
        assert after["retried_at"] is not None
