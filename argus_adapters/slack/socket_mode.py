"""Slack's Socket Mode: Slack's deliveries over a websocket Argus opens, no public URL.

slack-sdk's asyncio client (:class:`slack_sdk.socket_mode.aiohttp.SocketModeClient`)
asks ``apps.connections.open`` (with the app-level ``xapp-`` token) for a websocket URL,
keeps the connection alive with pings and opens a new one when Slack drops it or asks for
a refresh (a ``disconnect`` message). :class:`SlackSocketMode` adds what Argus needs:

- each envelope goes to the matching method of a :class:`SocketModeInbox` (the same
  methods the HTTP endpoints call): ``events_api`` -> ``event``, ``interactive`` ->
  ``interaction``, ``slash_commands`` -> ``command``;
- the envelope is acknowledged (``{"envelope_id": ..., "payload": <the answer>}``) only
  once that method returned, that is once the delivery's receipt and job are stored.
  An inbox that fails leaves it unacknowledged, so Slack delivers it again; an ack lost
  on the way costs nothing either, as the receipt makes a delivery take effect once;
- asking for a new URL after a failed attempt waits, doubling the wait each time (with
  some jitter) up to a minute, so an outage or a revoked token is not hammered; a
  ``hello`` on a new connection starts the count again;
- stopping waits (briefly) for envelopes being handled, so they are still acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

Answer = dict[str, Any] | None

EVENTS_API = "events_api"
INTERACTIVE = "interactive"
SLASH_COMMANDS = "slash_commands"


class SocketModeInbox(Protocol):
    """What Argus does with a delivery, whichever transport brought it; each method
    returns the acknowledgement's payload (None for an empty one)."""

    async def event(self, envelope: Mapping[str, Any]) -> Answer: ...

    async def interaction(self, payload: Mapping[str, Any]) -> Answer: ...

    async def command(self, form: Mapping[str, Any]) -> Answer: ...


class Backoff:
    """The wait before each connection attempt: none for the first, then ``first``
    seconds doubling up to ``most``, each randomly shortened by up to ``jitter`` (so
    several processes do not retry in step). :meth:`succeeded` starts over."""

    def __init__(
        self,
        first: float = 1.0,
        most: float = 60.0,
        jitter: float = 0.2,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.first = first
        self.most = most
        self.jitter = jitter
        self.rand = rand
        self.failures = 0

    def next_delay(self) -> float:
        """The wait before the next attempt; that attempt counts as failed until
        :meth:`succeeded` says otherwise."""
        failures, self.failures = self.failures, self.failures + 1
        if failures == 0:
            return 0.0
        delay = min(self.most, self.first * 2.0 ** (failures - 1))
        return delay * (1 - self.jitter * self.rand())

    def succeeded(self) -> None:
        self.failures = 0


class _BackingOffClient(SocketModeClient):
    """slack-sdk's client, waiting :class:`Backoff`'s delay before asking Slack for a new
    websocket URL (the SDK itself would ask again every ping interval)."""

    def __init__(self, *args: Any, backoff: Backoff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.backoff = backoff

    async def issue_new_wss_url(self) -> str:
        delay = self.backoff.next_delay()
        if delay:
            log.info("Socket Mode: connecting again in %.1f s", delay)
            await asyncio.sleep(delay)
        return await super().issue_new_wss_url()


class SlackSocketMode:
    """Receives Slack's deliveries over Socket Mode and hands them to ``inbox``.

    ``web_client`` is the Web API client (its ``base_url`` is where
    ``apps.connections.open`` is asked); ``app_token`` the ``xapp-`` token. :meth:`run`
    works until cancelled.
    """

    def __init__(
        self,
        app_token: str,
        web_client: AsyncWebClient,
        inbox: SocketModeInbox,
        *,
        ping_interval: float = 5.0,
        backoff: Backoff | None = None,
        drain_seconds: float = 10.0,
    ) -> None:
        self.app_token = app_token
        self.web_client = web_client
        self.inbox = inbox
        self.ping_interval = ping_interval
        self.backoff = backoff or Backoff()
        self.drain_seconds = drain_seconds
        self.connections = 0
        """How many connections Slack greeted with ``hello`` (reconnections included)."""
        self._handling: set[asyncio.Task[Any]] = set()
        self._closing = False

    async def run(self) -> None:
        """Connect, then hand every envelope on until cancelled; on the way out, finish
        (and acknowledge) the envelopes being handled and close the connection."""
        client = _BackingOffClient(
            app_token=self.app_token,
            web_client=self.web_client,
            logger=log,
            ping_interval=self.ping_interval,
            backoff=self.backoff,
        )
        client.message_listeners.append(self._on_message)
        client.socket_mode_request_listeners.append(self._on_request)
        self._closing = False
        try:
            await client.connect()  # type: ignore[no-untyped-call]
            await asyncio.Event().wait()  # the SDK's tasks receive; this waits to be cancelled
        finally:
            self._closing = True
            await self._drain()
            await client.close()  # type: ignore[no-untyped-call]

    async def _on_message(
        self, _: AsyncBaseSocketModeClient, message: dict[str, Any], __: str | None
    ) -> None:
        if message.get("type") == "hello":
            self.connections += 1
            self.backoff.succeeded()
            log.info("Socket Mode: connected to Slack")
        elif message.get("type") == "disconnect":
            log.info("Socket Mode: Slack asks to reconnect (%s)", message.get("reason"))

    async def _on_request(
        self, client: AsyncBaseSocketModeClient, request: SocketModeRequest
    ) -> None:
        if self._closing:
            return  # left unacknowledged: Slack delivers it again, to a process staying up
        task = asyncio.current_task()
        if task is not None:
            self._handling.add(task)
        try:
            await self._handle(client, request)
        finally:
            if task is not None:
                self._handling.discard(task)

    async def _handle(self, client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        method = self._method_for(request.type)
        answer: Answer = None
        if method is not None:
            try:
                answer = await method(request.payload)
            except Exception:
                # Unacknowledged, Slack delivers it again (the receipt keeps it one report).
                log.exception(
                    "Socket Mode: a %s envelope failed; not acknowledged, so Slack retries it",
                    request.type,
                )
                return
        else:
            log.info("Socket Mode: ignoring a %r envelope", request.type)
        try:
            await client.send_socket_mode_response(
                SocketModeResponse(envelope_id=request.envelope_id, payload=answer)
            )
        except Exception as exc:
            log.warning(
                "Socket Mode: the acknowledgement of %s was lost (%s); Slack delivers it "
                "again and its receipt makes it count once",
                request.envelope_id,
                exc,
            )

    def _method_for(self, kind: str) -> Callable[[Mapping[str, Any]], Awaitable[Answer]] | None:
        if kind == EVENTS_API:
            return self.inbox.event
        if kind == INTERACTIVE:
            return self.inbox.interaction
        if kind == SLASH_COMMANDS:
            return self.inbox.command
        return None

    async def _drain(self) -> None:
        """Give the envelopes being handled a little time to be stored and acknowledged."""
        pending = set(self._handling)
        if not pending:
            return
        _, still = await asyncio.wait(pending, timeout=self.drain_seconds)
        for task in still:
            task.cancel()
        for task in still:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if still:
            log.warning(
                "Socket Mode: %d envelopes unfinished at shutdown; Slack retries them", len(still)
            )
