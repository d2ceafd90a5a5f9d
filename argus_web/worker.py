"""``argus worker``: SAQ workers running Argus's jobs, the outbox relay and reminders."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from argus_adapters.saq_jobs import SaqJobQueue, make_worker
from argus_core.ports import DeadLetters, JobQueue
from argus_web.container import make_container
from argus_web.jobs import job_handlers, relay_forever
from argus_web.settings import Settings


def reminder_cron(seconds: int) -> str:
    """A cron expression firing every ``seconds`` (seconds are croniter's sixth field)."""
    if seconds < 60:
        return f"* * * * * */{seconds}"
    minutes = seconds // 60
    return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"


async def run_worker(settings: Settings, *, concurrency: int, sweep_seconds: int) -> None:
    """Work until SIGTERM or SIGINT; every worker also relays the outbox (each event's
    jobs are keyed, so several relays queue them once)."""
    container = make_container(settings)
    try:
        queue = await container.get(JobQueue)
        assert isinstance(queue, SaqJobQueue)
        relay: list[asyncio.Task[None]] = []

        async def startup(_: dict[str, Any]) -> None:
            relay.append(asyncio.create_task(relay_forever(container), name="argus-relay"))

        async def shutdown(_: dict[str, Any]) -> None:
            for task in relay:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        worker = make_worker(
            queue.queue,
            job_handlers(container),
            await container.get(DeadLetters),
            concurrency=concurrency,
            reminder_cron=reminder_cron(settings.reminder_interval_seconds),
            sweep_seconds=sweep_seconds,
            startup=startup,
            shutdown=shutdown,
        )
        await queue.queue.connect()
        await worker.start()
    finally:
        await container.close()
