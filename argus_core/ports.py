"""Ports: what the core needs from the outside world, as Protocols.

Adapters are named technology + port (``SqlIssueRepository``, ``SlackChatNotifier``);
every port has an in-memory implementation in ``argus_adapters.memory``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

import msgspec

from argus_core.domain.events import DomainEvent
from argus_core.domain.history import HistoryEntry
from argus_core.domain.issue import Issue, Rca, RcaProgress
from argus_core.domain.people import ApiToken, User
from argus_core.domain.team import Member, Team
from argus_core.domain.values import CategorySet, Priority, Status
from argus_core.lifecycle import WorkloadDelta
from argus_core.notifications import IssueCard
from argus_core.queries import (
    AssignableMember,
    DashboardStats,
    IssueQuery,
    IssueSummary,
    Page,
    Person,
    TeamStats,
)

# --------------------------------------------------------------------------- repositories


class IssueRepository(Protocol):
    """Issues by id; numbers are allocated here and never reused."""

    async def next_number(self) -> int:
        """Allocate the next human number (``#123``)."""
        ...

    async def add(self, issue: Issue) -> None:
        """Store a new issue."""
        ...

    async def get(self, issue_id: UUID) -> Issue:
        """The issue, or :class:`~argus_core.domain.errors.NotFound`."""
        ...

    async def save(self, issue: Issue) -> None:
        """Store the new state of an existing issue."""
        ...

    async def list(self, query: IssueQuery) -> Page[IssueSummary]:
        """Issues matching ``query``, newest first (ties: higher number first), one page."""
        ...

    async def claim_rca(self, issue_id: UUID, now: datetime, until: datetime) -> bool:
        """Hold the issue's root-cause analysis until ``until``, unless someone else holds
        it past ``now``; True if this caller holds it now."""
        ...

    async def save_rca(
        self,
        issue_id: UUID,
        rca: Rca,
        held_until: datetime | None,
        *,
        holding: datetime | None = None,
    ) -> bool:
        """Store the analysis as it stands; ``held_until`` extends the hold, None ends it.

        With ``holding`` (the hold the caller last set) nothing is written unless the hold
        is still that one: False tells a run that another one took over."""
        ...

    async def find_by_thread(self, channel_id: str, thread_ts: str) -> Issue | None:
        """The issue whose chat thread this is, if any (the oldest, should there be two)."""
        ...

    async def count_active(self, team_id: UUID) -> int:
        """How many open or in-progress issues ``team_id`` owns."""
        ...

    async def count_active_for_member(self, member_id: UUID) -> int:
        """How many open or in-progress issues ``member_id`` is assigned to."""
        ...

    async def reminder_candidates(
        self, team_ids: Collection[UUID], now: datetime, limit: int
    ) -> Sequence[Issue]:
        """Issues of ``team_ids`` whose next reminder is due at ``now``, most overdue first.

        "Due" is :func:`argus_core.reminders.next_due_at`; the caller still applies the
        full rules (working hours) before recording a reminder.
        """
        ...

    async def mark_reminded(self, issue_id: UUID, previous: datetime | None, now: datetime) -> bool:
        """Set ``last_reminded_at`` to ``now`` only if it is still ``previous``.

        The issue's next due time moves on by one interval.

        Returns False when another worker got there first, so a reminder never goes out
        twice for one period.
        """
        ...


class TeamRepository(Protocol):
    """Teams by id and by name (names are unique, case-insensitively)."""

    async def add(self, team: Team) -> None:
        """Store a new team."""
        ...

    async def get(self, team_id: UUID) -> Team:
        """The team, or :class:`~argus_core.domain.errors.NotFound`."""
        ...

    async def find_by_name(self, name: str) -> Team | None:
        """The team called ``name`` (any case), if any."""
        ...

    async def save(self, team: Team) -> None:
        """Store the new state of a team."""
        ...

    async def delete(self, team_id: UUID) -> None:
        """Remove a team and its member rows."""
        ...

    async def list(self) -> Sequence[Team]:
        """Every team, by name."""
        ...


class MemberRepository(Protocol):
    """Member rows (a person's membership of one team) and their workload counters."""

    async def add(self, member: Member) -> None:
        """Store a new member row."""
        ...

    async def get(self, member_id: UUID) -> Member:
        """The member, or :class:`~argus_core.domain.errors.NotFound`."""
        ...

    async def save(self, member: Member) -> None:
        """Store edited fields; the workload counters are left as they are."""
        ...

    async def delete(self, member_id: UUID) -> None:
        """Remove a member row."""
        ...

    async def list(self, team_id: UUID | None = None) -> Sequence[Member]:
        """Members of ``team_id`` (or of every team), by name."""
        ...

    async def for_assignment(self, team_id: UUID) -> Sequence[Member]:
        """The team's members, locked until commit so concurrent reports queue up."""
        ...

    async def find_by_person(
        self, email: str | None, slack_user_id: str | None
    ) -> Sequence[Member]:
        """Every member row of the person with this email or Slack id."""
        ...

    async def apply_workload(self, deltas: Sequence[WorkloadDelta]) -> None:
        """Move counters by the deltas atomically (no read-modify-write)."""
        ...

    async def assignable(self) -> Sequence[AssignableMember]:
        """Active members with their team names, by team then name."""
        ...

    async def get_many(self, member_ids: Collection[UUID]) -> Sequence[Member]:
        """The members among ``member_ids`` that exist, in no particular order."""
        ...


class HistoryRepository(Protocol):
    """The append-only audit trail."""

    async def add(self, entries: Sequence[HistoryEntry]) -> None:
        """Append entries."""
        ...

    async def for_issue(self, issue_id: UUID) -> Sequence[HistoryEntry]:
        """An issue's history, newest first."""
        ...

    async def recent(self, limit: int) -> Sequence[HistoryEntry]:
        """The latest entries across all issues, newest first."""
        ...


class UserRepository(Protocol):
    """Signed-in people."""

    async def get_by_email(self, email: str) -> User | None:
        """The user with this email (any case), if any."""
        ...

    async def person(self, email: str) -> Person:
        """The user with this email (any case) and their member rows, by that email or
        the user's Slack id, ordered by name (one read: every request asks it)."""
        ...

    async def get(self, user_id: UUID) -> User:
        """The user, or :class:`~argus_core.domain.errors.NotFound`."""
        ...

    async def add(self, user: User) -> None:
        """Store a new user."""
        ...

    async def save(self, user: User) -> None:
        """Store the new state of a user."""
        ...


class ApiTokenRepository(Protocol):
    """Personal API tokens, found by the hash of their secret."""

    async def add(self, token: ApiToken) -> None:
        """Store a new token."""
        ...

    async def find_by_hash(self, token_hash: str) -> ApiToken | None:
        """The token with this hash, revoked or not."""
        ...

    async def for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        """A user's tokens, newest first."""
        ...

    async def save(self, token: ApiToken) -> None:
        """Store a token's new state (last use, revocation)."""
        ...


class Outbox(Protocol):
    """Domain events stored with the change that caused them, delivered later by jobs."""

    async def record(self, events: Sequence[DomainEvent]) -> None:
        """Store events in the current transaction."""
        ...

    async def pending(self, limit: int = 100) -> Sequence[DomainEvent]:
        """Committed events not yet handed on, oldest first."""
        ...

    async def mark_dispatched(self, event_ids: Sequence[UUID]) -> None:
        """Record that these events were handed to the job queue."""
        ...

    # Order in an issue's Slack thread: a notify job first tells what earlier events of
    # its issue have not told yet, holding the thread so no other job posts meanwhile.

    async def thread_backlog(self, issue_id: UUID, through: UUID) -> Sequence[DomainEvent] | None:
        """The events about ``issue_id`` recorded up to and including the event
        ``through``, oldest first, that are not yet marked told (:meth:`mark_told`);
        empty when ``through`` is told already, None when it is not stored at all."""
        ...

    async def mark_told(self, event_ids: Sequence[UUID]) -> None:
        """Record that these events' thread messages reached the chat tool (or that they
        need none), so no later job tells them again."""
        ...

    async def hold_thread(self, issue_id: UUID, seconds: float) -> datetime | None:
        """Hold the issue's thread for ``seconds`` unless another caller holds it (a hold
        of a process that is gone counts as free); the hold's end, to give back to
        :meth:`release_thread`, or None when the thread is held by someone else."""
        ...

    async def release_thread(self, issue_id: UUID, hold: datetime) -> None:
        """End the hold that :meth:`hold_thread` returned (nothing if it was taken over)."""
        ...


class ReceiptRepository(Protocol):
    """Deliveries from the chat tool (Slack event ids, shortcut and modal ids) already
    taken in, so one delivered again (a retry, a reconnect, a second process) makes one
    issue. The database's unique key decides, not any process's memory."""

    async def record(self, key: str, at: datetime) -> UUID | None:
        """Remember a delivery (once); the issue it made, if it made one already."""
        ...

    async def settle(self, key: str, issue_id: UUID, at: datetime) -> UUID:
        """Make ``issue_id`` the delivery's issue unless it has one, recording the delivery
        if need be; returns the delivery's issue, which is another one when it was
        settled before (then the caller must not create its own). Concurrent callers
        queue on the receipt until the first one's unit ends."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository; leaving without ``commit()`` rolls back."""

    @property
    def issues(self) -> IssueRepository: ...

    @property
    def teams(self) -> TeamRepository: ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def history(self) -> HistoryRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def tokens(self) -> ApiTokenRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def receipts(self) -> ReceiptRepository: ...

    def reading(self) -> Self:
        """Make the next unit read-only (``async with uow.reading():``). It may run
        without a transaction, each read seeing what was committed before it; nothing may
        be written in it."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make everything done in this unit durable."""
        ...

    async def rollback(self) -> None:
        """Forget everything done in this unit."""
        ...


class DashboardQueries(Protocol):
    """Aggregates for the dashboard, cheap enough to call on every page load."""

    async def stats(self, resolved_since: datetime) -> DashboardStats:
        """Counts across all issues; ``resolved_today`` counts issues resolved at or after
        ``resolved_since`` (an index range, never a scan of the issues)."""
        ...

    async def team_stats(self) -> Sequence[TeamStats]:
        """Counts per team, by team name."""
        ...


# --------------------------------------------------------------------------- providers


class TeamBrief(msgspec.Struct, frozen=True, kw_only=True):
    """What triage knows of a team."""

    name: str
    description: str = ""


class TriageRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What a categorizer is asked about: the report and the choices it may make."""

    title: str
    description: str
    teams: tuple[TeamBrief, ...]
    categories: CategorySet


class Triage(msgspec.Struct, frozen=True, kw_only=True):
    """A categorizer's answer; unknown team or category names fall back, never guess."""

    title: str | None = None
    priority: Priority = Priority.MEDIUM
    category: str = "other"
    team_name: str | None = None
    reasoning: str = ""
    confidence: float | None = None


class Categorizer(Protocol):
    """Works out priority, category and team of a report; None means "no opinion"."""

    name: str

    async def categorize(self, request: TriageRequest) -> Triage | None:
        """Answer for ``request``, or None to let the next categorizer try."""
        ...


ProgressSink = Callable[[RcaProgress], Awaitable[None]]
"""Where an RCA provider reports its progress (streamed to the dashboard)."""


class RcaProvider(Protocol):
    """Investigates an issue's root cause; None or an empty result passes to the next.

    ``name`` is what ``ARGUS_RCA_CHAIN`` lists; ``timeout`` (seconds) bounds one
    investigation. The answer's ``source`` is what the wire shows (``"vishwakarma"``,
    ``"holmesgpt"``, ``"ai"``, ``"fallback"`` for manual steps, or the plugin's own).
    """

    name: str
    timeout: float

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        """The analysis of ``issue``, or None. Report progress through ``progress`` with
        the stages ``started``, ``tool_started``, ``tool_result``, ``text``, ``done``
        and ``failed``."""
        ...


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a finished analysis shows the issue needs no action, and why."""

    should_resolve: bool
    reason: str
    confidence: float


class AutoResolveJudge(Protocol):
    """Reads a finished RCA and says whether the issue is not actionable."""

    name: str

    async def judge(self, issue: Issue, rca: Rca) -> Verdict | None:
        """A validated verdict, or None when there is none (then nothing happens)."""
        ...


class MessageRewriter(Protocol):
    """Rewrites a chat message in plain language for non-engineers."""

    name: str

    async def rewrite(self, text: str) -> str:
        """The rewritten text; raise or return the text unchanged when unsure."""
        ...


class Notifier(Protocol):
    """Hears every delivered domain event with the issue as it is now (email, pager,
    another chat tool...). Delivery is at least once: a failure retries the whole job."""

    name: str

    async def notify(self, event: DomainEvent, issue: Issue) -> None:
        """Pass the event on; must be idempotent (use ``event.id``)."""
        ...


class ChatNotifier(Protocol):
    """Posts to the chat tool (Slack) where the issue lives."""

    async def post_in_thread(
        self, channel_id: str, thread_ts: str, text: str, *, idempotency_key: str
    ) -> str:
        """Post once per ``idempotency_key`` (a retry finds the earlier post); returns its ts."""
        ...

    async def send_direct_message(self, user_id: str, text: str, *, idempotency_key: str) -> None:
        """Send a DM once per ``idempotency_key``."""
        ...

    async def show_status(self, channel_id: str, message_ts: str, status: Status) -> None:
        """Swap the status emoji on the reported message."""
        ...

    async def show_card(
        self, channel_id: str, thread_ts: str, card: IssueCard, *, key: str, create: bool = True
    ) -> str | None:
        """Show the issue's card in its thread: update in place the message posted
        earlier with ``key``, else post it (unless ``create`` is False: a muted issue's
        card is kept current but never posted anew). A card whose ``revision`` is older
        than the one shown changes nothing. Returns the card message's ts, if there is one."""
        ...


class JobQueue(Protocol):
    """Runs work later, with retries; a job with a key already queued is not queued twice."""

    async def enqueue(
        self, job: str, payload: Mapping[str, Any], *, key: str, delay_seconds: float = 0
    ) -> None:
        """Queue ``job`` with ``payload`` under the dedupe ``key``."""
        ...


class FailedJob(msgspec.Struct, frozen=True, kw_only=True):
    """A job that failed its last attempt (a dead letter), kept with its error."""

    id: UUID
    name: str
    key: str
    payload: dict[str, Any]
    error: str
    attempts: int
    failed_at: datetime
    retried_at: datetime | None = None


class DeadLetters(Protocol):
    """Jobs that used up their retries, until an admin retries them."""

    async def add(self, job: FailedJob) -> None:
        """Keep a failed job (in its own transaction)."""
        ...

    async def list(self, limit: int = 100) -> Sequence[FailedJob]:
        """The newest failed jobs first."""
        ...

    async def get(self, job_id: UUID) -> FailedJob:
        """One failed job; NotFound if unknown."""
        ...

    async def mark_retried(self, job_id: UUID, at: datetime) -> None:
        """Record that the job was queued again."""
        ...


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    """Who an identity provider says signed in."""

    email: str
    name: str
    email_verified: bool


class IdentityProvider(Protocol):
    """Signs people in (Google OAuth; a fake in tests)."""

    def authorization_url(self, *, state: str, code_challenge: str) -> str:
        """Where to send the browser to sign in."""
        ...

    async def exchange(self, *, code: str, code_verifier: str) -> Identity:
        """Trade an authorization code for the signed-in identity."""
        ...


class Clock(Protocol):
    """The current time, always timezone-aware."""

    def now(self) -> datetime:
        """Now, in UTC."""
        ...
