"""Fake Vishwakarma and HolmesGPT servers, served for real on 127.0.0.1 by uvicorn.

One raw ASGI app plays either agent: ``POST <stream_path>`` answers a scripted
Server-Sent-Events stream (:class:`StreamReply`), ``POST /api/investigate`` a scripted JSON
answer (:class:`JsonReply`). Unscripted, the stream ends at once without an analysis and
the plain endpoint answers 500, so a test gets only what it asks for. Every request is
recorded (path and JSON body) in :attr:`FakeRcaServer.requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.served import ServedApp

VISHWAKARMA_STREAM = "/api/investigate/stream"
HOLMESGPT_STREAM = "/api/stream/investigate"
ANSWER_PATH = "/api/investigate"

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def sse(event: str, data: Any = None) -> str:
    """One event as the wire carries it (``data`` other than a str is sent as JSON)."""
    if data is None:
        return f"event: {event}\n\n"
    text = data if isinstance(data, str) else json.dumps(data)
    lines = "".join(f"data: {line}\n" for line in text.split("\n"))
    return f"event: {event}\n{lines}\n"


@dataclass
class StreamReply:
    """What the streaming endpoint does.

    ``events`` are ``(name, data)`` pairs or raw text written as is (garbage, comments,
    odd line endings); ``delay`` seconds pass before each; ``status`` other than 200 is
    answered instead of a stream; ``cut`` drops the connection after the events instead
    of ending the response.
    """

    events: Sequence[tuple[str, Any] | str] = ()
    delay: float = 0.0
    status: int = 200
    cut: bool = False


@dataclass
class JsonReply:
    """What the plain endpoint answers."""

    body: Any = field(default_factory=lambda: {"detail": "not scripted"})
    status: int = 500


@dataclass(frozen=True)
class Received:
    """One request the fake got."""

    path: str
    body: Any


class FakeRcaServer:
    """The fake agent; use as a context manager (started on enter, stopped on exit)."""

    def __init__(self, stream_path: str, name: str) -> None:
        self.stream_path = stream_path
        self.name = name
        self._lock = threading.Lock()
        self._url = ""
        self._served = ServedApp(self, name)  # the server is the ASGI app
        self.reset()

    def reset(self) -> None:
        """Forget the requests and the scripts."""
        with self._lock:
            self.stream = StreamReply()
            self.answer = JsonReply()
            self._requests: list[Received] = []

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the agent's base URL."""
        if not self._url:
            raise RuntimeError(f"The {self.name} server is not running.")
        return self._url

    @property
    def requests(self) -> list[Received]:
        """Every request so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        """The paths requested so far, oldest first."""
        return [r.path for r in self.requests]

    # ---------------------------------------------------------------- ASGI

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        path = scope["path"]
        with self._lock:
            self._requests.append(Received(path, body))
            stream, answer = self.stream, self.answer
        if scope["method"] != "POST":
            await _json(send, 405, {"detail": "method not allowed"})
        elif path == self.stream_path:
            await _stream(stream, receive, send)
        elif path == ANSWER_PATH:
            await _json(send, answer.status, answer.body)
        else:
            await _json(send, 404, {"detail": "not found"})

    # ---------------------------------------------------------------- server

    def start(self) -> FakeRcaServer:
        """Serve on a free port of 127.0.0.1 in a daemon thread."""
        self._url = self._served.start()
        return self

    def stop(self) -> None:
        self._served.stop()
        self._url = ""

    def __enter__(self) -> FakeRcaServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def fake_vishwakarma() -> FakeRcaServer:
    """A fake Vishwakarma (not started)."""
    return FakeRcaServer(VISHWAKARMA_STREAM, "fake Vishwakarma")


def fake_holmesgpt() -> FakeRcaServer:
    """A fake HolmesGPT (not started)."""
    return FakeRcaServer(HOLMESGPT_STREAM, "fake HolmesGPT")


async def _json(send: Send, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _stream(reply: StreamReply, receive: Receive, send: Send) -> None:
    if reply.status != 200:
        await _json(send, reply.status, {"detail": "scripted failure"})
        return
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.create_task(watch())
    try:
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for item in reply.events:
            if reply.delay:
                # Sleep, but stop at once when the client hangs up (a timed-out reader).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gone.wait(), reply.delay)
            if gone.is_set():
                return
            text = item if isinstance(item, str) else sse(*item)
            await send({"type": "http.response.body", "body": text.encode(), "more_body": True})
        if not reply.cut:
            await send({"type": "http.response.body", "body": b""})
        # Cut: return with the response unfinished; uvicorn then drops the connection.
    finally:
        watcher.cancel()
