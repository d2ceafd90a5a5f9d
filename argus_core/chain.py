"""An ordered chain of providers tried in turn, each with its own timeout.

Used for categorizers and RCA providers: an error, a timeout or an empty answer moves on
to the next provider; the first real answer wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import msgspec

from argus_core.domain.errors import NoProviderAnswered

P = TypeVar("P")
R = TypeVar("R")

log = logging.getLogger(__name__)


class Step(msgspec.Struct, Generic[P], frozen=True, kw_only=True):
    """One provider in the chain, with the most time it may take (seconds)."""

    name: str
    provider: P
    timeout: float


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    """Why a step did not answer: ``timeout``, ``empty`` or ``error``, with detail."""

    name: str
    kind: str
    detail: str = ""


class Outcome(msgspec.Struct, Generic[R], frozen=True, kw_only=True):
    """The answer, which provider gave it, and which steps failed before it."""

    provider: str
    value: R
    failures: tuple[Failure, ...] = ()


class ProviderChain(Generic[P]):
    """Try ``steps`` in order until one answers."""

    def __init__(self, steps: Sequence[Step[P]]) -> None:
        if not steps:
            raise ValueError("a provider chain needs at least one step")
        self.steps = tuple(steps)

    @property
    def names(self) -> tuple[str, ...]:
        """Provider names in the order they are tried."""
        return tuple(step.name for step in self.steps)

    async def run(
        self,
        call: Callable[[P], Awaitable[R | None]],
        *,
        accept: Callable[[R], bool] = lambda _: True,
    ) -> Outcome[R]:
        """Call each provider with ``call`` until one returns an accepted, non-None value.

        Raises :class:`NoProviderAnswered` (listing every failure) when none does.
        Cancellation of the caller is never swallowed.
        """
        failures: list[Failure] = []
        for step in self.steps:
            deadline = asyncio.timeout(step.timeout)
            try:
                async with deadline:
                    value = await call(step.provider)
            except TimeoutError as exc:
                if deadline.expired():  # our limit, not a provider's own TimeoutError
                    failures.append(
                        Failure(name=step.name, kind="timeout", detail=f"{step.timeout}s")
                    )
                else:
                    failures.append(Failure(name=step.name, kind="error", detail=repr(exc)))
            except Exception as exc:
                log.warning("provider %s failed", step.name, exc_info=True)
                failures.append(Failure(name=step.name, kind="error", detail=repr(exc)))
            else:
                if value is not None and accept(value):
                    return Outcome(provider=step.name, value=value, failures=tuple(failures))
                failures.append(Failure(name=step.name, kind="empty"))
        summary = "; ".join(f"{f.name}: {f.kind} {f.detail}".strip() for f in failures)
        raise NoProviderAnswered(f"No provider answered ({summary}).")
