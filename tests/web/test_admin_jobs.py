"""``/api/admin/jobs``: failed jobs (dead letters) for admins, and queueing them again."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.jobs import DEAD, JOBS, SqlDeadLetters
from argus_core.ports import FailedJob
from tests.web.conftest import Api

MANAGER, AGENT, VIEWER = "maria@example.com", "omar@example.com", "vic@example.com"
JOBS_PATH = "/api/admin/jobs"
BASE = datetime(2026, 11, 1, 9, 30, 15, 250000, tzinfo=UTC)


@pytest.fixture
async def engine(api: Api) -> AsyncIterator[AsyncEngine]:
    """An engine on the app's database, with no jobs and no dead letters yet."""
    created = create_engine(api.settings.database)
    async with created.begin() as conn:
        await conn.execute(sa.delete(JOBS))
        await conn.execute(sa.delete(DEAD))
    yield created
    await created.dispose()


@pytest.fixture
async def people(api: Api) -> None:
    """A team with a manager and an agent; the viewer signs in with no team."""
    await api.team("Payments", MANAGER, (AGENT,))
    await api.token(VIEWER)


def failed(n: int, key: str | None = None) -> FailedJob:
    return FailedJob(
        id=uuid.uuid4(),
        name="notify",
        key=key or f"notify:{uuid.uuid4()}",
        payload={"event": json.dumps({"n": n}), "n": n},
        error=f"Traceback (most recent call last):\nRuntimeError: failure {n}",
        attempts=6,
        failed_at=BASE + timedelta(minutes=n),
    )


async def add(engine: AsyncEngine, *letters: FailedJob) -> None:
    for letter in letters:
        await SqlDeadLetters(engine).add(letter)


async def queued(engine: AsyncEngine) -> list[sa.Row[Any]]:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.select(JOBS)))


def as_json(job: FailedJob) -> dict[str, Any]:
    return {
        "id": str(job.id),
        "name": job.name,
        "key": job.key,
        "payload": job.payload,
        "error": job.error,
        "attempts": job.attempts,
        "failed_at": job.failed_at.isoformat().replace("+00:00", "Z"),
        "retried_at": None,
    }


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status
    assert response.json()["detail"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------- who


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("email", [MANAGER, AGENT, VIEWER])
async def test_only_admins_see_failed_jobs(api: Api, engine: AsyncEngine, email: str) -> None:
    await add(engine, failed(1))
    response = await api.call("GET", JOBS_PATH, email)
    assert_problem(response, 403)
    assert "Only admins" in response.json()["detail"]


async def test_failed_jobs_need_a_sign_in(api: Api, engine: AsyncEngine) -> None:
    await add(engine, job := failed(1))
    assert_problem(await api.call("GET", JOBS_PATH, None), 401)
    assert_problem(await api.call("POST", f"{JOBS_PATH}/{job.id}/retry", None), 401)
    assert await queued(engine) == []


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("email", [MANAGER, AGENT, VIEWER])
async def test_only_admins_retry_failed_jobs(api: Api, engine: AsyncEngine, email: str) -> None:
    await add(engine, job := failed(1))
    response = await api.call("POST", f"{JOBS_PATH}/{job.id}/retry", email)
    assert_problem(response, 403)
    assert await queued(engine) == []
    assert (await SqlDeadLetters(engine).get(job.id)).retried_at is None


# --------------------------------------------------------------------------- list


async def test_the_list_is_empty_without_failed_jobs(api: Api, engine: AsyncEngine) -> None:
    assert await api.ok("GET", JOBS_PATH) == []


async def test_the_list_shows_failed_jobs_newest_first(api: Api, engine: AsyncEngine) -> None:
    first, second, third = failed(1), failed(2), failed(3)
    await add(engine, second, third, first)

    assert await api.ok("GET", JOBS_PATH) == [as_json(third), as_json(second), as_json(first)]
    assert await api.ok("GET", f"{JOBS_PATH}?limit=2") == [as_json(third), as_json(second)]
    for limit in (0, 501, "many"):
        assert_problem(await api.call("GET", f"{JOBS_PATH}?limit={limit}"), 400)


# --------------------------------------------------------------------------- retry


async def test_a_retry_queues_the_job_once(api: Api, engine: AsyncEngine) -> None:
    job, other = failed(1), failed(2)
    await add(engine, job, other)
    before = datetime.now(UTC)

    response = await api.call("POST", f"{JOBS_PATH}/{job.id}/retry")
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["id"], body["key"], body["payload"]) == (str(job.id), job.key, job.payload)

    (row,) = await queued(engine)
    assert (row.key, row.name) == (f"{job.key}:retry:{job.id}", "notify")
    assert json.loads(row.payload) == job.payload
    assert (row.status, row.attempts) == ("queued", 0)

    listed = {j["id"]: j for j in await api.ok("GET", JOBS_PATH)}
    retried_at = listed[str(job.id)]["retried_at"]
    assert retried_at is not None
    assert before <= instant(retried_at) <= datetime.now(UTC)
    assert listed[str(other.id)]["retried_at"] is None

    again = await api.call("POST", f"{JOBS_PATH}/{job.id}/retry")
    assert_problem(again, 409)
    assert len(await queued(engine)) == 1
    assert (await SqlDeadLetters(engine).get(job.id)).retried_at == instant(retried_at)


async def test_retrying_an_unknown_job_is_404(api: Api, engine: AsyncEngine) -> None:
    await add(engine, failed(1))
    assert_problem(await api.call("POST", f"{JOBS_PATH}/{uuid.uuid4()}/retry"), 404)
    assert await queued(engine) == []


async def test_the_retry_answer_shows_the_job_as_retried(api: Api, engine: AsyncEngine) -> None:
    await add(engine, job := failed(1))
    body = await api.ok("POST", f"{JOBS_PATH}/{job.id}/retry")
    assert body["retried_at"] is not None


async def test_a_failed_retry_can_be_retried_in_turn(api: Api, engine: AsyncEngine) -> None:
    key = "notify:" + str(uuid.uuid4())
    for _ in range(5):  # a job retried five times, failing every time
        key = f"{key}:retry:{uuid.uuid4()}"
    await add(engine, job := failed(1, key=key))
    response = await api.call("POST", f"{JOBS_PATH}/{job.id}/retry")
    assert response.status_code == 202, response.text
    (row,) = await queued(engine)
    assert row.key == f"{key.split(':retry:')[0]}:retry:{job.id}"  # the original key's


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_retry_is_a_post(api: Api, engine: AsyncEngine, method: str) -> None:
    await add(engine, job := failed(1))
    response = await api.call(method, f"{JOBS_PATH}/{job.id}/retry")
    assert response.status_code in (404, 405), response.text
    assert await queued(engine) == []
