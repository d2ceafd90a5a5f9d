"""Seed PostgreSQL with many issues and time Argus's hot queries against the raw SQL floor.

    uv run python bench/queries.py                 # 1,000,000 issues
    uv run python bench/queries.py --issues 100000 --runs 300

Seeds a schema of its own (``argus_bench`` by default, dropped first) with COPY, then
times, for each query, the repository call (SQLAlchemy + mapping) and the very same SQL
statements replayed through asyncpg alone, printing median, p99 and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import event

from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.engine import create_engine, session_factory
from argus_adapters.sql.mapping import search_text
from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.values import Priority, Status
from argus_core.queries import IssueQuery

TEAMS, MEMBERS_PER_TEAM, REPORTERS = 20, 10, 5_000
STATUSES = [("open", 10), ("in_progress", 5), ("resolved", 70), ("closed", 15)]
PRIORITIES = [("critical", 5), ("high", 20), ("medium", 50), ("low", 25)]
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def vocabulary(rng: random.Random, size: int = 3_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(size * 2)}
    return sorted(words)[:size]


def weighted(rng: random.Random, choices: list[tuple[str, int]], k: int) -> list[str]:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices], k=k)


async def seed(conn: asyncpg.Connection, issues: int, rng: random.Random) -> dict[str, Any]:
    words = vocabulary(rng)
    teams = [uuid.uuid4() for _ in range(TEAMS)]
    await conn.copy_records_to_table(
        "teams",
        records=[
            (t, f"Team {n}", f"team {n}", f"Owns area {n}", None, True, 1440, "{}", 9, 18, "UTC",
             NOW, NOW)
            for n, t in enumerate(teams)
        ],
        columns=["id", "name", "name_key", "description", "slack_channel_id",
                 "reminders_enabled", "reminder_frequency_minutes", "reminder_per_priority",
                 "reminder_start_hour", "reminder_end_hour", "reminder_timezone", "created_at",
                 "updated_at"],
    )  # fmt: skip
    members = {t: [uuid.uuid4() for _ in range(MEMBERS_PER_TEAM)] for t in teams}
    await conn.copy_records_to_table(
        "team_members",
        records=[
            (m, t, f"Agent {n}", "agent", f"U{n}", f"agent{n}.{i}@example.com", True, False,
             0, 0, None, NOW)
            for i, t in enumerate(teams)
            for n, m in enumerate(members[t])
        ],
        columns=["id", "team_id", "name", "role", "slack_user_id", "email", "is_active",
                 "notifications_muted", "open_issue_count", "total_assigned_count",
                 "last_assigned_at", "created_at"],
    )  # fmt: skip
    # Bulk load without the secondary indexes and count triggers; rebuild both after.
    indexes = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'issues' "
        "AND schemaname = current_schema() AND indexname NOT IN ('pk_issues', 'uq_issues_number')"
    )
    for row in indexes:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    await conn.execute("ALTER TABLE issues DISABLE TRIGGER USER")
    batch = 100_000
    number = 0
    for start in range(0, issues, batch):
        size = min(batch, issues - start)
        statuses = weighted(rng, STATUSES, size)
        priorities = weighted(rng, PRIORITIES, size)
        rows, assignees = [], []
        for status, priority in zip(statuses, priorities, strict=True):
            number += 1
            issue_id = uuid.uuid4()
            team = rng.choice(teams)
            created = NOW - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
            title = " ".join(rng.choices(words, k=rng.randint(3, 8)))
            description = " ".join(rng.choices(words, k=rng.randint(10, 30)))
            active = status in ("open", "in_progress")
            resolved = None if active else created + timedelta(hours=rng.randint(1, 200))
            reporter = f"user{rng.randrange(REPORTERS)}@example.com"
            rows.append((
                issue_id, number, title, description, search_text(title, description), status,
                priority, "backend", team, None, None, reporter, "slack", False, created,
                resolved or created,
                resolved if status == "resolved" else None,
                resolved if status == "closed" else None,
                created + timedelta(days=1) if active else None,
            ))  # fmt: skip
            assignees.append((issue_id, rng.choice(members[team]), 0))
        await conn.copy_records_to_table(
            "issues",
            records=rows,
            columns=["id", "number", "title", "description", "search_text", "status", "priority",
                     "category", "team_id", "reporter_name", "reporter_slack_id",
                     "reporter_email", "source", "notifications_muted", "created_at",
                     "updated_at", "resolved_at", "closed_at", "next_reminder_at"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "issue_assignees", records=assignees, columns=["issue_id", "member_id", "position"]
        )
        print(f"  seeded {start + size:>9,} issues", flush=True)
    await conn.execute("ALTER TABLE issues ENABLE TRIGGER USER")
    for row in indexes:
        await conn.execute(row["indexdef"])
    await conn.execute(f"SELECT setval('issue_number_seq', {number})")
    await conn.execute("""
        INSERT INTO issue_counts
            (team_key, status, priority, issue_count, resolved_count, resolution_seconds)
        SELECT coalesce(team_id, '00000000-0000-0000-0000-000000000000'), status, priority,
               count(*), count(resolved_at),
               coalesce(sum(extract(epoch FROM resolved_at - created_at)), 0)
        FROM issues GROUP BY 1, 2, 3
    """)
    await conn.execute("""
        UPDATE team_members m SET open_issue_count = c.n, total_assigned_count = c.total
        FROM (SELECT a.member_id, count(*) FILTER (WHERE i.status IN ('open', 'in_progress')) n,
                     count(*) total
              FROM issue_assignees a JOIN issues i ON i.id = a.issue_id GROUP BY 1) c
        WHERE c.member_id = m.id
    """)
    await conn.execute("VACUUM ANALYZE")
    return {"teams": teams, "words": words}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def timed(runs: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    for n in range(min(20, runs)):  # warm caches and prepared statements
        await call(n)
    samples = []
    for n in range(runs):
        start = time.perf_counter()
        await call(n)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--schema", default="argus_bench")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded schema")
    args = parser.parse_args()
    rng = random.Random(2026)
    settings = DatabaseSettings(url=args.dsn.replace("postgresql://", "postgresql+asyncpg://"),
                                schema=args.schema)  # fmt: skip
    raw = await asyncpg.connect(args.dsn, server_settings={"search_path": args.schema})
    if not args.keep:
        await raw.execute(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE')
        await upgrade_async(settings)
        started = time.perf_counter()
        await seed(raw, args.issues, rng)
        print(f"seeded {args.issues:,} issues in {time.perf_counter() - started:.0f} s")
    teams = [r["id"] for r in await raw.fetch("SELECT id FROM teams ORDER BY name_key")]
    words = vocabulary(random.Random(2026))
    total = await raw.fetchval("SELECT count(*) FROM issues")

    engine = create_engine(settings)
    sessions = session_factory(engine)
    captured: list[tuple[str, tuple[Any, ...]]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        captured.append((statement, tuple(params or ())))

    async def in_uow(work: Callable[[SqlUnitOfWork], Awaitable[object]]) -> object:
        async with SqlUnitOfWork(sessions) as uow:
            return await work(uow)

    filters = [IssueQuery(status=Status.OPEN, team_id=teams[n % TEAMS]) for n in range(TEAMS)] + [
        IssueQuery(priority=Priority.CRITICAL, status=Status.IN_PROGRESS)
    ]
    # One whole word and the start of another, as people type them.
    searches = [
        IssueQuery(search=f"{words[n]} {words[(n * 7) % len(words)][:3]}") for n in range(500)
    ]
    dashboard = SqlDashboardQueries(sessions)
    cases: dict[str, Callable[[int], Awaitable[object]]] = {
        "list with filters": lambda n: in_uow(lambda u: u.issues.list(filters[n % len(filters)])),
        "text search": lambda n: in_uow(lambda u: u.issues.list(searches[n % len(searches)])),
        "dashboard stats": lambda n: dashboard.stats(),
        "reminder selection": lambda n: in_uow(
            lambda u: u.issues.reminder_candidates(set(teams), NOW, 500)
        ),
    }
    print(f"\n{total:,} issues on PostgreSQL, {args.runs} runs each, times in ms")
    print(f"{'query':<20} {'median':>8} {'p99':>8} | {'SQL floor median':>16} {'p99':>8} | ratio")
    for name, call in cases.items():
        samples = await timed(args.runs, call)
        floor_samples = []
        for n in range(args.runs):
            captured.clear()
            await call(n)
            statements = [
                (s, p) for s, p in captured if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))
            ]
            start = time.perf_counter()
            async with raw.transaction():
                for statement, params in statements:
                    await raw.fetch(statement, *params)
            floor_samples.append((time.perf_counter() - start) * 1000)
        med, p99 = statistics.median(samples), percentile(samples, 99)
        fmed, fp99 = statistics.median(floor_samples), percentile(floor_samples, 99)
        print(
            f"{name:<20} {med:>8.2f} {p99:>8.2f} | {fmed:>16.2f} {fp99:>8.2f} | {med / fmed:.2f}x"
        )
    await engine.dispose()
    await raw.close()


if __name__ == "__main__":
    asyncio.run(main())
