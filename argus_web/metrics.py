"""Prometheus metrics, every name prefixed ``argus_``: HTTP requests, jobs, Slack's Web
API, RCA providers, and issues by status and priority (read at scrape time from the
``issue_counts`` rows the dashboard reads, a few rows whatever the number of issues).

Each process keeps its own figures. With ``PROMETHEUS_MULTIPROC_DIR`` set (``argus serve
--workers N`` sets it for its processes), prometheus-client writes them to files there
and ``/metrics`` answers the sum over the processes sharing the folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import aiohttp
from dishka.integrations.litestar import FromDishka, inject
from litestar import Response, get
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.job_runs import STARTED
from argus_adapters.sql.dashboard import issue_counts
from argus_core.chain import ProviderChain, Step
from argus_core.domain.issue import Issue, Rca
from argus_core.ports import ProgressSink, RcaProvider
from argus_web.logs import ACCESS, REQUEST_ID, request_id_from

log = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
ISSUE_COUNTS_TIMEOUT = 2.0
"""Seconds a scrape waits for the issue counts before answering without them."""

# A ``_created`` series beside every counter only adds noise.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry()
ProcessCollector(namespace="argus", registry=REGISTRY)

HTTP_REQUESTS = Counter(
    "argus_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "argus_http_request_duration_seconds",
    "Time from a request's arrival to its response's last byte, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
JOBS = Counter(
    "argus_jobs",
    "Job attempts by job name and outcome (started, succeeded, failed, retried, dead).",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "argus_job_duration_seconds",
    "Duration of finished job attempts, by job name and outcome.",
    ["job", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900),
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "argus_slack_api_calls",
    "HTTP calls to Slack's Web API (each retry counts), by method and HTTP status.",
    ["method", "status"],
    registry=REGISTRY,
)
SLACK_RATE_LIMITED = Counter(
    "argus_slack_rate_limited",
    "Slack Web API answers 429 (rate limited), by method.",
    ["method"],
    registry=REGISTRY,
)
RCA_RUNS = Counter(
    "argus_rca_provider_runs",
    "RCA provider investigations by provider and outcome (answered, empty, error, stopped).",
    ["provider", "outcome"],
    registry=REGISTRY,
)
RCA_SECONDS = Histogram(
    "argus_rca_provider_duration_seconds",
    "Duration of RCA provider investigations, by provider.",
    ["provider"],
    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1200),
    registry=REGISTRY,
)


# -- jobs --------------------------------------------------------------------------------


def observe_job(name: str, outcome: str, seconds: float | None) -> None:
    """The job runners' observer (:data:`argus_adapters.job_runs.JobObserver`)."""
    JOBS.labels(name, outcome).inc()
    if seconds is not None and outcome != STARTED:
        JOB_SECONDS.labels(name, outcome).observe(seconds)


# -- HTTP --------------------------------------------------------------------------------


def observed_requests(app: ASGIApp) -> ASGIApp:
    """Middleware: a request id for every request (the caller's ``X-Request-ID`` when
    sensible, echoed back), and each request counted and timed by its route template."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = request_id_from(header.decode("latin-1") if header else None)
        token = REQUEST_ID.set(request_id)
        began = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - began
            route = scope.get("path_template") or "unmatched"
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_SECONDS.labels(route, method).observe(seconds)
            if ACCESS.isEnabledFor(logging.INFO):
                ACCESS.info(
                    "%s %s %d",
                    method,
                    scope.get("path", ""),
                    status,
                    extra={"route": route, "status": status, "duration_ms": seconds * 1000},
                )
            REQUEST_ID.reset(token)

    return middleware


# -- Slack's Web API ---------------------------------------------------------------------


def slack_trace_config() -> aiohttp.TraceConfig:
    """Counts every HTTP call of slack-sdk's aiohttp session by Web API method (the URL's
    last segment), retries included, so a 429 storm shows as it happens."""

    async def ended(_: Any, __: Any, params: aiohttp.TraceRequestEndParams) -> None:
        _count_slack(params.url.path, str(params.response.status))

    async def failed(_: Any, __: Any, params: aiohttp.TraceRequestExceptionParams) -> None:
        _count_slack(params.url.path, "error")

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(ended)
    trace.on_request_exception.append(failed)
    return trace


def _count_slack(path: str, status: str) -> None:
    method = path.rstrip("/").rpartition("/")[2] or "unknown"
    SLACK_CALLS.labels(method, status).inc()
    if status == "429":
        SLACK_RATE_LIMITED.labels(method).inc()


# -- RCA providers -----------------------------------------------------------------------


class MeasuredRcaProvider:
    """An RCA provider whose investigations are counted by outcome and timed."""

    def __init__(self, provider: RcaProvider, name: str) -> None:
        self.provider = provider
        self.name = name
        self.timeout = getattr(provider, "timeout", 0.0)

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        began = time.perf_counter()
        outcome = "error"
        try:
            rca = await self.provider.investigate(issue, progress)
            outcome = "empty" if rca is None else "answered"
            return rca
        except asyncio.CancelledError:
            outcome = "stopped"  # the chain's time limit, or the job being stopped
            raise
        finally:
            RCA_RUNS.labels(self.name, outcome).inc()
            RCA_SECONDS.labels(self.name).observe(time.perf_counter() - began)


def measured_rca_chain(chain: ProviderChain[RcaProvider]) -> ProviderChain[RcaProvider]:
    """``chain`` with each provider measured (same names, order and time limits)."""
    return ProviderChain(
        [
            Step(name=s.name, provider=MeasuredRcaProvider(s.provider, s.name), timeout=s.timeout)
            for s in chain.steps
        ]
    )


# -- the scrape --------------------------------------------------------------------------


class _Snapshot(Collector):
    """Figures read just before this scrape."""

    def __init__(self, families: Iterable[GaugeMetricFamily]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self.families


async def issue_families(engine: AsyncEngine) -> list[GaugeMetricFamily]:
    """Issues by status and priority, and whether the database answered for them."""
    up = GaugeMetricFamily(
        "argus_database_up", "Whether the database answered this scrape's issue counts."
    )
    issues = GaugeMetricFamily(
        "argus_issues", "Issues by status and priority.", labels=["status", "priority"]
    )
    try:
        async with asyncio.timeout(ISSUE_COUNTS_TIMEOUT):
            rows = await issue_counts(engine)
    except Exception:
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    for status, priority, count in rows:
        issues.add_metric([status, priority], float(count))
    return [up, issues]


def scraped_registry() -> CollectorRegistry:
    """This process's figures, or with ``PROMETHEUS_MULTIPROC_DIR`` every process's sum."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


@contextlib.contextmanager
def serve_metrics(host: str, port: int | None) -> Iterator[None]:
    """``/metrics`` on ``host:port`` in a thread of its own while the block runs (for
    ``argus worker``, which has no web server); nothing when ``port`` is None."""
    if port is None:
        yield
        return
    server, thread = start_http_server(port, addr=host, registry=scraped_registry())
    log.info("metrics on http://%s:%d/metrics", host, port)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@get("/metrics", include_in_schema=False)
@inject
async def metrics(engine: FromDishka[AsyncEngine]) -> Response[bytes]:
    """Prometheus's text format; open without a token like the health checks."""
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(await issue_families(engine)))
    body = generate_latest(scraped_registry()) + generate_latest(snapshot)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
