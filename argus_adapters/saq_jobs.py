"""The job queue on SAQ: PostgreSQL or Redis, chosen by ``ARGUS_QUEUE_URL``.

Every job gets its kind's timeout, retries with exponential backoff, a heartbeat bound
(a job of a killed worker is swept and retried) and its dedupe key. A job that fails its
last attempt is kept as a dead letter in the application's database.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from saq import CronJob, Queue, Worker
from saq.job import Status
from saq.types import Context, PartialTimersDict

from argus_adapters import job_runs
from argus_core.jobs import POLICIES, REMINDERS, JobPolicy, policy_of
from argus_core.ports import DeadLetters, FailedJob

log = logging.getLogger(__name__)

KEEP_FINISHED_SECONDS = 24 * 3600  # a finished job's key stays taken this long (dedupe)

Handler = Callable[[dict[str, Any]], Any]
_TOLD = "argus_outcome_told"  # in a job's context: the handler's outcome was observed


def make_queue(url: str, schema: str = "argus") -> Queue:
    """A SAQ queue for a ``redis://`` or ``postgresql://`` URL (tables in ``schema``).

    The queue is named after the schema, and SAQ's advisory locks on PostgreSQL are keyed
    by it: SAQ's locks and notification channel are per database and its Redis keys per
    Redis database, so two Argus installations sharing either keep out of each other's
    way (with one lock space, a second installation's worker would skip creating its
    tables while another holds SAQ's set-up lock).
    """
    name = f"argus.{schema}"
    if url.startswith(("postgresql://", "postgres://")):
        from psycopg_pool import AsyncConnectionPool
        from saq.queue.postgres import PostgresQueue

        pool = AsyncConnectionPool(
            url,
            kwargs={"autocommit": True, "options": f"-c search_path={schema}"},
            open=False,
        )
        return PostgresQueue(
            pool=pool,
            name=name,
            manage_pool_lifecycle=True,
            min_size=1,
            max_size=8,
            saq_lock_keyspace=zlib.crc32(schema.encode()) - 2**31,  # a signed 32-bit key
        )
    if url.startswith(("redis://", "rediss://")):
        return Queue.from_url(url, name=name)
    raise ValueError(f"ARGUS_QUEUE_URL must start with redis:// or postgresql://, not {url!r}.")


class SaqJobQueue:
    """The :class:`~argus_core.ports.JobQueue` port on a SAQ queue."""

    def __init__(self, queue: Queue, policies: Mapping[str, JobPolicy] = POLICIES) -> None:
        self.queue = queue
        self.policies = policies
        self._connected = False

    async def enqueue(
        self, job: str, payload: Mapping[str, Any], *, key: str, delay_seconds: float = 0
    ) -> None:
        if not self._connected:
            await self.queue.connect()
            await tables_ready(self.queue)
            self._connected = True
        policy = policy_of(self.policies, job)
        await self.queue.enqueue(
            job,
            key=key,
            kwargs={"payload": dict(payload)},
            timeout=policy.timeout_seconds,
            retries=policy.retries,
            retry_delay=policy.retry_delay_seconds,
            retry_backoff=True,
            heartbeat=policy.heartbeat_seconds,
            ttl=KEEP_FINISHED_SECONDS,
            scheduled=int(time.time() + delay_seconds) if delay_seconds else 0,
        )


async def tables_ready(queue: Queue, within: float = 30) -> None:
    """Wait until SAQ's tables exist on PostgreSQL (nothing to wait for on Redis).

    SAQ creates them on connecting, under an advisory lock it only *tries*: a process
    that misses the lock goes on at once, and web processes and workers started together
    on a fresh database then enqueued into a table another process was still creating
    (``relation "saq_jobs" does not exist``, a 500 to Slack).
    """
    from saq.queue.postgres import PostgresQueue

    if not isinstance(queue, PostgresQueue):
        return
    from psycopg import errors
    from psycopg.sql import SQL
    from saq.queue.postgres_migrations import get_migrations

    target = get_migrations(jobs_table=queue.jobs_table, stats_table=queue.stats_table)[-1][0]
    deadline = time.monotonic() + within
    while True:
        version = None
        async with queue.pool.connection() as conn, conn.cursor() as cursor:
            try:
                await cursor.execute(SQL("SELECT version FROM {}").format(queue.versions_table))
                row = await cursor.fetchone()
                version = row[0] if row else None
            except errors.UndefinedTable:
                pass
        if version is not None and version >= target:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("SAQ's tables were not created in time")
        await asyncio.sleep(0.1)


async def _heartbeat(job: Any) -> None:
    """Touch a running job well within its heartbeat bound, so only a job whose worker
    died is swept and retried."""
    while True:
        await asyncio.sleep(max(job.heartbeat / 3, 0.5))
        await job.update()


class DrainingWorker(Worker[Context]):
    """SAQ's worker, except that stopping lets the jobs already running finish.

    SAQ's own stop either cancels every job at once or waits for all its tasks, its
    upkeep loops too (the sweep sleeps for a minute), so a grace period would always be
    spent in full. This one stops taking work, waits up to ``grace_seconds`` for the
    running jobs alone, then stops as SAQ does: a job still running is cancelled and put
    back on the queue for a retry.
    """

    def __init__(self, *args: Any, grace_seconds: float, **kwargs: Any) -> None:
        self.grace_seconds = grace_seconds
        self._busy: set[asyncio.Task[Any]] = set()  # process loops running a job
        kwargs["before_process"] = [self._took_job]
        kwargs["after_process"] = [self._left_job, *kwargs.get("after_process", [])]
        super().__init__(*args, **kwargs)

    async def _took_job(self, _: Context) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._busy.add(task)

    async def _left_job(self, _: Context) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._busy.discard(task)

    async def stop(self) -> None:
        self.event.set()  # no process loop starts another round
        idle = [t for t in self.tasks if t.get_name() == "process" and t not in self._busy]
        for task in idle:
            task.cancel()  # waiting for a job: take none now
        await asyncio.gather(*idle, return_exceptions=True)
        await self._give_back_fetched()
        running = [task for task in self._busy if not task.done()]
        if running and self.grace_seconds > 0:
            _, unfinished = await asyncio.wait(running, timeout=self.grace_seconds)
            if unfinished:
                log.warning(
                    "%d jobs still running after %.0f s; handed back to the queue",
                    len(unfinished),
                    self.grace_seconds,
                )
        await super().stop()

    async def _give_back_fetched(self) -> None:
        """Queue again the jobs fetched for loops that were then stopped: SAQ's PostgreSQL
        queue marks jobs active as it fetches them for all its waiting loops at once and
        hands them over in memory, so those nobody took would stay active until a sweep
        (CI saw two left so)."""
        fetched = getattr(self.queue, "_job_queue", None)
        if not isinstance(fetched, asyncio.Queue):
            return
        while not fetched.empty():
            job = fetched.get_nowait()
            await self.queue.retry(job, "the worker stopped before starting it")


def make_worker(
    queue: Queue,
    handlers: Mapping[str, Handler],
    dead: DeadLetters,
    *,
    concurrency: int,
    reminder_cron: str,
    sweep_seconds: int,
    grace_seconds: float = 0.0,
    startup: Callable[[dict[str, Any]], Any] | None = None,
    shutdown: Callable[[dict[str, Any]], Any] | None = None,
    observer: job_runs.JobObserver = job_runs.ignore,
) -> Worker[Context]:
    """A SAQ worker running ``handlers``; reminders run once per cron period across all
    workers (a unique cron job), failed jobs become dead letters, and ``observer`` hears
    each attempt's outcome. On SIGTERM it stops taking jobs, lets the running ones finish
    for up to ``grace_seconds`` and cancels the rest, which SAQ queues again at once."""

    def wrap(name: str, handler: Handler) -> Callable[..., Any]:
        async def run(ctx: dict[str, Any], *, payload: dict[str, Any] | None = None) -> None:
            job = ctx.get("job")
            beat = asyncio.create_task(_heartbeat(job)) if job and job.heartbeat else None
            attempt = job_runs.JobRun(
                name=name,
                id=str(getattr(job, "id", "")),
                attempt=int(getattr(job, "attempts", 0) or 0),
            )
            observer(name, job_runs.STARTED, None)
            began = time.perf_counter()
            try:
                with job_runs.running(attempt):
                    await handler(payload or {})
            except Exception:
                ctx[_TOLD] = True
                observer(name, job_runs.FAILED, time.perf_counter() - began)
                raise
            else:
                ctx[_TOLD] = True
                observer(name, job_runs.SUCCEEDED, time.perf_counter() - began)
            finally:
                if beat is not None:
                    beat.cancel()

        run.__qualname__ = run.__name__ = name
        return run

    functions = [wrap(name, handler) for name, handler in handlers.items()]
    by_name = {f.__name__: f for f in functions}

    async def after_process(ctx: dict[str, Any]) -> None:
        job = ctx.get("job")
        if job is None:
            return
        if "exception" in ctx and not ctx.get(_TOLD):  # timed out: cancelled by SAQ
            observer(job.function, job_runs.FAILED, None)
        if job.status == Status.QUEUED and "exception" in ctx:
            observer(job.function, job_runs.RETRIED, None)
        if job.status != Status.FAILED:
            return
        await dead.add(
            FailedJob(
                id=uuid.uuid4(),
                name=job.function,
                key=job.key,
                payload=(job.kwargs or {}).get("payload", {}),
                error=job.error or "failed",
                attempts=job.attempts,
                failed_at=datetime.now(UTC),
            )
        )
        observer(job.function, job_runs.DEAD, None)

    reminders = POLICIES[REMINDERS]
    cron_jobs = (
        [
            CronJob(
                by_name[REMINDERS],
                cron=reminder_cron,
                unique=True,
                timeout=reminders.timeout_seconds,
            )
        ]
        if REMINDERS in by_name
        else []
    )
    return DrainingWorker(
        queue,
        functions=functions,
        concurrency=concurrency,
        cron_jobs=cron_jobs,
        after_process=[after_process],
        startup=startup,
        shutdown=shutdown,
        timers=PartialTimersDict(schedule=1, worker_info=10, sweep=sweep_seconds, abort=1),
        grace_seconds=grace_seconds,
    )
