"""Backends for the contract tests: in-memory, SQLite (file) and PostgreSQL (127.0.0.1).

PostgreSQL runs in a schema of its own per test run (dropped at the end); each test
starts from empty tables. SQLite tests each get a copy of a migrated file.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.engine import create_engine, session_factory
from argus_adapters.sql.migrate import upgrade
from argus_adapters.sql.settings import DatabaseSettings
from argus_adapters.sql.uow import SqlUnitOfWork
from tests.world import World

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


@pytest.fixture(scope="session")
def pg_settings() -> Iterator[DatabaseSettings]:
    """A freshly migrated schema for this test run."""
    schema = f"argus_test_{uuid.uuid4().hex[:10]}"
    settings = postgres_settings(schema)
    upgrade(settings)
    yield settings
    asyncio.run(drop_schema(schema))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(DatabaseSettings(url=f"sqlite+aiosqlite:///{path}"))
    return path


async def empty_postgres(settings: DatabaseSettings) -> AsyncEngine:
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        await connection.execute(sa.text("ALTER SEQUENCE issue_number_seq RESTART"))
    return engine


def sqlite_copy(template: Path, tmp_path: Path) -> AsyncEngine:
    path = tmp_path / "argus.db"
    shutil.copy(template, path)
    return create_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{path}"))


@pytest.fixture
async def engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_settings: DatabaseSettings,
) -> AsyncIterator[AsyncEngine | None]:
    backend = request.param
    if backend == "memory":
        yield None
        return
    if backend == "sqlite":
        created = sqlite_copy(sqlite_template, tmp_path)
    else:
        created = await empty_postgres(pg_settings)
    yield created
    await created.dispose()


@pytest.fixture
def world(engine: AsyncEngine | None) -> World:
    if engine is None:
        return World()
    sessions = session_factory(engine)
    return World(lambda: SqlUnitOfWork(sessions), SqlDashboardQueries(sessions))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests that use ``world`` or ``engine`` run once per backend (or per marked one)."""
    if "engine" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        backends = marker.args if marker else ("memory", "sqlite", "postgres")
        metafunc.parametrize("engine", backends, indirect=True)
