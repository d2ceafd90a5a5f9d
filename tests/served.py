"""Fake servers for tests: an ASGI app served for real on 127.0.0.1, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


def free_port() -> int:
    """A port of 127.0.0.1 where nothing listens (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServedApp:
    """Serves ``app`` on a free port of 127.0.0.1 in a daemon thread until stopped."""

    def __init__(self, app: Any, name: str) -> None:
        self.app = app
        self.name = name
        self._socket: socket.socket | None = None

    def start(self) -> str:
        """Start serving; returns ``http://127.0.0.1:PORT`` once the server answers."""
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The {self.name} server did not start.")
            time.sleep(0.01)
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
