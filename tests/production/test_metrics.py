"""``/metrics`` on the app over ASGI (SQLite): open, Prometheus's format, only ``argus_``
names, and the request, issue, job, Slack and RCA figures moving as work happens."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack.notifier import SlackChatNotifier
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.jobs import SqlJobQueue, SqlJobRunner
from argus_core.chain import ProviderChain, Step
from argus_core.domain.issue import Rca
from argus_core.domain.values import RcaState
from argus_core.jobs import JobPolicy
from argus_web.app import create_app
from argus_web.metrics import measured_rca_chain, observe_job, slack_trace_config
from argus_web.settings import Settings
from tests.databases import sqlite_copy
from tests.fake_slack import FakeSlack
from tests.production.scrape import Samples, moved, parse, value

ADMIN = "admin@example.com"


@pytest.fixture
async def client(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = Settings(database=sqlite_copy(sqlite_template, tmp_path), admin_emails=(ADMIN,))
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def scrape(client: AsyncTestClient[Litestar]) -> Samples:
    response = await client.get("/metrics")  # no token: open like the health checks
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


async def admin(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    response = await client.post("/api/auth/dev-login", json={"email": ADMIN})
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_requests_are_counted_by_route_template_method_and_status(
    client: AsyncTestClient[Litestar],
) -> None:
    headers = await admin(client)
    team = (await client.post("/api/teams", json={"name": "Payments"}, headers=headers)).json()
    issue = (
        await client.post(
            "/api/issues", json={"title": "Refunds fail", "team_id": team["id"]}, headers=headers
        )
    ).json()
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get(f"/api/issues/{issue['id']}", headers=headers)).status_code == 200
    missing = await client.get(f"/api/issues/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    after = await scrape(client)

    route = "/api/issues/{issue_id}"
    ok = {"route": route, "method": "GET"}
    assert moved(before, after, "argus_http_requests_total", **ok, status="200") == 3
    assert moved(before, after, "argus_http_requests_total", **ok, status="404") == 1
    seconds = "argus_http_request_duration_seconds_count"
    assert moved(before, after, seconds, route=route, method="GET") == 4
    # Ids never become labels: one series per route, whatever the issue.
    assert not any(issue["id"] in str(labels) for _, labels in after)


async def test_issues_by_status_and_priority_are_read_at_scrape_time(
    client: AsyncTestClient[Litestar],
) -> None:
    headers = await admin(client)
    team = (await client.post("/api/teams", json={"name": "Payments"}, headers=headers)).json()
    for priority in ("high", "high", "low"):
        body = {"title": f"{priority} one", "team_id": team["id"], "priority": priority}
        assert (await client.post("/api/issues", json=body, headers=headers)).status_code == 201
    samples = await scrape(client)
    assert value(samples, "argus_database_up") == 1
    assert value(samples, "argus_issues", status="open", priority="high") == 2
    assert value(samples, "argus_issues", status="open", priority="low") == 1
    assert value(samples, "argus_issues", status="resolved", priority="high") == 0


async def test_metrics_stay_out_of_the_api_schema_and_requests_carry_an_id(
    client: AsyncTestClient[Litestar],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/metrics" not in schema["paths"]
    given = await client.get("/api/live", headers={"X-Request-ID": "deploy-check-42"})
    assert given.headers["x-request-id"] == "deploy-check-42"
    made = await client.get("/api/live", headers={"X-Request-ID": "no spaces\nor newlines"})
    assert made.headers["x-request-id"] not in ("", "no spaces\nor newlines")
    assert len(made.headers["x-request-id"]) == 32


async def test_job_attempts_are_counted_by_outcome(tmp_path: Path, sqlite_template: Path) -> None:
    """The embedded runner: a job that succeeds, one that fails once then succeeds, and
    one that fails every attempt (retried, then dead)."""
    db = sqlite_copy(sqlite_template, tmp_path)
    engine = create_engine(db)
    tries: dict[str, int] = {}

    async def work(payload: dict[str, Any]) -> None:
        tries[payload["n"]] = tries.get(payload["n"], 0) + 1
        if payload["n"] == "always" or (payload["n"] == "once" and tries["once"] == 1):
            raise RuntimeError("boom")

    name = f"metrics-test-{uuid.uuid4().hex[:6]}"  # a job name no other test counts
    policies = {name: JobPolicy(timeout_seconds=5, retries=2, retry_delay_seconds=0)}
    queue = SqlJobQueue(engine, policies=policies)
    for n in ("fine", "once", "always"):
        await queue.enqueue(name, {"n": n}, key=f"{name}-{n}")
    ended: list[str] = []
    all_ended = asyncio.Event()

    def observer(job: str, outcome: str, seconds: float | None) -> None:
        observe_job(job, outcome, seconds)
        if outcome in ("succeeded", "dead"):
            ended.append(outcome)
            if len(ended) == 3:
                all_ended.set()

    runner = SqlJobRunner(
        engine, {name: work}, poll_seconds=0.05, policies=policies, observer=observer
    )
    before = parse(_text())
    task = asyncio.create_task(runner.run())
    try:
        await asyncio.wait_for(all_ended.wait(), 20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await engine.dispose()
    after = parse(_text())
    counts = {
        outcome: moved(before, after, "argus_jobs_total", job=name, outcome=outcome)
        for outcome in ("started", "succeeded", "failed", "retried", "dead")
    }
    # fine: 1 attempt; once: 2 (one retried); always: 2 (one retried, then dead)
    assert counts == {"started": 5, "succeeded": 2, "failed": 3, "retried": 2, "dead": 1}
    finished = moved(before, after, "argus_job_duration_seconds_count", job=name, outcome="failed")
    assert finished == 3


async def test_slack_calls_and_rate_limits_are_counted_by_method() -> None:
    import aiohttp

    with FakeSlack() as fake:
        fake.ratelimit_next = 2
        fake.retry_after = 0
        before = parse(_text())
        async with aiohttp.ClientSession(trace_configs=[slack_trace_config()]) as session:
            client = AsyncWebClient(token=fake.token, base_url=fake.base_url, session=session)
            notifier = SlackChatNotifier(client, posts_per_second=100)
            await notifier.post_in_thread("C1", "1.000001", "hello", idempotency_key="k1")
        after = parse(_text())
    post = "chat.postMessage"
    assert moved(before, after, "argus_slack_rate_limited_total", method=post) == 2
    assert moved(before, after, "argus_slack_api_calls_total", method=post, status="429") == 2
    assert moved(before, after, "argus_slack_api_calls_total", method=post, status="200") == 1
    replies = "conversations.replies"
    assert moved(before, after, "argus_slack_api_calls_total", method=replies, status="200") >= 1


async def test_rca_providers_are_counted_by_outcome_and_timed() -> None:
    class Provider:
        def __init__(self, name: str, answer: str, timeout: float = 5) -> None:
            self.name, self.answer, self.timeout = name, answer, timeout

        async def investigate(self, issue: Any, progress: Any) -> Rca | None:
            if self.answer == "error":
                raise RuntimeError("down")
            if self.answer == "slow":
                await asyncio.sleep(10)
            return None if self.answer == "empty" else Rca(state=RcaState.COMPLETED, summary="x")

    tag = uuid.uuid4().hex[:6]
    providers = [
        Provider(f"broken-{tag}", "error"),
        Provider(f"slow-{tag}", "slow", timeout=0.05),
        Provider(f"quiet-{tag}", "empty"),
        Provider(f"good-{tag}", "answer"),
    ]
    chain = measured_rca_chain(
        ProviderChain([Step(name=p.name, provider=p, timeout=p.timeout) for p in providers])
    )
    assert chain.names == tuple(p.name for p in providers)
    before = parse(_text())
    outcome = await chain.run(lambda p: p.investigate(None, None))
    after = parse(_text())
    assert outcome.provider == f"good-{tag}"
    expected = {"broken": "error", "slow": "stopped", "quiet": "empty", "good": "answered"}
    for kind, result in expected.items():
        provider = f"{kind}-{tag}"
        runs = "argus_rca_provider_runs_total"
        assert moved(before, after, runs, provider=provider, outcome=result) == 1, kind
        timed = "argus_rca_provider_duration_seconds_count"
        assert moved(before, after, timed, provider=provider) == 1


def _text() -> str:
    """This process's figures, as ``/metrics`` renders them (without the database's)."""
    from prometheus_client import generate_latest

    from argus_web.metrics import scraped_registry

    return generate_latest(scraped_registry()).decode()
