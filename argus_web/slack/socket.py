"""Socket Mode inside an Argus process: ``argus serve`` (every mode) and ``argus worker``.

With ``SLACK_APP_TOKEN`` (and ``SLACK_BOT_TOKEN``) set, :class:`SlackSocket` connects to
Slack at start-up and hands every envelope to the :class:`SlackInbox` of a request scope
of its own, exactly as the ``/slack/*`` routes do, so both transports store the same
receipt and queue the same job before Slack hears back. It is stopped before the
container closes, finishing (and acknowledging) what it is handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from dishka import AsyncContainer

from argus_adapters.slack.socket_mode import Answer, SlackSocketMode
from argus_web.container import SlackApi
from argus_web.settings import Settings
from argus_web.slack.inbox import SlackInbox

log = logging.getLogger(__name__)


class ScopedInbox:
    """The :class:`SlackInbox` of a new request scope for each delivery."""

    def __init__(self, container: AsyncContainer) -> None:
        self.container = container

    async def event(self, envelope: Mapping[str, Any]) -> Answer:
        async with self.container() as scope:
            return await (await scope.get(SlackInbox)).event(envelope)

    async def interaction(self, payload: Mapping[str, Any]) -> Answer:
        async with self.container() as scope:
            return await (await scope.get(SlackInbox)).interaction(payload)

    async def command(self, form: Mapping[str, Any]) -> Answer:
        async with self.container() as scope:
            return await (await scope.get(SlackInbox)).command(form)


class SlackSocket:
    """Runs Socket Mode in the background of this process when it is configured."""

    def __init__(self, container: AsyncContainer, settings: Settings) -> None:
        self.container = container
        self.settings = settings
        self.transport: SlackSocketMode | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        """``SLACK_APP_TOKEN`` (with ``SLACK_BOT_TOKEN``) is set."""
        return self.settings.slack is not None and self.settings.slack.app_token is not None

    async def start(self) -> None:
        slack = self.settings.slack
        if slack is None or slack.app_token is None:
            return
        client = (await self.container.get(SlackApi)).client
        assert client is not None  # a bot token is set whenever Slack's settings are
        self.transport = SlackSocketMode(slack.app_token, client, ScopedInbox(self.container))
        self._task = asyncio.create_task(self.transport.run(), name="argus-slack-socket")
        self._task.add_done_callback(_report_crash)
        log.info("Socket Mode: connecting to Slack")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await self._task  # a crash was logged when it happened
        self._task = None


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Socket Mode stopped: no more Slack deliveries", exc_info=task.exception())
