"""``argus demo`` in its own process, on a fresh SQLite file, as the README runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.served import free_port

START_SECONDS = 90  # a loaded 2-core box can be slow to migrate and seed


class DemoServer:
    """The running demo: its base URL, and an admin's API client for test set-up."""

    def __init__(self, base: str, log: Path) -> None:
        self.base = base
        self.log = log
        self._tokens: dict[str, str] = {}

    def token(self, email: str) -> str:
        if email not in self._tokens:
            answer = httpx.post(f"{self.base}/api/auth/dev-login", json={"email": email})
            answer.raise_for_status()
            self._tokens[email] = answer.json()["token"]
        return self._tokens[email]

    def api(self, method: str, path: str, email: str = "admin@example.com", **kw: Any) -> Any:
        """One API call that must succeed; the JSON answer (None for 204)."""
        headers = {"Authorization": f"Bearer {self.token(email)}"}
        answer = httpx.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kw)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return None if answer.status_code == 204 else answer.json()

    def team_id(self, name: str) -> str:
        return str(next(t["id"] for t in self.api("GET", "/api/teams") if t["name"] == name))


@contextmanager
def demo_server(folder: Path, **env_vars: str) -> Iterator[DemoServer]:
    """Start ``argus demo`` and wait until it is ready; stop it on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGUS_", "DB_"))}
    env["ARGUS_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder / 'argus.db'}"
    env.update(env_vars)
    argus = str(Path(sys.executable).with_name("argus"))
    log = folder / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [argus, "demo", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert demo.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/api/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"argus demo did not start:\n{log.read_text()}"
            time.sleep(0.2)
        yield DemoServer(base, log)
    finally:
        demo.terminate()
        demo.wait(timeout=20)
