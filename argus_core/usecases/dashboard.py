"""Dashboard reads: totals, per-team figures, recent activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from argus_core.clock import SystemClock
from argus_core.domain.errors import InvalidInput
from argus_core.domain.history import HistoryEntry
from argus_core.domain.people import Actor
from argus_core.policy import Action, require
from argus_core.ports import Clock, DashboardQueries, UnitOfWork
from argus_core.queries import DashboardStats, TeamStats
from argus_core.reminders import zone

MAX_RECENT = 20


class DashboardService:
    """What the dashboard's front page shows; anyone signed in may read it."""

    def __init__(
        self, uow: UnitOfWork, queries: DashboardQueries, clock: Clock | None = None
    ) -> None:
        self.uow = uow
        self.queries = queries
        self.clock = clock or SystemClock()

    async def stats(self, actor: Actor, time_zone: str = "UTC") -> DashboardStats:
        """Counts across all issues; "resolved today" counts from the last midnight in
        ``time_zone`` (an IANA name; unknown names are refused)."""
        require(actor, Action.VIEW)
        return await self.queries.stats(start_of_day(self.clock.now(), time_zone))

    async def team_stats(self, actor: Actor) -> Sequence[TeamStats]:
        """Counts per team."""
        require(actor, Action.VIEW)
        return await self.queries.team_stats()

    async def recent_activity(self, actor: Actor, limit: int = 5) -> Sequence[HistoryEntry]:
        """The latest history entries across all issues (1 to 20)."""
        require(actor, Action.VIEW)
        if not 1 <= limit <= MAX_RECENT:
            raise InvalidInput(f"limit must be between 1 and {MAX_RECENT}.")
        async with self.uow:
            return await self.uow.history.recent(limit)


def start_of_day(now: datetime, time_zone: str) -> datetime:
    """The last midnight at or before ``now`` in ``time_zone``, in UTC. A midnight a clock
    change skips is read with the offset before the change: the day's first instant."""
    tz = zone(time_zone)
    local = now.astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)
