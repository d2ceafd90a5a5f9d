"""An in-memory database: repositories and a unit of work over plain dicts.

One unit of work runs at a time (like SQLite's single writer), so concurrent reports
queue up instead of piling onto one person; leaving without ``commit()`` restores the
state from before the unit began.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar
from uuid import UUID

import msgspec

from argus_core.domain.errors import NotFound
from argus_core.domain.events import DomainEvent
from argus_core.domain.history import HistoryEntry
from argus_core.domain.issue import Issue, Rca
from argus_core.domain.people import ApiToken, User
from argus_core.domain.team import Member, Team
from argus_core.lifecycle import WorkloadDelta
from argus_core.queries import (
    AssignableMember,
    AssigneeName,
    IssueQuery,
    IssueSort,
    IssueSummary,
    Page,
    Person,
    search_terms,
)
from argus_core.reminders import next_due_at


@dataclass
class InMemoryStore:
    """Everything the in-memory adapters keep, shared by every unit of work."""

    issues: dict[UUID, Issue] = field(default_factory=dict)
    teams: dict[UUID, Team] = field(default_factory=dict)
    members: dict[UUID, Member] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[UUID, ApiToken] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)
    dispatched: set[UUID] = field(default_factory=set)
    told: set[UUID] = field(default_factory=set)
    thread_holds: dict[UUID, datetime] = field(default_factory=dict)
    rca_holds: dict[UUID, datetime] = field(default_factory=dict)
    receipts: dict[str, UUID | None] = field(default_factory=dict)
    last_number: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def snapshot(self) -> dict[str, Any]:
        """A copy of the state to restore on rollback (the values are immutable)."""
        return {name: copy.copy(getattr(self, name)) for name in _TABLES}

    def restore(self, state: dict[str, Any]) -> None:
        """Put back a :meth:`snapshot`; numbers handed out stay used, as with a sequence."""
        for name, value in state.items():
            setattr(self, name, value)


_TABLES = (
    "issues", "teams", "members", "history", "users", "tokens", "events", "dispatched",
    "rca_holds", "told", "thread_holds", "receipts",
)  # fmt: skip


K = TypeVar("K")
V = TypeVar("V")


def _get(table: dict[K, V], key: K, what: str) -> V:
    try:
        return table[key]
    except KeyError:
        raise NotFound(f"No {what} with id {key}.") from None


class InMemoryIssueRepository:
    """Issues in a dict, filtered and searched in Python."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def next_number(self) -> int:
        self.store.last_number += 1
        return self.store.last_number

    async def add(self, issue: Issue) -> None:
        self.store.issues[issue.id] = issue

    async def get(self, issue_id: UUID) -> Issue:
        return _get(self.store.issues, issue_id, "issue")

    async def save(self, issue: Issue) -> None:
        stored = await self.get(issue.id)
        # The analysis is written only by save_rca (as in the SQL adapter).
        self.store.issues[issue.id] = msgspec.structs.replace(issue, rca=stored.rca)

    async def claim_rca(self, issue_id: UUID, now: datetime, until: datetime) -> bool:
        await self.get(issue_id)
        held = self.store.rca_holds.get(issue_id)
        if held is not None and held >= now:
            return False
        self.store.rca_holds[issue_id] = until
        return True

    async def save_rca(
        self,
        issue_id: UUID,
        rca: Rca,
        held_until: datetime | None,
        *,
        holding: datetime | None = None,
    ) -> bool:
        issue = await self.get(issue_id)
        if holding is not None and self.store.rca_holds.get(issue_id) != holding:
            return False
        self.store.issues[issue_id] = msgspec.structs.replace(issue, rca=rca)
        if held_until is None:
            self.store.rca_holds.pop(issue_id, None)
        else:
            self.store.rca_holds[issue_id] = held_until
        return True

    async def list(self, query: IssueQuery) -> Page[IssueSummary]:
        terms = query.search_terms
        found = [i for i in self.store.issues.values() if _matches(i, query, terms)]
        found.sort(key=lambda i: (i.created_at, i.number), reverse=query.sort is IssueSort.NEWEST)
        items = [self._summary(i) for i in found[query.offset : query.offset + query.per_page]]
        return Page(items=items, total=len(found), page=query.page, per_page=query.per_page)

    def _summary(self, issue: Issue) -> IssueSummary:
        team = self.store.teams.get(issue.team_id) if issue.team_id else None
        members = (self.store.members.get(i) for i in issue.assignee_ids)
        return IssueSummary(
            id=issue.id,
            number=issue.number,
            title=issue.title,
            status=issue.status,
            priority=issue.priority,
            category=issue.category,
            team_id=issue.team_id,
            team_name=team.name if team else None,
            assignees=tuple(
                AssigneeName(id=m.id, name=m.name, slack_user_id=m.slack_user_id)
                for m in members
                if m is not None
            ),
            reporter_name=issue.reporter.name,
            created_at=issue.created_at,
            updated_at=issue.updated_at,
        )

    async def find_by_thread(self, channel_id: str, thread_ts: str) -> Issue | None:
        found = (
            i
            for i in self.store.issues.values()
            if i.slack and (i.slack.channel_id, i.slack.thread_ts) == (channel_id, thread_ts)
        )
        return min(found, key=lambda i: i.number, default=None)

    async def count_active(self, team_id: UUID) -> int:
        return sum(
            1 for i in self.store.issues.values() if i.team_id == team_id and i.status.is_active
        )

    async def count_active_for_member(self, member_id: UUID) -> int:
        return sum(
            1
            for i in self.store.issues.values()
            if member_id in i.assignee_ids and i.status.is_active
        )

    async def reminder_candidates(
        self, team_ids: Collection[UUID], now: datetime, limit: int
    ) -> Sequence[Issue]:
        due = []
        for issue in self.store.issues.values():
            team_id = issue.team_id
            team = self.store.teams.get(team_id) if team_id and team_id in team_ids else None
            at = next_due_at(issue, team)
            if at is not None and at <= now:
                due.append((at, issue.number, issue))
        due.sort(key=lambda row: row[:2])
        return [issue for _, _, issue in due[:limit]]

    async def mark_reminded(self, issue_id: UUID, previous: datetime | None, now: datetime) -> bool:
        issue = await self.get(issue_id)
        if issue.last_reminded_at != previous:
            return False
        self.store.issues[issue_id] = msgspec.structs.replace(issue, last_reminded_at=now)
        return True


def _matches(issue: Issue, query: IssueQuery, terms: tuple[str, ...]) -> bool:
    if query.status is not None and issue.status is not query.status:
        return False
    if query.active and not issue.status.is_active:
        return False
    since = query.resolved_since
    if since is not None and (issue.resolved_at is None or issue.resolved_at < since):
        return False
    if query.priority is not None and issue.priority is not query.priority:
        return False
    if query.team_id is not None and issue.team_id != query.team_id:
        return False
    if query.assignee_ids is not None and not query.assignee_ids & set(issue.assignee_ids):
        return False
    wanted = query.reported_by_email
    if wanted is not None and (
        issue.reporter.email is None or issue.reporter.email != wanted.lower()
    ):
        return False
    if terms:
        words = search_terms(f"{issue.title} {issue.description}")
        return all(any(w.startswith(t) for w in words) for t in terms)
    return True


class InMemoryTeamRepository:
    """Teams in a dict."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def add(self, team: Team) -> None:
        self.store.teams[team.id] = team

    async def get(self, team_id: UUID) -> Team:
        return _get(self.store.teams, team_id, "team")

    async def find_by_name(self, name: str) -> Team | None:
        wanted = name.strip().casefold()
        return next((t for t in self.store.teams.values() if t.name.casefold() == wanted), None)

    async def save(self, team: Team) -> None:
        await self.get(team.id)
        self.store.teams[team.id] = team

    async def delete(self, team_id: UUID) -> None:
        await self.get(team_id)
        del self.store.teams[team_id]
        for member in [m for m in self.store.members.values() if m.team_id == team_id]:
            del self.store.members[member.id]

    async def list(self) -> Sequence[Team]:
        return sorted(self.store.teams.values(), key=lambda t: t.name.casefold())


class InMemoryMemberRepository:
    """Member rows in a dict; counters move only through :meth:`apply_workload`."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def add(self, member: Member) -> None:
        self.store.members[member.id] = member

    async def get(self, member_id: UUID) -> Member:
        return _get(self.store.members, member_id, "member")

    async def save(self, member: Member) -> None:
        current = await self.get(member.id)
        self.store.members[member.id] = msgspec.structs.replace(
            member,
            open_issue_count=current.open_issue_count,
            total_assigned_count=current.total_assigned_count,
            last_assigned_at=current.last_assigned_at,
        )

    async def delete(self, member_id: UUID) -> None:
        await self.get(member_id)
        del self.store.members[member_id]

    async def list(self, team_id: UUID | None = None) -> Sequence[Member]:
        members = [m for m in self.store.members.values() if team_id in (None, m.team_id)]
        return sorted(members, key=lambda m: (m.name.casefold(), m.id))

    async def for_assignment(self, team_id: UUID) -> Sequence[Member]:
        return await self.list(team_id)

    async def find_by_person(
        self, email: str | None, slack_user_id: str | None
    ) -> Sequence[Member]:
        email = (email or "").lower() or None
        return [
            m
            for m in await self.list()
            if (email and (m.email or "").lower() == email)
            or (slack_user_id and m.slack_user_id == slack_user_id)
        ]

    async def apply_workload(self, deltas: Sequence[WorkloadDelta]) -> None:
        for delta in deltas:
            member = self.store.members.get(delta.member_id)
            if member is None:
                continue  # a removed member keeps no counters
            last = member.last_assigned_at
            if delta.assigned_at is not None and (last is None or delta.assigned_at > last):
                last = delta.assigned_at
            self.store.members[member.id] = msgspec.structs.replace(
                member,
                open_issue_count=member.open_issue_count + delta.open_delta,
                total_assigned_count=member.total_assigned_count + delta.assigned_delta,
                last_assigned_at=last,
            )

    async def get_many(self, member_ids: Collection[UUID]) -> Sequence[Member]:
        return [self.store.members[m] for m in member_ids if m in self.store.members]

    async def assignable(self) -> Sequence[AssignableMember]:
        teams = self.store.teams
        rows = [
            AssignableMember(
                id=m.id,
                name=m.name,
                email=m.email,
                slack_user_id=m.slack_user_id,
                team_id=m.team_id,
                team_name=teams[m.team_id].name,
            )
            for m in self.store.members.values()
            if m.is_active and m.team_id in teams
        ]
        return sorted(rows, key=lambda r: (r.team_name.casefold(), r.name.casefold(), r.id))


class InMemoryHistoryRepository:
    """The audit trail as an append-only list."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def add(self, entries: Sequence[HistoryEntry]) -> None:
        self.store.history.extend(entries)

    async def for_issue(self, issue_id: UUID) -> Sequence[HistoryEntry]:
        return [e for e in reversed(self.store.history) if e.issue_id == issue_id]

    async def recent(self, limit: int) -> Sequence[HistoryEntry]:
        return list(itertools.islice(reversed(self.store.history), limit))


class InMemoryUserRepository:
    """Users by lower-case email."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def get_by_email(self, email: str) -> User | None:
        return self.store.users.get(email.lower())

    async def person(self, email: str) -> Person:
        user = await self.get_by_email(email)
        slack_user_id = user.slack_user_id if user else None
        members = InMemoryMemberRepository(self.store)
        return Person(user=user, members=await members.find_by_person(email, slack_user_id))

    async def get(self, user_id: UUID) -> User:
        found = next((u for u in self.store.users.values() if u.id == user_id), None)
        if found is None:
            raise NotFound(f"No user with id {user_id}.")
        return found

    async def add(self, user: User) -> None:
        self.store.users[user.email.lower()] = user

    async def save(self, user: User) -> None:
        self.store.users[user.email.lower()] = user


class InMemoryApiTokenRepository:
    """Personal API tokens by id."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def add(self, token: ApiToken) -> None:
        self.store.tokens[token.id] = token

    async def find_by_hash(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self.store.tokens.values() if t.token_hash == token_hash), None)

    async def for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        mine = [t for t in self.store.tokens.values() if t.user_id == user_id]
        return sorted(mine, key=lambda t: t.created_at, reverse=True)

    async def save(self, token: ApiToken) -> None:
        self.store.tokens[token.id] = token


class InMemoryOutbox:
    """Events staged in the unit of work, published to the store on commit."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.staged: list[DomainEvent] = []

    async def record(self, events: Sequence[DomainEvent]) -> None:
        self.staged.extend(events)

    async def pending(self, limit: int = 100) -> Sequence[DomainEvent]:
        waiting = (e for e in self.store.events if e.id not in self.store.dispatched)
        return list(itertools.islice(waiting, limit))

    async def mark_dispatched(self, event_ids: Sequence[UUID]) -> None:
        self.store.dispatched.update(event_ids)

    async def thread_backlog(self, issue_id: UUID, through: UUID) -> Sequence[DomainEvent] | None:
        backlog: list[DomainEvent] = []
        for event in self.store.events:
            if event.issue_id == issue_id and event.id not in self.store.told:
                backlog.append(event)
            if event.id == through:
                return backlog
        return None

    async def mark_told(self, event_ids: Sequence[UUID]) -> None:
        self.store.told.update(event_ids)

    async def hold_thread(self, issue_id: UUID, seconds: float) -> datetime | None:
        now = datetime.now(UTC)  # one process: a hold is free once its time is up
        held = self.store.thread_holds.get(issue_id)
        if held is not None and held > now:
            return None
        hold = self.store.thread_holds[issue_id] = now + timedelta(seconds=seconds)
        return hold

    async def release_thread(self, issue_id: UUID, hold: datetime) -> None:
        if self.store.thread_holds.get(issue_id) == hold:
            del self.store.thread_holds[issue_id]


class InMemoryReceiptRepository:
    """Chat deliveries taken in; one unit runs at a time, so a plain dict decides."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def record(self, key: str, at: datetime) -> UUID | None:
        return self.store.receipts.setdefault(key, None)

    async def settle(self, key: str, issue_id: UUID, at: datetime) -> UUID:
        earlier = self.store.receipts.get(key)
        if earlier is not None:
            return earlier
        self.store.receipts[key] = issue_id
        return issue_id


class InMemoryUnitOfWork:
    """A transaction over an :class:`InMemoryStore`; one runs at a time per store."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.issues = InMemoryIssueRepository(store)
        self.teams = InMemoryTeamRepository(store)
        self.members = InMemoryMemberRepository(store)
        self.history = InMemoryHistoryRepository(store)
        self.users = InMemoryUserRepository(store)
        self.tokens = InMemoryApiTokenRepository(store)
        self.outbox = InMemoryOutbox(store)
        self.receipts = InMemoryReceiptRepository(store)
        self._snapshot: dict[str, Any] | None = None
        self.commits = 0

    def reading(self) -> Self:
        """Read-only units run like any other here."""
        return self

    async def __aenter__(self) -> Self:
        if self._snapshot is not None:
            raise RuntimeError("this unit of work is already in progress")
        await self.store.lock.acquire()
        self._snapshot = self.store.snapshot()
        self.outbox.staged.clear()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            self._snapshot = None
            self.store.lock.release()

    async def commit(self) -> None:
        self.store.events.extend(self.outbox.staged)
        self.outbox.staged.clear()
        self._snapshot = self.store.snapshot()
        self.commits += 1

    async def rollback(self) -> None:
        if self._snapshot is not None:
            self.store.restore(self._snapshot)
        self.outbox.staged.clear()
