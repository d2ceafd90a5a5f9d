"""Real ``argus`` processes for the production tests, each killed at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx

from argus_adapters.sql.settings import DatabaseSettings
from tests.jobs.support import ARGUS, wait_until_live

T = TypeVar("T")
ADMIN = "admin@example.com"


def argus_env(db: DatabaseSettings, **extra: str) -> dict[str, str]:
    """An Argus process's environment on ``db``, none of the caller's Argus settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ARGUS_", "SLACK_", "DB_", "ADMIN_", "PROMETHEUS_"))
    }
    env |= {
        "ARGUS_DATABASE_URL": db.url,
        "DB_SCHEMA": db.schema,
        "ARGUS_ENV": "embedded",
        "ADMIN_EMAILS": ADMIN,
    }
    return env | extra


class Argus:
    """The processes a test started, with their output in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        out = self.folder / f"argus-{len(self.started)}.log"
        with out.open("wb") as log:
            process = subprocess.Popen([ARGUS, *args], env=env, stdout=log, stderr=log)
        self.started.append((process, out))
        return process

    def serve(self, env: dict[str, str], port: int, *more: str) -> subprocess.Popen[bytes]:
        process = self.start(["serve", "--port", str(port), *more], env)
        wait_until_live(port, process)
        return process

    def output(self, process: subprocess.Popen[bytes]) -> str:
        return next(out for p, out in self.started if p is process).read_text(errors="replace")

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 30) -> int:
        """SIGTERM, then the exit status (SIGKILL after ``timeout`` seconds)."""
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise

    def kill_all(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@contextmanager
def argus(folder: Path) -> Iterator[Argus]:
    running = Argus(folder)
    try:
        yield running
    finally:
        running.kill_all()


def wait_for(check: Callable[[], T | None], within: float, what: str) -> T:
    """``check()``'s first truthy answer, polled every 0.1 s for at most ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        time.sleep(0.1)


def sign_in(base: str) -> dict[str, str]:
    token = httpx.post(f"{base}/api/auth/dev-login", json={"email": ADMIN}).json()["token"]
    return {"Authorization": f"Bearer {token}"}
