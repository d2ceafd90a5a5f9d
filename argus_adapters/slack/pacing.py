"""Slack's Web API limits: per-channel pacing of posts and a bounded 429 retry.

Slack allows about one message per second per channel and answers ``429 ratelimited``
with ``Retry-After`` beyond that. :class:`ChannelPacer` spaces the posts of one channel
inside a process without holding back other channels; :class:`BoundedRateLimitRetry` is
slack-sdk's own rate-limit retry handler, refusing waits longer than Argus can afford
inside a job (those go back to the job queue, which retries with backoff).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

MAX_RETRY_AFTER_SECONDS = 10.0
"""Longest ``Retry-After`` waited for in-process: a notify job has 30 s in all."""
RATE_LIMIT_RETRIES = 3
"""429 answers retried in-process per call before it fails (and the job is retried)."""
FORGET_AFTER = 1024
"""Channels remembered before the idle ones are dropped."""


class ChannelPacer:
    """At most ``per_second`` calls a second per channel, one at a time per channel.

    A slot is held for the whole call, retries included, so a later post to the same
    channel (the next message of a thread) cannot overtake a rate-limited one. The gap is
    counted from the end of the previous call, so Slack sees at least ``1 / per_second``
    seconds between two posts whatever the network does.
    """

    def __init__(self, per_second: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("posts per second must be above 0")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._free_at: dict[str, float] = {}  # when the channel's next call may start

    @contextlib.asynccontextmanager
    async def slot(self, channel_id: str) -> AsyncIterator[None]:
        """Wait for the channel's turn and its spacing, then hold it for one call."""
        lock = self._locks.get(channel_id)
        if lock is None:
            self._forget_idle()
            lock = self._locks[channel_id] = asyncio.Lock()
        async with lock:
            wait = self._free_at.get(channel_id, 0.0) - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._free_at[channel_id] = self._clock() + self.interval

    def _forget_idle(self) -> None:
        """Drop channels nobody waits for and whose spacing has passed (bounded memory)."""
        if len(self._locks) < FORGET_AFTER:
            return
        now = self._clock()
        for channel, lock in list(self._locks.items()):
            if not lock.locked() and self._free_at.get(channel, 0.0) <= now:
                del self._locks[channel]
                self._free_at.pop(channel, None)


class BoundedRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack-sdk's rate-limit handler (waits ``Retry-After`` plus jitter, then retries),
    also for a ``ratelimited`` answer without HTTP 429, and only while the wait is at most
    ``max_wait`` seconds: a longer one fails the call at once, for the job queue to retry."""

    def __init__(
        self,
        max_retry_count: int = RATE_LIMIT_RETRIES,
        max_wait: float = MAX_RETRY_AFTER_SECONDS,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None:
            return False
        limited = response.status_code == 429 or (
            isinstance(response.body, dict) and response.body.get("error") == "ratelimited"
        )
        return limited and retry_after(response) <= self.max_wait


def retry_after(response: HttpResponse) -> float:
    """The response's ``Retry-After`` in whole seconds, as slack-sdk reads it: 1 when
    absent, infinite (never waited for) when it is not a whole number."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            try:
                return float(int(values[0]))
            except (ValueError, IndexError):
                return math.inf
    return 1.0


def with_rate_limit_retry(handlers: list[AsyncRetryHandler]) -> list[AsyncRetryHandler]:
    """``handlers`` with a :class:`BoundedRateLimitRetry` (unless one is there)."""
    if any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in handlers):
        return handlers
    return [*handlers, BoundedRateLimitRetry()]
