"""Waiting, in async tests, for something another task or process does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], within: float, what: str) -> T:
    """``check()``'s first truthy answer, polled every 50 ms; AssertionError naming
    ``what`` (and the last answer) when none comes ``within`` seconds."""
    deadline = time.monotonic() + within
    while not (found := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what} ({found!r})")
        await asyncio.sleep(0.05)
    return found
