"""PostgreSQL plans of counted pages: the matches come through the filter's own index.

A page that counts its matches (``count(*) OVER ()``) was once planned as a backwards walk
of the newest-first index, testing every row of the table: a one-word search over a
million issues took more than a minute. These tests read the plan of the statement the
repository really sends, over enough rows for the planner to face that choice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.queries import IssueQuery
from argus_core.usecases.issues import IssuePatch
from tests.world import ADMIN, VIEWER, World

ROWS = 60_000
# Word n appears in about one issue in a hundred: a selective search.
FILL = sa.text(f"""
    INSERT INTO issues (id, number, title, description, search_text, status, priority,
                        category, source, notifications_muted, created_at, updated_at,
                        reporter_email)
    SELECT gen_random_uuid(), n, 'word' || (n % 100) || ' thing',
           'filler text ' || (n % 7), ' word' || (n % 100) || ' thing filler text ' || (n % 7),
           'open', 'medium', 'backend', 'web', false,
           now() - n * interval '1 minute', now() - n * interval '1 minute',
           'user' || (n % 50) || '@example.com'
    FROM generate_series(1, {ROWS}) AS n
""")

ALL_WORDS = sa.text("""
    INSERT INTO search_words (word)
    SELECT DISTINCT word FROM issues,
        unnest(tsvector_to_array(to_tsvector('simple'::regconfig, search_text))) AS word
    ON CONFLICT DO NOTHING
""")

pytestmark = pytest.mark.backends("postgres")


async def plan_of(engine: AsyncEngine, query: IssueQuery) -> str:
    """The plan of the page statement ``list(query)`` sends, as JSON text."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        sent.append((statement, params))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with SqlUnitOfWork(engine) as uow:
            await uow.issues.list(query)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    statement, params = next(s for s in sent if "count(*) OVER ()" in s[0])
    async with engine.connect() as connection:
        plan = await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", params)
        return json.dumps(plan.scalar())


@pytest.fixture
async def filled(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as connection:
        # Per-row triggers would dominate the fill: load, then add the words in one go.
        await connection.exec_driver_sql("ALTER TABLE issues DISABLE TRIGGER USER")
        await connection.execute(FILL)
        await connection.exec_driver_sql("ALTER TABLE issues ENABLE TRIGGER USER")
        await connection.execute(ALL_WORDS)
        await connection.exec_driver_sql("ANALYZE issues")
    return engine


@pytest.mark.parametrize("search", ["word42", "word4", "word42 thing"])
async def test_a_counted_search_reads_the_search_index_not_the_whole_table(
    filled: AsyncEngine, search: str
) -> None:
    plan = await plan_of(filled, IssueQuery(search=search))
    assert "ix_issues_search" in plan
    assert "ix_issues_newest" not in plan


async def test_a_reporter_filter_reads_the_reporter_index(filled: AsyncEngine) -> None:
    plan = await plan_of(filled, IssueQuery(reported_by_email="user7@example.com"))
    assert "ix_issues_reporter_newest" in plan
    assert "ix_issues_newest" not in plan


async def test_prefixes_expand_into_the_words_issues_contain(engine: AsyncEngine) -> None:
    world = World(lambda: SqlUnitOfWork(engine), SqlDashboardQueries(SqlUnitOfWork(engine)))
    for n in range(60):
        await world.report(None, f"zzword{n} failing")
    first = await world.report(None, "checkout slow")

    async def total(text: str) -> int:
        return (await world.issues.list(VIEWER, IssueQuery(search=text))).total

    assert await total("zzword1") == 11  # zzword1, zzword10..19: written out as words
    assert await total("zzw") == 60  # more than 50 words: kept as a prefix
    assert await total("zzword1 fail") == 11
    assert await total("qqq") == 0  # no word starts so: nothing to look up
    # Words of an edited title are searchable (the update trigger adds them).
    await world.issues.update(ADMIN, first.id, IssuePatch(title="quokka checkout slow"))
    assert await total("quok") == 1
