"""Dashboard figures computed from the in-memory store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from statistics import fmean

from argus_adapters.memory.store import InMemoryStore
from argus_core.domain.issue import Issue
from argus_core.domain.values import Priority, Status
from argus_core.queries import DashboardStats, TeamStats, hours_between


class InMemoryDashboardQueries:
    """Counts by scanning the store (fine for tests and small embedded use)."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def stats(self, resolved_since: datetime) -> DashboardStats:
        issues = list(self.store.issues.values())
        by_status = {s: sum(1 for i in issues if i.status is s) for s in Status}
        return DashboardStats(
            total_issues=len(issues),
            open_issues=by_status[Status.OPEN],
            in_progress_issues=by_status[Status.IN_PROGRESS],
            resolved_issues=by_status[Status.RESOLVED],
            critical_issues=sum(
                1 for i in issues if i.priority is Priority.CRITICAL and i.status.is_active
            ),
            avg_resolution_hours=_mean_hours(issues),
            resolved_today=sum(
                1 for i in issues if i.resolved_at is not None and i.resolved_at >= resolved_since
            ),
            resolved_since=resolved_since,
        )

    async def team_stats(self) -> Sequence[TeamStats]:
        rows = []
        for team in sorted(self.store.teams.values(), key=lambda t: t.name.casefold()):
            issues = [i for i in self.store.issues.values() if i.team_id == team.id]
            rows.append(
                TeamStats(
                    team_id=team.id,
                    team_name=team.name,
                    open_count=sum(1 for i in issues if i.status.is_active),
                    resolved_count=sum(1 for i in issues if i.status is Status.RESOLVED),
                    avg_resolution_hours=_mean_hours(issues),
                )
            )
        return rows


def _mean_hours(issues: Iterable[Issue]) -> float | None:
    hours = [hours_between(i.created_at, i.resolved_at) for i in issues if i.resolved_at]
    return round(fmean(hours), 2) if hours else None
