"""``argus serve`` and ``argus worker`` as real processes: JSON logs with request ids,
``/metrics`` in each mode, and one sum over ``argus serve --workers 2``."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx

from argus_adapters.sql.settings import DatabaseSettings
from tests.databases import sqlite_copy
from tests.production.running import argus, argus_env, sign_in, wait_for
from tests.production.scrape import Samples, parse, value
from tests.served import free_port

STOPPED = (0, -signal.SIGTERM)  # uvicorn shuts down, then raises the signal it caught
LIVE = {"route": "/api/live", "method": "GET", "status": "200"}


def scrape(url: str) -> Samples:
    response = httpx.get(url, timeout=5)
    assert response.status_code == 200, response.text
    return parse(response.text)


def succeeded(samples: Samples, job: str) -> float:
    return value(samples, "argus_jobs_total", job=job, outcome="succeeded")


def test_embedded_serve_logs_json_and_counts_its_jobs(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = sqlite_copy(sqlite_template, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with argus(tmp_path) as running:
        env = argus_env(db, ARGUS_LOG_FORMAT="json")
        serve = running.serve(env, port, "--access-log")
        lives = value(scrape(f"{base}/metrics"), "argus_http_requests_total", **LIVE)
        live = httpx.get(f"{base}/api/live", headers={"X-Request-ID": "probe-7"})
        assert live.headers["x-request-id"] == "probe-7"
        body = {"title": "Checkout returns 502", "priority": "high"}
        created = httpx.post(f"{base}/api/issues", json=body, headers=sign_in(base))
        assert created.status_code == 201, created.text
        samples = wait_for(
            lambda: jobs_done(f"{base}/metrics"), 60, "the issue's analysis to finish"
        )
        assert succeeded(samples, "triage") == succeeded(samples, "rca") == 1
        assert value(samples, "argus_jobs_total", job="rca", outcome="started") == 1
        assert value(samples, "argus_issues", status="open", priority="high") == 1
        assert value(samples, "argus_http_requests_total", **LIVE) == lives + 1
        assert running.stop(serve) in STOPPED
        output = running.output(serve)

    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # all JSON
    probe = [line for line in lines if line.get("request_id") == "probe-7"]
    assert len(probe) == 1
    assert probe[0]["logger"] == "argus_web.access"
    assert (probe[0]["route"], probe[0]["status"]) == ("/api/live", 200)
    assert any(line["message"] == "Application shutdown complete." for line in lines)


def test_plain_logs_stay_the_default(tmp_path: Path, sqlite_template: Path) -> None:
    port = free_port()
    with argus(tmp_path) as running:
        serve = running.serve(argus_env(sqlite_copy(sqlite_template, tmp_path)), port)
        assert running.stop(serve) in STOPPED
        output = running.output(serve)
    assert "Application shutdown complete." in output
    assert not output.lstrip().startswith("{")


def test_two_web_processes_answer_one_sum_and_the_worker_its_own(
    tmp_path: Path, pg_db: DatabaseSettings
) -> None:
    port, worker_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    queue = "postgresql://postgres@127.0.0.1:5432/test"
    with argus(tmp_path) as running:
        env = argus_env(pg_db, ARGUS_QUEUE_URL=queue)
        running.serve(env, port, "--workers", "2")
        worker_env = env | {"ARGUS_METRICS_PORT": str(worker_port)}
        running.start(["worker", "--concurrency", "4", "--sweep-seconds", "1"], worker_env)
        lives = value(scrape(f"{base}/metrics"), "argus_http_requests_total", **LIVE)
        for _ in range(40):  # a new connection each: the kernel spreads them over both
            assert httpx.get(f"{base}/api/live").status_code == 200
        for _ in range(6):  # whichever process answers, it answers for both
            assert (
                value(scrape(f"{base}/metrics"), "argus_http_requests_total", **LIVE) == lives + 40
            )
        created = httpx.post(
            f"{base}/api/issues", json={"title": "Disk full"}, headers=sign_in(base)
        )
        assert created.status_code == 201, created.text
        worker_metrics = f"http://127.0.0.1:{worker_port}/metrics"
        samples = wait_for(
            lambda: jobs_done(worker_metrics), 60, "the worker to run the issue's analysis"
        )
        assert succeeded(samples, "triage") == succeeded(samples, "rca") == 1
        web = scrape(f"{base}/metrics")
        assert (
            value(web, "argus_issues", status="open", priority="medium")
            + value(web, "argus_issues", status="open", priority="high")
            + value(web, "argus_issues", status="open", priority="low")
            + value(web, "argus_issues", status="open", priority="critical")
            == 1
        )
        assert succeeded(web, "rca") == 0  # the web processes ran no job


def jobs_done(url: str) -> Samples | None:
    """The scrape once the issue's triage and analysis have run, else None (also while
    nothing listens yet)."""
    try:
        samples = scrape(url)
    except httpx.TransportError:
        return None  # the worker is still starting
    return samples if succeeded(samples, "rca") and succeeded(samples, "triage") else None
