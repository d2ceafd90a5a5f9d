"""Fixtures for the background-work tests: a fresh database per test and a fake Slack."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings
from tests.databases import drop_schema, postgres_settings
from tests.fake_slack import FakeSlack
from tests.jobs.support import Processes, flush_redis, processes


@pytest.fixture
async def pg_db() -> AsyncIterator[DatabaseSettings]:
    """A migrated PostgreSQL schema of this test's own (SAQ's tables go there too)."""
    schema = f"argus_jobs_{uuid.uuid4().hex[:10]}"
    db = postgres_settings(schema)
    await upgrade_async(db)
    yield db
    await drop_schema(schema)


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> DatabaseSettings:
    db = DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'argus.db'}")
    await upgrade_async(db)
    return db


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    flush_redis()
    with processes(tmp_path) as running:
        yield running
