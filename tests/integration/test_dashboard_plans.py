"""PostgreSQL plans of the dashboard's links: "resolved today", active critical issues and
oldest-first pages read an index, never the whole issues table.

Like ``test_search_plans``, these read the plan of the statement the adapter really sends,
over enough rows (60,000: 10 % open, 5 % in progress, 70 % resolved, 15 % closed, resolved
an hour after being reported, one issue a minute for six weeks) for the planner to choose.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.values import Priority, Status
from argus_core.queries import IssueQuery, IssueSort

ROWS = 60_000
FILL = sa.text(f"""
    INSERT INTO issues (id, number, title, description, search_text, status, priority,
                        category, source, notifications_muted, created_at, updated_at,
                        resolved_at)
    SELECT gen_random_uuid(), n, 'thing ' || n, '', ' thing ' || n,
           (CASE WHEN n % 20 < 2 THEN 'open' WHEN n % 20 = 2 THEN 'in_progress'
                 WHEN n % 20 < 17 THEN 'resolved' ELSE 'closed' END),
           (ARRAY['critical', 'high', 'medium', 'low'])[n % 4 + 1],
           'backend', 'web', false,
           now() - n * interval '1 minute', now() - n * interval '1 minute',
           (CASE WHEN n % 20 BETWEEN 3 AND 16
                 THEN now() - n * interval '1 minute' + interval '1 hour' END)
    FROM generate_series(1, {ROWS}) AS n
""")

pytestmark = pytest.mark.backends("postgres")


async def plan_of(
    engine: AsyncEngine, run: Callable[[], Awaitable[object]], marker: str
) -> dict[str, Any]:
    """The plan of the statement containing ``marker`` that ``run`` sends."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        sent.append((statement, params))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await run()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    statement, params = next(s for s in sent if marker in s[0])
    async with engine.connect() as connection:
        plan = await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", params)
        return plan.scalar()[0]["Plan"]  # type: ignore[no-any-return]


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of a plan, depth first."""
    return [plan, *(n for child in plan.get("Plans", []) for n in nodes(child))]


def indexes(plan: dict[str, Any]) -> set[str]:
    return {n["Index Name"] for n in nodes(plan) if "Index Name" in n}


def scans_the_table(plan: dict[str, Any]) -> bool:
    return any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "issues"
               for n in nodes(plan))  # fmt: skip


@pytest.fixture
async def filled(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE issues DISABLE TRIGGER USER")
        await connection.execute(FILL)
        await connection.exec_driver_sql("ALTER TABLE issues ENABLE TRIGGER USER")
        await connection.exec_driver_sql("ANALYZE issues")
    return engine


def midnight() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def listed(engine: AsyncEngine, query: IssueQuery) -> dict[str, Any]:
    async def run() -> object:
        async with SqlUnitOfWork(engine) as uow:
            return await uow.issues.list(query)

    return await plan_of(engine, run, "LIMIT")


async def test_stats_count_resolved_today_through_the_partial_index(filled: AsyncEngine) -> None:
    queries = SqlDashboardQueries(SqlUnitOfWork(filled))
    plan = await plan_of(filled, lambda: queries.stats(midnight()), "issue_counts")
    assert "ix_issues_resolved_at" in indexes(plan)
    assert not scans_the_table(plan)
    stats = await queries.stats(midnight() - timedelta(days=1))
    assert stats.resolved_today > 0


@pytest.mark.parametrize("status", [None, Status.RESOLVED])
async def test_a_resolved_since_page_reads_the_partial_index(
    filled: AsyncEngine, status: Status | None
) -> None:
    plan = await listed(filled, IssueQuery(resolved_since=midnight(), status=status))
    assert "ix_issues_resolved_at" in indexes(plan)
    assert not scans_the_table(plan)


@pytest.mark.parametrize("priority", [None, Priority.CRITICAL])
async def test_active_pages_walk_a_newest_first_index_without_sorting(
    filled: AsyncEngine, priority: Priority | None
) -> None:
    plan = await listed(filled, IssueQuery(active=True, priority=priority))
    assert indexes(plan) & {"ix_issues_newest", "ix_issues_priority_newest"}
    assert not scans_the_table(plan)
    assert not any(n["Node Type"] in {"Sort", "Incremental Sort"} for n in nodes(plan))


@pytest.mark.parametrize("status", [None, Status.OPEN])
async def test_oldest_first_reads_the_same_indexes_forwards(
    filled: AsyncEngine, status: Status | None
) -> None:
    plan = await listed(filled, IssueQuery(sort=IssueSort.OLDEST, status=status))
    used = indexes(plan)
    assert used & {"ix_issues_newest", "ix_issues_status_newest"}
    assert not scans_the_table(plan)
    assert not any(n["Node Type"] in {"Sort", "Incremental Sort"} for n in nodes(plan))
    assert any(n.get("Scan Direction") == "Forward" for n in nodes(plan))
