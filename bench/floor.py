"""The raw SQL floor: the statements a repository call sends, replayed through asyncpg alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

import asyncpg
from seeding import NOW, vocabulary
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.values import Priority, Status
from argus_core.queries import IssueQuery

Statement = tuple[str, tuple[Any, ...]]
Call = Callable[[int], Awaitable[object]]


class Recorder:
    """Records every SQL statement (and its parameters) an engine sends."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements: list[Statement] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.statements.append((statement, tuple(params or ())))

    async def statements_of(self, call: Awaitable[object]) -> list[Statement]:
        """The statements one call sends, transaction control left out."""
        self.statements.clear()
        await call
        return [s for s in self.statements if not s[0].startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


async def replay(connection: asyncpg.Connection, statements: Sequence[Statement]) -> None:
    """Run the statements in one transaction, as the repository did."""
    async with connection.transaction():
        for statement, params in statements:
            await connection.fetch(statement, *params)


def repository_cases(engine: AsyncEngine, teams: Sequence[UUID]) -> dict[str, Call]:
    """The hot repository calls, each varying with the run number ``n``."""
    words = vocabulary()
    filters = [IssueQuery(status=Status.OPEN, team_id=t) for t in teams] + [
        IssueQuery(priority=Priority.CRITICAL, status=Status.IN_PROGRESS)
    ]
    # One whole word and the start of another, as people type them.
    searches = [
        IssueQuery(search=f"{words[n]} {words[(n * 7) % len(words)][:3]}") for n in range(500)
    ]
    dashboard = SqlDashboardQueries(SqlUnitOfWork(engine))
    today = NOW.replace(hour=0, minute=0, second=0, microsecond=0)  # "resolved today"

    async def in_uow(work: Callable[[SqlUnitOfWork], Awaitable[object]]) -> object:
        async with SqlUnitOfWork(engine) as uow:
            return await work(uow)

    return {
        "list with filters": lambda n: in_uow(lambda u: u.issues.list(filters[n % len(filters)])),
        "text search": lambda n: in_uow(lambda u: u.issues.list(searches[n % len(searches)])),
        "dashboard stats": lambda n: dashboard.stats(today),
        "reminder selection": lambda n: in_uow(
            lambda u: u.issues.reminder_candidates(set(teams), NOW, 500)
        ),
    }


def search_texts(count: int = 500) -> list[str]:
    """The search strings ``repository_cases`` uses, for HTTP query strings."""
    words = vocabulary()
    return [f"{words[n]} {words[(n * 7) % len(words)][:3]}" for n in range(count)]


def percentile(samples: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
