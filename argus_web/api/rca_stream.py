"""The RCA stream's events: stored progress first, then live steps until the end.

Any web process can serve any client: progress is read from the database (the worker
running the analysis stores each step as it comes), not from memory.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
from litestar.response import ServerSentEventMessage

from argus_core.domain.issue import Rca
from argus_core.domain.values import RcaState
from argus_web.api import schemas as s
from argus_web.api.presenters import progress_out, rca_out

POLL_SECONDS = 0.5
STREAM_SECONDS = 900.0
"""A stream ends after this long even if the analysis still runs (EventSource reconnects)."""


async def rca_events(
    rca: Rca | None,
    current: Callable[[], Awaitable[Rca | None]],
) -> AsyncIterator[ServerSentEventMessage]:
    """``progress`` for each step (each once), then ``result`` or ``error``.

    ``rca`` is the analysis as first read; ``current`` reads it again while it runs.
    """
    poll_seconds, stream_seconds = POLL_SECONDS, STREAM_SECONDS
    if rca is None:
        yield _progress(s.ProgressOut(stage="waiting", message="No analysis has started yet."))
        return
    sent = told = 0  # steps sent; characters sent of the last step (text grows in place)
    deadline = time.monotonic() + stream_seconds
    while True:
        steps = rca.progress
        if sent and steps[sent - 1].stage == "text" and len(steps[sent - 1].message) > told:
            yield _progress(s.ProgressOut(stage="text", message=steps[sent - 1].message[told:]))
        for step in steps[sent:]:
            yield _progress(progress_out(step))
        sent = len(steps)
        told = len(steps[-1].message) if steps else 0
        if rca.state is RcaState.COMPLETED:
            yield ServerSentEventMessage(event="result", data=_json(rca_out(rca)))
            return
        if rca.state is RcaState.FAILED:
            yield ServerSentEventMessage(event="error", data=_json({"message": rca.summary}))
            return
        if time.monotonic() >= deadline:
            return  # still running: the browser reconnects and reads on
        await asyncio.sleep(poll_seconds)
        rca = await current() or rca
        if len(rca.progress) < sent:  # a re-run started a new list of steps
            sent = told = 0


def _progress(step: s.ProgressOut) -> ServerSentEventMessage:
    return ServerSentEventMessage(event="progress", data=_json(step))


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()
