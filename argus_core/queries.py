"""Read-side values: issue list queries, pages and dashboard figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar
from uuid import UUID

import msgspec

from argus_core.domain.errors import InvalidInput
from argus_core.domain.people import User
from argus_core.domain.team import Member
from argus_core.domain.values import Priority, Status
from argus_core.validation import refuse_nul

T = TypeVar("T")

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
"""Far beyond any real list, and small enough that the row offset fits database integers."""
MAX_SEARCH_LENGTH = 200


class IssueSort(StrEnum):
    """Orders of the issue list, each served by the list's indexes; ``number`` breaks ties."""

    NEWEST = "newest"
    OLDEST = "oldest"


class IssueQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Filters of the issue list; every filter given must match.

    ``assignee_ids`` matches any assignee, not only the primary one (``mine`` passes the
    actor's member ids). ``search`` matches each of its words, case-insensitively, as the
    start of a word of the title or description; its text is data, never a pattern.
    ``active`` keeps open and in-progress issues. ``resolved_since`` keeps issues resolved
    at or after that instant (and not reopened since: reopening clears the resolution).
    """

    status: Status | None = None
    active: bool = False
    resolved_since: datetime | None = None
    priority: Priority | None = None
    team_id: UUID | None = None
    assignee_ids: frozenset[UUID] | None = None
    reported_by_email: str | None = None
    search: str | None = None
    sort: IssueSort = IssueSort.NEWEST
    page: int = 1
    per_page: int = 20

    def __post_init__(self) -> None:
        if self.resolved_since is not None and self.resolved_since.utcoffset() is None:
            raise InvalidInput("resolved_since needs a time zone (or Z for UTC).")
        if not 1 <= self.page <= MAX_PAGE:
            raise InvalidInput(f"page must be between 1 and {MAX_PAGE}.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}.")
        if self.search is not None and len(self.search) > MAX_SEARCH_LENGTH:
            raise InvalidInput(f"search is longer than {MAX_SEARCH_LENGTH} characters.")
        for text in (self.search, self.reported_by_email):
            if text is not None:
                refuse_nul(text)

    @property
    def offset(self) -> int:
        """Rows to skip for this page."""
        return (self.page - 1) * self.per_page

    @property
    def search_terms(self) -> tuple[str, ...]:
        """The search text as lower-case words (punctuation separates words)."""
        return search_terms(self.search or "")


def search_terms(text: str) -> tuple[str, ...]:
    """Split text into lower-case words; anything but letters and digits separates them."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return tuple(cleaned.split())


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    """One page of a list, newest first, with the total count of matches."""

    items: Sequence[T]
    total: int
    page: int
    per_page: int


class AssigneeName(msgspec.Struct, frozen=True, kw_only=True):
    """An assignee as lists show them."""

    id: UUID
    name: str
    slack_user_id: str | None


class IssueSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An issue as lists show it: its own short fields and the names of its team and
    assignees (primary assignee first), read in one go."""

    id: UUID
    number: int
    title: str
    status: Status
    priority: Priority
    category: str
    team_id: UUID | None
    team_name: str | None
    assignees: tuple[AssigneeName, ...]
    reporter_name: str | None
    created_at: datetime
    updated_at: datetime


class DashboardStats(msgspec.Struct, frozen=True, kw_only=True):
    """Counts across all issues, and the mean time to resolve in hours.

    ``resolved_today`` counts issues resolved at or after ``resolved_since`` (the start of
    today where the reader is), whatever their status now: the same issues as the list's
    ``resolved_since`` filter.
    """

    total_issues: int
    open_issues: int
    in_progress_issues: int
    resolved_issues: int
    critical_issues: int
    avg_resolution_hours: float | None
    resolved_today: int
    resolved_since: datetime


class TeamStats(msgspec.Struct, frozen=True, kw_only=True):
    """Per-team counts and mean time to resolve in hours."""

    team_id: UUID
    team_name: str
    open_count: int
    resolved_count: int
    avg_resolution_hours: float | None


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """Someone who signs in, as one read: their user row (None before their first
    sign-in) and every member row with their email or the user's Slack id."""

    user: User | None
    members: Sequence[Member]


class AssignableMember(msgspec.Struct, frozen=True, kw_only=True):
    """An active member someone may assign, with the team it belongs to."""

    id: UUID
    name: str
    email: str | None
    slack_user_id: str | None
    team_id: UUID
    team_name: str


def hours_between(start: datetime, end: datetime) -> float:
    """Elapsed hours from ``start`` to ``end``."""
    return (end - start).total_seconds() / 3600
