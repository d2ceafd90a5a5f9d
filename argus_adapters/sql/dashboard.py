"""Dashboard figures from the trigger-kept counters: a few rows, never the issues table
(but for "resolved today", a range of the partial index on ``resolved_at``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql import models as m
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.queries import DashboardStats, TeamStats

_C = m.IssueCountRow


def _sum_where(condition: sa.ColumnElement[bool], column: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, column), else_=0)), 0)


def _hours(seconds: object, count: object) -> float | None:
    """Mean hours to resolve; sums arrive as Decimal, float or int depending on the database."""
    if not count or seconds is None:
        return None
    return round(float(seconds) / float(count) / 3600, 2)  # type: ignore[arg-type]


STATS = sa.select(
    sa.func.coalesce(sa.func.sum(_C.issue_count), 0),
    _sum_where(_C.status == "open", _C.issue_count),
    _sum_where(_C.status == "in_progress", _C.issue_count),
    _sum_where(_C.status == "resolved", _C.issue_count),
    _sum_where(sa.and_(_C.priority == "critical", _C.status.in_(m.ACTIVE)), _C.issue_count),
    sa.func.sum(_C.resolution_seconds),
    sa.func.sum(_C.resolved_count),
    sa.select(sa.func.count())
    .select_from(m.IssueRow)
    .where(m.IssueRow.resolved_at >= sa.bindparam("since"))
    .scalar_subquery(),
)
TEAM_STATS = (
    sa.select(
        m.TeamRow.id,
        m.TeamRow.name,
        _sum_where(_C.status.in_(m.ACTIVE), _C.issue_count),
        _sum_where(_C.status == "resolved", _C.issue_count),
        sa.func.sum(_C.resolution_seconds),
        sa.func.sum(_C.resolved_count),
    )
    .outerjoin(_C, _C.team_key == m.TeamRow.id)
    .group_by(m.TeamRow.id, m.TeamRow.name, m.TeamRow.name_key)
    .order_by(m.TeamRow.name_key)
)


class SqlDashboardQueries:
    """Totals, per-team figures and mean time to resolve, read through a unit of work."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self.uow = uow

    async def stats(self, resolved_since: datetime) -> DashboardStats:
        async with self.uow.reading() as uow:
            row = (await uow.connection.execute(STATS, {"since": resolved_since})).one()
        total, opened, in_progress, resolved, critical, seconds, count, today = row
        return DashboardStats(
            total_issues=int(total),
            open_issues=int(opened),
            in_progress_issues=int(in_progress),
            resolved_issues=int(resolved),
            critical_issues=int(critical),
            avg_resolution_hours=_hours(seconds, count),
            resolved_today=int(today),
            resolved_since=resolved_since,
        )

    async def team_stats(self) -> Sequence[TeamStats]:
        async with self.uow.reading() as uow:
            rows = (await uow.connection.execute(TEAM_STATS)).all()
        return [
            TeamStats(
                team_id=team_id,
                team_name=name,
                open_count=int(opened),
                resolved_count=int(resolved),
                avg_resolution_hours=_hours(seconds, count),
            )
            for team_id, name, opened, resolved, seconds, count in rows
        ]


ISSUE_COUNTS = sa.select(_C.status, _C.priority, sa.func.sum(_C.issue_count)).group_by(
    _C.status, _C.priority
)


async def issue_counts(engine: AsyncEngine) -> list[tuple[str, str, int]]:
    """Issues by (status, priority) over every team, from the trigger-kept rows (for
    metrics scrapes: a few rows whatever the number of issues)."""
    async with engine.connect() as connection:
        rows = (await connection.execute(ISSUE_COUNTS)).all()
    return [(status, priority, int(count or 0)) for status, priority, count in rows]
