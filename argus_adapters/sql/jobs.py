"""Jobs in the application's own database: the embedded runner's queue and dead letters.

The queue is a table: a job is claimed under a lease (its owner and a deadline), run,
then marked done, queued again with backoff, or moved to ``dead_jobs`` after its last
attempt. A runner that is stopped hands its running jobs back at once; a runner that
starts takes back at once the jobs a dead process on this host left running; any runner
takes back jobs whose lease ran out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters import job_runs
from argus_adapters.sql import models as m
from argus_core.domain.errors import NotFound
from argus_core.jobs import POLICIES, JobPolicy, policy_of
from argus_core.ports import FailedJob

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
# Longer than any job may run (each is cancelled at its timeout), so a live runner's
# lease never runs out under it.
LEASE = timedelta(seconds=max(p.timeout_seconds for p in POLICIES.values()) + 30)
KEEP_DONE = timedelta(days=7)
_LIVE_OWNERS: set[str] = set()
"""Lease owners of the runners in this process."""
JOBS = cast(sa.Table, m.JobRow.__table__)
DEAD = cast(sa.Table, m.DeadJobRow.__table__)


def _now() -> datetime:
    return datetime.now(UTC)


def _insert(engine: AsyncEngine, table: sa.Table) -> Any:
    """An INSERT that skips rows whose unique key exists already (both dialects)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


class SqlDeadLetters:
    """Failed jobs in ``dead_jobs``, each call its own short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, job: FailedJob) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.insert(DEAD).values(_dead_values(job)))

    async def list(self, limit: int = 100) -> Sequence[FailedJob]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(DEAD).order_by(DEAD.c.failed_at.desc()).limit(limit)
            )
            return [_failed_job(row) for row in rows]

    async def get(self, job_id: UUID) -> FailedJob:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(DEAD).where(DEAD.c.id == job_id))).first()
        if row is None:
            raise NotFound(f"No failed job with id {job_id}.")
        return _failed_job(row)

    async def mark_retried(self, job_id: UUID, at: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.update(DEAD).where(DEAD.c.id == job_id).values(retried_at=at))


class SqlJobQueue:
    """Queues jobs into the ``jobs`` table; a key queued before is not queued again."""

    def __init__(
        self,
        engine: AsyncEngine,
        wake: asyncio.Event | None = None,
        policies: Mapping[str, JobPolicy] = POLICIES,
    ) -> None:
        self.engine = engine
        self.wake = wake
        self.policies = policies

    async def enqueue(
        self, job: str, payload: Mapping[str, Any], *, key: str, delay_seconds: float = 0
    ) -> None:
        policy = policy_of(self.policies, job)
        now = _now()
        statement = (
            _insert(self.engine, JOBS)
            .values(
                id=uuid.uuid4(),
                key=key,
                name=job,
                payload=json.dumps(payload),
                status="queued",
                attempts=0,
                max_attempts=policy.retries,
                run_at=now + timedelta(seconds=delay_seconds),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        async with self.engine.begin() as conn:
            await conn.execute(statement)
        if self.wake is not None:
            self.wake.set()


class Claimed:
    """A job taken under this runner's lease."""

    def __init__(self, row: sa.Row[Any]) -> None:
        self.id: UUID = row.id
        self.key: str = row.key
        self.name: str = row.name
        self.payload: dict[str, Any] = json.loads(row.payload)
        self.attempts: int = row.attempts
        self.max_attempts: int = row.max_attempts


class SqlJobRunner:
    """Runs the ``jobs`` table's jobs in this process, ``concurrency`` at a time."""

    def __init__(
        self,
        engine: AsyncEngine,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 4,
        poll_seconds: float = 0.5,
        wake: asyncio.Event | None = None,
        policies: Mapping[str, JobPolicy] = POLICIES,
        observer: job_runs.JobObserver = job_runs.ignore,
    ) -> None:
        self.engine = engine
        self.policies = policies
        self.handlers = handlers
        self.observer = observer
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.wake = wake or asyncio.Event()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        _LIVE_OWNERS.add(self.owner)
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._draining = False
        self._grace = 0.0
        self.postgres = engine.dialect.name == "postgresql"

    def drain(self, seconds: float) -> None:
        """Claim nothing more: :meth:`run` then gives the running jobs up to ``seconds``
        to finish, hands back the rest and returns. (A job cancelled in the middle of a
        database call can leave its connection to the garbage collector.)"""
        self._grace = seconds
        self._draining = True
        self.wake.set()

    async def run(self) -> None:
        """Work until cancelled or drained; the database being away is waited out."""
        started = False  # the start's take-back is retried until it has run once
        last_sweep = datetime.min.replace(tzinfo=UTC)
        try:
            while not self._draining:
                await self._slots.acquire()
                if self._draining:
                    self._slots.release()
                    break
                self.wake.clear()  # before looking, so a job queued meanwhile wakes us
                try:
                    if not started or _now() - last_sweep > timedelta(seconds=10):
                        await self.take_back(at_start=not started)
                        started, last_sweep = True, _now()
                    job = await self._claim()
                except Exception:  # the database is away: keep polling, do not die
                    log.exception("the job runner could not reach the database; retrying")
                    job = None
                if job is None:
                    self._slots.release()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
                    continue
                task = asyncio.create_task(self._run(job))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        finally:
            if self._draining and self._tasks:
                await asyncio.wait(set(self._tasks), timeout=self._grace)
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self.hand_back()
            _LIVE_OWNERS.discard(self.owner)

    async def hand_back(self) -> int:
        """Queue again, at once and without counting the attempt, the jobs this runner
        stopped in the middle (a SIGTERM), so another process need not wait for their
        lease to run out; with the database away, the lease still brings them back."""
        try:
            async with self.engine.begin() as conn:
                result = await conn.execute(
                    sa.update(JOBS)
                    .where(JOBS.c.status == "running", JOBS.c.lease_owner == self.owner)
                    .values(
                        status="queued",
                        run_at=_now(),
                        attempts=JOBS.c.attempts - 1,  # claiming counted it
                        lease_owner=None,
                        lease_until=None,
                    )
                )
        except Exception:
            log.exception("could not hand back running jobs; their lease will")
            return 0
        handed = int(result.rowcount)
        if handed:
            log.info("handed back %d running jobs on stopping", handed)
        return handed

    async def take_back(self, *, at_start: bool) -> int:
        """Queue again the jobs whose lease ran out and, at start, those a dead process
        on this host left running. Done jobs older than a week are forgotten."""
        now = _now()
        async with self.engine.begin() as conn:
            stale = sa.and_(JOBS.c.status == "running", JOBS.c.lease_until < now)
            if at_start:
                running = await conn.execute(
                    sa.select(JOBS.c.lease_owner).where(JOBS.c.status == "running").distinct()
                )
                dead = [o for (o,) in running if o and _is_dead_here(o)]
                if dead:
                    stale = sa.or_(stale, JOBS.c.lease_owner.in_(dead))
            result = await conn.execute(
                sa.update(JOBS)
                .where(stale)
                .values(status="queued", run_at=now, lease_owner=None, lease_until=None)
            )
            await conn.execute(
                sa.delete(JOBS).where(JOBS.c.status == "done", JOBS.c.finished_at < now - KEEP_DONE)
            )
        taken = int(result.rowcount)
        if taken:
            log.warning("took back %d jobs left running by a stopped runner", taken)
        return taken

    async def _claim(self) -> Claimed | None:
        now = _now()
        due = (
            sa.select(JOBS.c.id)
            .where(JOBS.c.status == "queued", JOBS.c.run_at <= now)
            .order_by(JOBS.c.run_at)
            .limit(1)
        )
        if self.postgres:
            due = due.with_for_update(skip_locked=True)
        async with self.engine.begin() as conn:
            job_id = await conn.scalar(due)
            if job_id is None:
                return None
            row = (
                await conn.execute(
                    sa.update(JOBS)
                    .where(JOBS.c.id == job_id)
                    .values(
                        status="running",
                        attempts=JOBS.c.attempts + 1,
                        lease_owner=self.owner,
                        lease_until=now + LEASE,
                    )
                    .returning(JOBS)
                )
            ).first()
        assert row is not None
        return Claimed(row)

    async def _run(self, job: Claimed) -> None:
        policy = policy_of(self.policies, job.name)
        self.observer(job.name, job_runs.STARTED, None)
        began = time.perf_counter()
        try:
            handler = self.handlers.get(job.name)
            if handler is None:
                raise LookupError(f"no handler for job {job.name!r}")
            attempt = job_runs.JobRun(name=job.name, id=str(job.id), attempt=job.attempts)
            with job_runs.running(attempt):
                await asyncio.wait_for(handler(job.payload), policy.timeout_seconds)
        except asyncio.CancelledError:
            raise  # stopping: the lease runs out and another start takes it back
        except Exception:
            self.observer(job.name, job_runs.FAILED, time.perf_counter() - began)
            await self._failed(job, policy, traceback.format_exc())
        else:
            self.observer(job.name, job_runs.SUCCEEDED, time.perf_counter() - began)
            await self._finish(job, status="done", finished_at=_now())
        finally:
            self._slots.release()

    async def _failed(self, job: Claimed, policy: JobPolicy, error: str) -> None:
        now = _now()
        if job.attempts < job.max_attempts:
            delay = policy.retry_delay_seconds * 2 ** (job.attempts - 1)
            log.warning("job %s failed (attempt %d), retrying", job.key, job.attempts)
            await self._finish(
                job, status="queued", run_at=now + timedelta(seconds=delay), last_error=error
            )
            self.observer(job.name, job_runs.RETRIED, None)
            return
        log.error("job %s failed for good after %d attempts", job.key, job.attempts)
        dead = FailedJob(
            id=uuid.uuid4(),
            name=job.name,
            key=job.key,
            payload=job.payload,
            error=error,
            attempts=job.attempts,
            failed_at=now,
        )
        async with self.engine.begin() as conn:
            # A dead letter only while the job is still ours (not taken over meanwhile).
            ours = await self._update(conn, job, status="dead", last_error=error, finished_at=now)
            if ours:
                await conn.execute(sa.insert(DEAD).values(_dead_values(dead)))
        if ours:
            self.observer(job.name, job_runs.DEAD, None)

    async def _finish(self, job: Claimed, **values: Any) -> None:
        async with self.engine.begin() as conn:
            await self._update(conn, job, **values)

    async def _update(self, conn: Any, job: Claimed, **values: Any) -> bool:
        """Change the job only while the lease is ours (a job taken back meanwhile belongs
        to its new owner); whether it was."""
        result = await conn.execute(
            sa.update(JOBS)
            .where(JOBS.c.id == job.id, JOBS.c.lease_owner == self.owner)
            .values(lease_owner=None, lease_until=None, **values)
        )
        return bool(result.rowcount)


def _is_dead_here(owner: str) -> bool:
    """Whether ``owner`` (host:pid:nonce) names a process on this host that is gone."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        # An earlier run of this process id (a restarted container), unless a runner of
        # this very process holds it.
        return owner not in _LIVE_OWNERS
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _dead_values(job: FailedJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "name": job.name,
        "key": job.key,
        "payload": json.dumps(job.payload),
        "error": job.error,
        "attempts": job.attempts,
        "failed_at": job.failed_at,
        "retried_at": job.retried_at,
    }


def _failed_job(row: sa.Row[Any]) -> FailedJob:
    return FailedJob(
        id=row.id,
        name=row.name,
        key=row.key,
        payload=json.loads(row.payload),
        error=row.error,
        attempts=row.attempts,
        failed_at=row.failed_at,
        retried_at=row.retried_at,
    )
