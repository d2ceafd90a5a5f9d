"""A fake Slack Socket Mode endpoint: aiohttp's websocket server on 127.0.0.1, in a thread.

Point the fake Web API at it (``fake_slack.socket_url = socket.url``): Argus asks
``apps.connections.open`` for that URL and connects. Every connection is greeted with a
``hello`` as Slack's; :meth:`FakeSocketMode.send` delivers an envelope (``events_api``,
``interactive``, ``slash_commands``) to the newest open connection and returns its
``envelope_id``; every acknowledgement that comes back is passed to ``on_ack`` (if
set), in the server's thread, the moment it arrives, so a test can look at what Argus
had stored by then, and then recorded in ``acks``. :meth:`drop` closes every connection
(as Slack does now and then), :meth:`ask_to_reconnect` sends Slack's ``disconnect``.

It also answers ``apps.connections.open`` itself (at :attr:`FakeSocketMode.api_url`, for
the app token ``xapp-test``), so the transport can be tested without the fake Web API;
``refusing`` makes that answer HTTP 500 until cleared. ``url_requests`` counts the calls.

Waits come in two kinds: ``async`` ones for an Argus running in the test's own event loop
(a blocking wait would stall it), and ``*_blocking`` ones for an Argus in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

APP_ID = "A0ARGUS"


class FakeSocketMode:
    """The fake endpoint; use as a context manager (started on enter, stopped on exit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.acks: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.connections_made = 0
        self.on_ack: Callable[[dict[str, Any]], None] | None = None
        self.app_token = "xapp-test"
        self.refusing = False
        self.url_requests = 0
        self._open: list[web.WebSocketResponse] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    # ---------------------------------------------------------------- what tests use

    @property
    def url(self) -> str:
        """The websocket URL ``apps.connections.open`` should answer."""
        if not self._port:
            raise RuntimeError("The fake Socket Mode server is not running.")
        return f"ws://127.0.0.1:{self._port}/link/?ticket={uuid.uuid4().hex}"

    @property
    def api_url(self) -> str:
        """A Web API base URL whose ``apps.connections.open`` answers :attr:`url`."""
        if not self._port:
            raise RuntimeError("The fake Socket Mode server is not running.")
        return f"http://127.0.0.1:{self._port}/api/"

    @property
    def open_connections(self) -> int:
        with self._lock:
            return sum(1 for ws in self._open if not ws.closed)

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
    ) -> str:
        """Deliver an envelope to the newest open connection; its ``envelope_id``."""
        envelope_id = envelope_id or uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        self._call(self._send(envelope))
        with self._lock:
            self.sent.append(envelope)
        return envelope_id

    def drop(self) -> None:
        """Close every connection, as Slack does from time to time."""
        self._call(self._close_all())

    def ask_to_reconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message on every open connection."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}
        self._call(self._broadcast(message))

    def ack_for(self, envelope_id: str) -> dict[str, Any] | None:
        with self._lock:
            return next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)

    async def wait_for_ack(self, envelope_id: str, within: float = 10.0) -> dict[str, Any]:
        await _until(lambda: self.ack_for(envelope_id) is not None, within, "an ack")
        ack = self.ack_for(envelope_id)
        assert ack is not None
        return ack

    async def wait_for_connections(self, n: int, within: float = 10.0) -> None:
        """Until ``n`` connections were made in all and one is open."""
        await _until(
            lambda: self.connections_made >= n and self.open_connections > 0,
            within,
            f"{n} connections",
        )

    def wait_for_connections_blocking(self, n: int, timeout: float = 60.0) -> None:
        _until_blocking(
            lambda: self.connections_made >= n and self.open_connections > 0,
            timeout,
            f"{n} connections",
        )

    def wait_for_ack_blocking(self, envelope_id: str, timeout: float = 30.0) -> dict[str, Any]:
        _until_blocking(lambda: self.ack_for(envelope_id) is not None, timeout, "an ack")
        ack = self.ack_for(envelope_id)
        assert ack is not None
        return ack

    # ---------------------------------------------------------------- the endpoint

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # answers the client's pings itself
        await ws.prepare(request)
        with self._lock:
            self._open.append(ws)
            self.connections_made += 1
            count = sum(1 for other in self._open if not other.closed)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": count,
                "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
                "connection_info": {"app_id": APP_ID},
            }
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                if isinstance(data, dict) and "envelope_id" in data:
                    # on_ack first: a test that saw the ack in ``acks`` finds what
                    # on_ack looked at already recorded (CI once saw the ack first).
                    if self.on_ack is not None:
                        self.on_ack(data)
                    with self._lock:
                        self.acks.append(data)
        finally:
            with self._lock:
                self._open.remove(ws)
        return ws

    async def _connections_open(self, request: web.Request) -> web.Response:
        with self._lock:
            self.url_requests += 1
        if self.refusing:
            return web.json_response({"ok": False, "error": "fatal_error"}, status=500)
        if request.headers.get("Authorization") != f"Bearer {self.app_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": self.url})

    async def _send(self, envelope: dict[str, Any]) -> None:
        with self._lock:
            live = [ws for ws in self._open if not ws.closed]
        if not live:
            raise AssertionError("No Socket Mode connection is open to deliver to.")
        await live[-1].send_json(envelope)

    async def _close_all(self) -> None:
        with self._lock:
            live = list(self._open)
        for ws in live:
            await ws.close(code=1001, message=b"going away")

    async def _broadcast(self, message: dict[str, Any]) -> None:
        with self._lock:
            live = [ws for ws in self._open if not ws.closed]
        for ws in live:
            await ws.send_json(message)

    # ---------------------------------------------------------------- server

    def _call(self, work: Any) -> None:
        assert self._loop is not None, "The fake Socket Mode server is not running."
        asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/api/apps.connections.open", self._connections_open)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(runner, sock).start()
        self._port = sock.getsockname()[1]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self._close_all()
            await runner.cleanup()

    def start(self) -> FakeSocketMode:
        self._thread = threading.Thread(target=self._serve, daemon=True, name="fake-socket")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("The fake Socket Mode server did not start.")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._port = 0

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


async def _until(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {within}s for {what}.")
        await asyncio.sleep(0.02)


def _until_blocking(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout}s for {what}.")
        time.sleep(0.05)
