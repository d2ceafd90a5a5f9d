"""What both job runners tell about the jobs they run: the job running in this task (for
log lines) and each attempt's outcome (for metrics), without knowing who listens.

Outcomes: ``started``, then ``succeeded`` or ``failed``; a failed attempt is then
``retried`` (queued again) or ``dead`` (its last attempt, kept as a dead letter).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

import msgspec

STARTED, SUCCEEDED, FAILED, RETRIED, DEAD = "started", "succeeded", "failed", "retried", "dead"


class JobRun(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt of one job."""

    name: str
    id: str
    attempt: int


CURRENT_JOB: ContextVar[JobRun | None] = ContextVar("argus_current_job", default=None)
"""The job whose handler runs in this task, if any."""

JobObserver = Callable[[str, str, float | None], None]
"""Called with the job's name, an outcome and, for ``succeeded``/``failed``, the seconds
the attempt took. It must be quick and must not raise."""


def ignore(name: str, outcome: str, seconds: float | None) -> None:
    """The observer when nobody listens."""


@contextlib.contextmanager
def running(run: JobRun) -> Iterator[None]:
    """Mark ``run`` as this task's job while its handler runs."""
    token = CURRENT_JOB.set(run)
    try:
        yield
    finally:
        CURRENT_JOB.reset(token)
