"""Seeding PostgreSQL with many issues by COPY, shared by the benchmarks."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from argus_adapters.sql.mapping import search_text

TEAMS, MEMBERS_PER_TEAM, REPORTERS = 20, 10, 5_000
STATUSES = [("open", 10), ("in_progress", 5), ("resolved", 70), ("closed", 15)]
PRIORITIES = [("critical", 5), ("high", 20), ("medium", 50), ("low", 25)]
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def vocabulary(size: int = 3_000, seed: int = 2026) -> list[str]:
    """The same made-up words in every run, for titles and searches."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(size * 2)}
    return sorted(words)[:size]


def weighted(rng: random.Random, choices: list[tuple[str, int]], k: int) -> list[str]:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices], k=k)


async def seed(
    conn: asyncpg.Connection, issues: int, rng: random.Random | None = None
) -> dict[str, Any]:
    """Teams, members and ``issues`` issues by COPY; counters and search words rebuilt,
    then VACUUM ANALYZE."""
    rng = rng or random.Random(2026)
    words = vocabulary()
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
    await conn.execute("""
        INSERT INTO search_words (word)
        SELECT DISTINCT word FROM issues,
            unnest(tsvector_to_array(to_tsvector('simple'::regconfig, search_text))) AS word
        ON CONFLICT DO NOTHING
    """)
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
