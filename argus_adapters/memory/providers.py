"""In-memory stand-ins for the outside services: clock, chat, queue, sign-in, AI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from argus_core.domain.errors import NotFound, PermissionDenied
from argus_core.domain.issue import Issue, Rca, RcaProgress
from argus_core.domain.values import Status
from argus_core.notifications import IssueCard
from argus_core.ports import FailedJob, Identity, ProgressSink, Triage, TriageRequest


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        self.current += timedelta(**delta)
        return self.current


class StaticCategorizer:
    """Always gives the same answer (or None, to let the next categorizer try)."""

    def __init__(self, answer: Triage | None, name: str = "static") -> None:
        self.answer = answer
        self.name = name
        self.requests: list[TriageRequest] = []

    async def categorize(self, request: TriageRequest) -> Triage | None:
        self.requests.append(request)
        return self.answer


class StaticRcaProvider:
    """Reports the given progress steps, then returns the given analysis."""

    def __init__(
        self, answer: Rca | None, steps: tuple[RcaProgress, ...] = (), name: str = "static"
    ) -> None:
        self.answer = answer
        self.steps = steps
        self.name = name

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        for step in self.steps:
            await progress(step)
        return self.answer


@dataclass
class RecordingChatNotifier:
    """Keeps every post, once per idempotency key, as a chat tool would show them."""

    thread_posts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    direct_messages: dict[str, tuple[str, str]] = field(default_factory=dict)
    statuses: dict[tuple[str, str], Status] = field(default_factory=dict)
    cards: dict[str, tuple[str, str, IssueCard]] = field(default_factory=dict)
    """The card shown under each key, as it is now: (channel, thread, card)."""
    card_updates: int = 0
    """How often a card was replaced in place."""

    async def post_in_thread(
        self, channel_id: str, thread_ts: str, text: str, *, idempotency_key: str
    ) -> str:
        self.thread_posts.setdefault(idempotency_key, (channel_id, thread_ts, text))
        return f"{thread_ts}.{list(self.thread_posts).index(idempotency_key)}"

    async def send_direct_message(self, user_id: str, text: str, *, idempotency_key: str) -> None:
        self.direct_messages.setdefault(idempotency_key, (user_id, text))

    async def show_status(self, channel_id: str, message_ts: str, status: Status) -> None:
        self.statuses[(channel_id, message_ts)] = status

    async def show_card(
        self, channel_id: str, thread_ts: str, card: IssueCard, *, key: str, create: bool = True
    ) -> str | None:
        shown = self.cards.get(key)
        if shown is None:
            if not create:
                return None
        elif shown[2].revision > card.revision:
            return f"{thread_ts}.{key}"  # a newer card is shown already
        else:
            self.card_updates += 1
        self.cards[key] = (channel_id, thread_ts, card)
        return f"{thread_ts}.{key}"


@dataclass
class InMemoryJobQueue:
    """Queued jobs in a list; a key already queued is not queued again."""

    jobs: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    async def enqueue(
        self, job: str, payload: Mapping[str, Any], *, key: str, delay_seconds: float = 0
    ) -> None:
        if key in self.keys:
            return
        self.keys.add(key)
        self.jobs.append((job, dict(payload), delay_seconds))


@dataclass
class InMemoryDeadLetters:
    """Failed jobs in a dict, newest listed first."""

    jobs: dict[UUID, FailedJob] = field(default_factory=dict)

    async def add(self, job: FailedJob) -> None:
        self.jobs[job.id] = job

    async def list(self, limit: int = 100) -> Sequence[FailedJob]:
        return sorted(self.jobs.values(), key=lambda j: j.failed_at, reverse=True)[:limit]

    async def get(self, job_id: UUID) -> FailedJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise NotFound(f"No failed job with id {job_id}.")
        return job

    async def mark_retried(self, job_id: UUID, at: datetime) -> None:
        job = await self.get(job_id)
        self.jobs[job_id] = msgspec.structs.replace(job, retried_at=at)


@dataclass
class FakeIdentityProvider:
    """Signs in whoever a code was registered for."""

    identities: dict[str, Identity] = field(default_factory=dict)
    base_url: str = "https://accounts.example.test/authorize"

    def authorization_url(self, *, state: str, code_challenge: str) -> str:
        return f"{self.base_url}?state={state}&code_challenge={code_challenge}"

    async def exchange(self, *, code: str, code_verifier: str) -> Identity:
        try:
            return self.identities[code]
        except KeyError:
            raise PermissionDenied("The sign-in code is not valid.") from None
