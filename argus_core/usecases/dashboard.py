"""Dashboard reads: totals, per-team figures, recent activity."""

from __future__ import annotations

from collections.abc import Sequence

from argus_core.domain.errors import InvalidInput
from argus_core.domain.history import HistoryEntry
from argus_core.domain.people import Actor
from argus_core.policy import Action, require
from argus_core.ports import DashboardQueries, UnitOfWork
from argus_core.queries import DashboardStats, TeamStats

MAX_RECENT = 20


class DashboardService:
    """What the dashboard's front page shows; anyone signed in may read it."""

    def __init__(self, uow: UnitOfWork, queries: DashboardQueries) -> None:
        self.uow = uow
        self.queries = queries

    async def stats(self, actor: Actor) -> DashboardStats:
        """Counts across all issues."""
        require(actor, Action.VIEW)
        return await self.queries.stats()

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
