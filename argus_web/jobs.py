"""Job handlers and the background loops, built on the one composition root.

Each handler opens a request scope of the container and calls a use case, so a job sees
the same wiring as an API call. The in-process runner (embedded mode) and SAQ workers
run the same handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.slack.events import MENTION
from argus_adapters.slack.reports import REPORT, SHORTCUT
from argus_adapters.sql.jobs import SqlJobRunner
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.errors import NotFound, Unavailable
from argus_core.jobs import INTAKE, NOTIFY, RCA, REMINDERS, TRIAGE, event_of
from argus_core.usecases.background import NotificationService, OutboxRelay
from argus_core.usecases.intake import IntakeService
from argus_core.usecases.rca import RcaService
from argus_core.usecases.reminders import ReminderService
from argus_core.usecases.triage import TriageService
from argus_web.container import JobWake, SlackReader, job_policies
from argus_web.metrics import observe_job
from argus_web.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
RELAY_POLL_SECONDS = 0.1


@contextlib.asynccontextmanager
async def job_scope(container: AsyncContainer) -> AsyncIterator[AsyncContainer]:
    """A request scope for one job. Unlike a web request's, its unit of work gives its
    connection back after every unit: a job may wait minutes between units (on an LLM,
    an RCA service, Slack's rate limits) and must not hold one of the pool's few
    connections meanwhile (eight triages waiting on a slow model starved the web
    requests of the same process)."""
    async with container() as scope:
        await (await scope.get(SqlUnitOfWork)).short_units()
        yield scope


def job_handlers(container: AsyncContainer) -> dict[str, Handler]:
    """Every job Argus runs, by name."""

    async def notify(payload: dict[str, Any]) -> None:
        async with job_scope(container) as scope:
            await (await scope.get(NotificationService)).deliver(event_of(payload))

    async def triage(payload: dict[str, Any]) -> None:
        async with job_scope(container) as scope:
            service = await scope.get(TriageService)
            await service.triage(event_of(payload).issue_id, only_new=True)

    async def rca(payload: dict[str, Any]) -> None:
        issue_id = event_of(payload).issue_id
        async with job_scope(container) as scope:
            service = await scope.get(RcaService)
            try:
                await service.run(issue_id)
            except NotFound:
                log.info("issue %s is gone; its analysis is dropped", issue_id)

    async def intake(payload: dict[str, Any]) -> None:
        """One Slack delivery, by the ``kind`` its payload was queued with."""
        async with job_scope(container) as scope:
            readers = await scope.get(SlackReader)
            if readers.reader is None or readers.reports is None:
                raise Unavailable("A Slack delivery waits for SLACK_BOT_TOKEN to be set.")
            service = await scope.get(IntakeService)
            kind = payload.get("kind", MENTION)
            if kind == MENTION:
                await service.take_in(await readers.reader.mention(payload))
            elif kind == REPORT:
                await service.take_in_report(await readers.reports.report(payload))
            elif kind == SHORTCUT:
                await service.take_in_report(await readers.reports.tracked(payload))
            else:
                log.warning("a Slack delivery of unknown kind %r is dropped", kind)

    async def reminders(_: dict[str, Any]) -> None:
        async with job_scope(container) as scope:
            sent = await (await scope.get(ReminderService)).run()
        if sent:
            log.info("recorded %d reminders", sent)

    return {
        NOTIFY: notify,
        TRIAGE: triage,
        RCA: rca,
        REMINDERS: reminders,
        INTAKE: intake,
    }


async def relay_forever(
    container: AsyncContainer,
    poll_seconds: float = RELAY_POLL_SECONDS,
    stop: asyncio.Event | None = None,
) -> None:
    """Hand stored events to the job queue until cancelled or ``stop`` is set (then it
    wakes and returns between two relays): at once when a commit in this process
    stored some, else every ``poll_seconds`` (commits of other processes). A failing
    database or queue is retried with backoff, and nothing is marked handed on before
    it is queued."""
    wake = (await container.get(JobWake)).outbox
    backoff = poll_seconds
    while stop is None or not stop.is_set():
        wake.clear()
        try:
            async with job_scope(container) as scope:
                moved = await (await scope.get(OutboxRelay)).relay()
            backoff = poll_seconds
        except Exception:
            log.exception("the outbox relay failed; retrying in %.1f s", backoff)
            moved = 0
            backoff = min(backoff * 2, 30)
        if not moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), backoff)


async def every(
    seconds: float, work: Callable[[], Awaitable[None]], stop: asyncio.Event | None = None
) -> None:
    """Run ``work`` every ``seconds`` until cancelled or ``stop`` is set, logging (not
    raising) failures."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
            return
        try:
            await work()
        except Exception:
            log.exception("periodic work failed; next try in %.0f s", seconds)


class EmbeddedJobs:
    """The embedded mode's background work inside ``argus serve``: the runner on the
    database's jobs table, the outbox relay and the reminder timer."""

    def __init__(self, container: AsyncContainer, settings: Settings) -> None:
        self.container = container
        self.settings = settings
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: SqlJobRunner | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        engine = await self.container.get(AsyncEngine)
        wake = await self.container.get(JobWake)
        handlers = job_handlers(self.container)
        runner = SqlJobRunner(
            engine,
            handlers,
            concurrency=self.settings.job_concurrency,
            wake=wake.event,
            policies=job_policies(self.settings),
            observer=observe_job,
        )
        reminders = handlers[REMINDERS]
        self._runner, self._stopping = runner, asyncio.Event()
        self._tasks = [
            asyncio.create_task(runner.run(), name="argus-jobs"),
            asyncio.create_task(
                relay_forever(self.container, stop=self._stopping), name="argus-relay"
            ),
            asyncio.create_task(
                every(
                    self.settings.reminder_interval_seconds,
                    lambda: reminders({}),
                    stop=self._stopping,
                ),
                name="argus-reminders",
            ),
        ]

    async def stop(self) -> None:
        """Stop taking work, give running jobs ``ARGUS_SHUTDOWN_GRACE_SECONDS`` to finish,
        then cancel what is left (its jobs are handed back for the next start)."""
        self._stopping.set()
        (await self.container.get(JobWake)).outbox.set()
        grace = self.settings.shutdown_grace_seconds
        if self._runner is not None:
            self._runner.drain(grace)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=grace + 2)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks, self._runner = [], None
