"""SAQ workers tell the same outcomes as the embedded runner (on a real PostgreSQL
queue): started, succeeded, failed (a time-out too), retried, dead; and the handler
sees its job."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from argus_adapters.job_runs import CURRENT_JOB
from argus_adapters.saq_jobs import SaqJobQueue, make_queue, make_worker
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.jobs import SqlDeadLetters
from argus_adapters.sql.settings import DatabaseSettings
from argus_core.jobs import JobPolicy
from tests.jobs.support import PG_QUEUE_URL


async def test_saq_job_outcomes(pg_db: DatabaseSettings) -> None:
    name = f"saq-test-{uuid.uuid4().hex[:6]}"
    policies = {name: JobPolicy(timeout_seconds=1, retries=2, retry_delay_seconds=0)}
    tries: dict[str, int] = {}
    seen: list[tuple[str, int]] = []

    async def work(payload: dict[str, Any]) -> None:
        run = CURRENT_JOB.get()
        assert run is not None
        seen.append((run.name, run.attempt))
        n = payload["n"]
        tries[n] = tries.get(n, 0) + 1
        if n == "slow":
            await asyncio.sleep(30)  # past its 1 s limit: SAQ cancels it
        if n == "always" or (n == "once" and tries[n] == 1):
            raise RuntimeError("boom")

    outcomes: list[str] = []
    finished = asyncio.Event()

    def observer(job: str, outcome: str, seconds: float | None) -> None:
        outcomes.append(outcome)
        if outcomes.count("succeeded") + outcomes.count("dead") == 4:
            finished.set()

    engine = create_engine(pg_db)
    queue = make_queue(PG_QUEUE_URL, pg_db.schema)
    jobs = SaqJobQueue(queue, policies)
    for n in ("fine", "once", "always", "slow"):
        await jobs.enqueue(name, {"n": n}, key=f"{name}-{n}")
    worker = make_worker(
        queue,
        {name: work},
        SqlDeadLetters(engine),
        concurrency=4,
        reminder_cron="* * * * *",
        sweep_seconds=1,
        observer=observer,
    )
    task = asyncio.create_task(worker.start())
    try:
        await asyncio.wait_for(finished.wait(), 30)
    finally:
        await worker.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await queue.disconnect()
        dead = await SqlDeadLetters(engine).list()
        await engine.dispose()
    counts = {o: outcomes.count(o) for o in ("started", "succeeded", "failed", "retried", "dead")}
    # fine: 1 attempt; once: 2 (1 retried); always and slow: 2 each (1 retried, then dead)
    assert counts == {"started": 7, "succeeded": 2, "failed": 5, "retried": 3, "dead": 2}
    assert sorted(job.key for job in dead) == [f"{name}-always", f"{name}-slow"]
    assert sorted(seen) == sorted([(name, 1)] * 4 + [(name, 2)] * 3)
