"""JSON log lines: one object a line, with the request id in a request and the job's
name, id and attempt in a job handler; plain text stays the default."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.jobs import SqlJobQueue, SqlJobRunner
from argus_core.jobs import JobPolicy
from argus_web.logs import JsonFormatter, logging_config
from argus_web.metrics import observed_requests
from tests.databases import sqlite_copy

log = logging.getLogger("tests.production.logs")


Written = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def written() -> Iterator[Written]:
    """What this test logs so far, as the JSON formatter wrote it (each line parsed)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        log.removeHandler(handler)


async def test_a_request_logs_its_id_and_echoes_it(written: Written) -> None:
    @get("/hello")
    async def hello() -> str:
        log.info("saying hello", extra={"who": "ann"})
        return "hi"

    app = Litestar([hello], middleware=[observed_requests])
    async with AsyncTestClient(app) as client:
        given = await client.get("/hello", headers={"X-Request-ID": "req-123"})
        fresh = await client.get("/hello")
    log.info("outside any request")
    lines = written()
    assert [line["message"] for line in lines] == ["saying hello"] * 2 + ["outside any request"]
    assert lines[0]["request_id"] == "req-123" == given.headers["x-request-id"]
    assert lines[0]["who"] == "ann"
    assert lines[0]["level"] == "info"
    assert lines[1]["request_id"] == fresh.headers["x-request-id"] != "req-123"
    assert "request_id" not in lines[2]


async def test_a_job_handler_logs_its_job(
    written: Written, tmp_path: Path, sqlite_template: Path
) -> None:
    engine = create_engine(sqlite_copy(sqlite_template, tmp_path))
    name = f"log-test-{uuid.uuid4().hex[:6]}"
    policies = {name: JobPolicy(timeout_seconds=5, retries=2, retry_delay_seconds=0)}
    done = asyncio.Event()

    attempts = 0

    async def work(payload: dict[str, Any]) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            try:
                raise ValueError("the first attempt fails")
            except ValueError:
                log.exception("working on it")
                raise
        log.warning("worked")
        done.set()

    await SqlJobQueue(engine, policies=policies).enqueue(name, {}, key=f"{name}-1")
    runner = SqlJobRunner(engine, {name: work}, poll_seconds=0.05, policies=policies)
    task = asyncio.create_task(runner.run())
    try:
        await asyncio.wait_for(done.wait(), 20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await engine.dispose()
    first, second = written()
    assert first["message"] == "working on it"
    assert "ValueError" in first["exception"]
    assert (first["job"], first["job_attempt"]) == (name, 1)
    assert (second["job"], second["job_attempt"]) == (name, 2)
    assert first["job_id"] == second["job_id"]
    assert uuid.UUID(first["job_id"])


def test_logging_configs() -> None:
    plain, as_json = logging_config("plain"), logging_config("json", access_log=True)
    assert "()" not in plain["formatters"]["argus"]
    assert as_json["formatters"]["argus"]["()"] == "argus_web.logs.JsonFormatter"
    assert as_json["loggers"]["argus_web.access"]["level"] == "INFO"
    assert "argus_web.access" not in logging_config("json")["loggers"]  # left as it is
