"""Backends for the contract tests: in-memory, SQLite (file) and PostgreSQL (127.0.0.1).

PostgreSQL runs in a schema of its own per test run (dropped at the end); each test
starts from empty tables. SQLite tests each get a copy of a migrated file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.dashboard import SqlDashboardQueries
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from argus_adapters.sql.uow import SqlUnitOfWork
from tests.databases import empty_postgres, sqlite_copy
from tests.world import World


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
        created = create_engine(sqlite_copy(sqlite_template, tmp_path))
    else:
        await empty_postgres(pg_settings)
        created = create_engine(pg_settings)
    yield created
    await created.dispose()


@pytest.fixture
def world(engine: AsyncEngine | None) -> World:
    if engine is None:
        return World()

    return World(lambda: SqlUnitOfWork(engine), SqlDashboardQueries(SqlUnitOfWork(engine)))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests that use ``world`` or ``engine`` run once per backend (or per marked one)."""
    if "engine" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        backends = marker.args if marker else ("memory", "sqlite", "postgres")
        metafunc.parametrize("engine", backends, indirect=True)
