"""``argus worker``: SAQ workers running Argus's jobs, the outbox relay and reminders, and
Slack's Socket Mode when it is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from dishka import Provider

from argus_adapters.saq_jobs import SaqJobQueue, make_worker
from argus_core.ports import DeadLetters, JobQueue
from argus_web.container import load_plugins, make_container
from argus_web.jobs import job_handlers, relay_forever
from argus_web.metrics import observe_job, serve_metrics
from argus_web.settings import Settings
from argus_web.slack.socket import SlackSocket

log = logging.getLogger(__name__)


def reminder_cron(seconds: int) -> str:
    """A cron expression firing every ``seconds`` (seconds are croniter's sixth field)."""
    if seconds < 60:
        return f"* * * * * */{seconds}"
    minutes = seconds // 60
    return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"


async def connect_patiently(queue: SaqJobQueue, most_seconds: float = 30) -> None:
    """Connect to the queue's backend and ask it something, waiting (with backoff) while
    that fails, so workers started before Redis or PostgreSQL come up wait for them."""
    delay = 0.5
    while True:
        try:
            await queue.queue.connect()
            await queue.queue.info()
            return
        except Exception as exc:
            log.warning("the job queue is unreachable (%s); retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, most_seconds)


async def run_worker(
    settings: Settings, *overrides: Provider, concurrency: int, sweep_seconds: int
) -> None:
    """Work until SIGTERM or SIGINT; every worker also relays the outbox (each event's
    jobs are keyed, so several relays queue them once) and, with ``SLACK_APP_TOKEN``,
    receives Slack's deliveries over Socket Mode."""
    container = make_container(settings, *overrides)
    try:
        await load_plugins(container)
        queue = await container.get(JobQueue)
        assert isinstance(queue, SaqJobQueue)
        relay: list[asyncio.Task[None]] = []
        slack_socket = SlackSocket(container, settings)

        async def startup(_: dict[str, Any]) -> None:
            relay.append(asyncio.create_task(relay_forever(container), name="argus-relay"))
            await slack_socket.start()

        async def shutdown(_: dict[str, Any]) -> None:
            await slack_socket.stop()
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
            grace_seconds=settings.shutdown_grace_seconds,
            startup=startup,
            shutdown=shutdown,
            observer=observe_job,
        )
        with serve_metrics(settings.metrics_host, settings.metrics_port):
            await connect_patiently(queue)
            await worker.start()
    finally:
        await container.close()
