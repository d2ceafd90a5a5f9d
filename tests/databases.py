"""Real databases for tests: a migrated PostgreSQL schema per run and SQLite file copies."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings

POSTGRES_URL = os.environ.get(
    "ARGUS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TABLES = (
    "teams, team_members, issues, issue_assignees, issue_history, users, outbox, "
    "slack_event_receipts, issue_counts, api_tokens"
)


def postgres_settings(schema: str, **kw: int) -> DatabaseSettings:
    return DatabaseSettings(url=POSTGRES_URL, schema=schema, **kw)


async def drop_schema(schema: str) -> None:
    engine = create_engine(postgres_settings("public"))
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


async def empty_postgres(settings: DatabaseSettings) -> None:
    """Remove every row (and restart numbering) in the run's schema."""
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        await connection.execute(sa.text("ALTER SEQUENCE issue_number_seq RESTART"))
    await engine.dispose()


def sqlite_copy(template: Path, folder: Path) -> DatabaseSettings:
    """A fresh migrated SQLite database (a copy of the run's template file)."""
    path = folder / "argus.db"
    shutil.copy(template, path)
    return DatabaseSettings(url=f"sqlite+aiosqlite:///{path}")
